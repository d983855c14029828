"""Indicator answers as the API, the report and the gauges give them: the engine's numbers with the
plan's targets, status, the definition used and whether the value is computed or reported.

Every number is a lookup in the engine's published sums, so nothing is cached here: a new
event or a new date is answered as fast as an old one.
"""

from __future__ import annotations

import json
from datetime import date

from pedgrowth.contracts.scope import Scope

from ..definitions import BY_CODE, INDICATORS, Indicator, Variant, share, status
from ..engine import Engine, Numbers

REPORTED_UNIT = "share"


def year_end(year: int, today: date) -> date:
    """The as-of date of a calendar year's value: 31 December, or today for the current year."""
    return today if year == today.year else date(year, 12, 31)


def value_of(numbers: Numbers) -> float | None:
    if numbers.numerator is None:
        return None
    if numbers.indicator.unit == "count":
        return float(numbers.numerator)
    return share(numbers.numerator, numbers.denominator or 0)


class Answers:
    """Rows of indicator answers over one engine."""

    def __init__(self, engine: Engine, survey_names: dict | None = None):
        self.engine = engine
        self.survey_names = survey_names or {}

    def indicators(self, scope: Scope, d: date, chosen: dict[str, str] | None = None) -> list[dict]:
        """Every computed indicator at D (definitions' order), then the survey values reported for D's year.

        ``chosen`` asks for dimension values explicitly (BadVariant names a wrong one)."""
        targets = self.targets(scope, d.year)
        rows = [self.row(self.engine.numbers(scope, d, i, self.engine.variant(i, scope, d, chosen)),
                         targets.get(i.code), scope) for i in INDICATORS]
        return rows + self.reported_rows(scope, d.year, targets)

    def body(self, scope: Scope, d: date, chosen: dict[str, str] | None = None) -> bytes:
        """The JSON of GET /api/v1/indicators."""
        return json.dumps({"scope": str(scope), "as_of": d.isoformat(), "indicators": self.indicators(scope, d, chosen)},
                          ensure_ascii=False, separators=(",", ":")).encode()

    def row(self, numbers: Numbers, target: float | None, scope: Scope) -> dict:
        indicator = numbers.indicator
        applicable = indicator.applies_to(scope.kind)
        value = value_of(numbers)
        state = status(value, target, indicator.lower_is_better) if applicable else "not_applicable"
        return {"code": indicator.code, "name": indicator.name, "unit": indicator.unit, "value": value,
                "numerator": numbers.numerator, "denominator": numbers.denominator, "target": target,
                "status": state, "kind": "computed", "definition": numbers.variant.as_dict(),
                "lower_is_better": indicator.lower_is_better, "reported": False, "method": None,
                "applicable": applicable}

    def variant(self, code: str, scope: Scope, d: date, chosen: dict[str, str] | None = None) -> Variant:
        return self.engine.variant(BY_CODE[code], scope, d, chosen)

    def members(self, scope: Scope, code: str, d: date, chosen: dict[str, str] | None = None) -> dict | None:
        """The ids behind an indicator's numerator and denominator; None for a code nothing computes."""
        indicator = BY_CODE.get(code)
        if indicator is None:
            return None
        variant = self.engine.variant(indicator, scope, d, chosen)
        numerator, denominator = self.engine.members(scope, d, indicator, variant)
        return {"scope": str(scope), "as_of": d.isoformat(), "code": code, "definition": variant.as_dict(),
                "numerator": numerator, "denominator": denominator}

    def targets(self, scope: Scope, year: int) -> dict[str, float]:
        """Targets apply to the municipality whose plan set them."""
        return self.engine.plans.targets_of(scope.id, year) if scope.kind == "municipality" else {}

    def reported_rows(self, scope: Scope, year: int, targets: dict[str, float]) -> list[dict]:
        """Survey indicators: the reported value (marked as reported) or their target with no value yet."""
        if scope.kind != "municipality":
            return []
        reported = self.engine.plans.reported_values(scope.id)
        codes = sorted((set(reported) | set(targets)) - set(BY_CODE))
        rows = []
        for code in codes:
            value, method = reported.get(code, {}).get(year, (None, None))
            rows.append(self.reported_row(code, value, method, targets.get(code)))
        return rows

    def reported_row(self, code: str, value: float | None, method: str | None, target: float | None) -> dict:
        return {"code": code, "name": self.survey_names.get(code, code), "unit": REPORTED_UNIT, "value": value,
                "numerator": None, "denominator": None, "target": target, "status": status(value, target),
                "kind": "reported", "definition": {}, "lower_is_better": False, "reported": True, "method": method,
                "applicable": True}

    def series(self, scope: Scope, code: str, from_year: int, to_year: int, today: date,
               chosen: dict[str, str] | None = None) -> list[dict]:
        """The value of ``code`` for each year (as of 31 December; today for this year) with its target."""
        targets = self.engine.plans.target_years(scope.id).get(code, {}) if scope.kind == "municipality" else {}
        baselines = self.engine.plans.baselines_of(scope.id).get(code, {}) if scope.kind == "municipality" else {}
        indicator = BY_CODE.get(code)
        reported = self.engine.plans.reported_values(scope.id).get(code, {}) if scope.kind == "municipality" else {}
        points = []
        for year in range(from_year, to_year + 1):
            as_of = year_end(year, today)
            target = targets.get(year)
            point = {"value": None, "numerator": None, "denominator": None, "definition": {},
                     "status": status(None, target)}
            if year <= today.year and indicator is not None:
                numbers = self.engine.numbers(scope, as_of, indicator, self.engine.variant(indicator, scope, as_of,
                                                                                            chosen))
                point = self.row(numbers, target, scope)
            elif year <= today.year and year in reported:
                point = self.reported_row(code, reported[year][0], reported[year][1], target)
            points.append({"year": year, "as_of": as_of.isoformat(), "value": point["value"],
                           "numerator": point["numerator"], "denominator": point["denominator"],
                           "target": target, "baseline": baselines.get(year), "status": point["status"],
                           "definition": point["definition"]})
        return points

    def definition(self, code: str) -> dict | None:
        """Name, unit and kind of a computed or a reported indicator; None when nothing knows the code."""
        indicator: Indicator | None = BY_CODE.get(code)
        if indicator is not None:
            return {"code": code, "name": indicator.name, "unit": indicator.unit, "kind": "computed",
                    "lower_is_better": indicator.lower_is_better, "reported": False}
        if code in self.engine.plans.known_codes() or code in self.survey_names:
            return {"code": code, "name": self.survey_names.get(code, code), "unit": REPORTED_UNIT,
                    "kind": "reported", "lower_is_better": False, "reported": True}
        return None

    def placement(self, scope: Scope) -> dict[str, str | None]:
        """org_id / municipality_id / region_id of a scope, as far as the registered organisations say."""
        orgs = self.engine.world.orgs
        if scope.kind == "organization":
            org = orgs.by_id.get(scope.id)
            return {"org_id": scope.id, "municipality_id": org.municipality_id if org else None,
                    "region_id": org.region_id if org else None}
        if scope.kind == "municipality":
            regions = orgs.regions_of(scope.id)
            return {"org_id": None, "municipality_id": scope.id,
                    "region_id": next(iter(regions)) if len(regions) == 1 else None}
        return {"org_id": None, "municipality_id": None, "region_id": scope.id}

    def names(self) -> dict[str, str]:
        """Display names of organisations, municipalities and regions, keyed by scope string."""
        names = {}
        for org in list(self.engine.world.orgs.by_id.values()):
            names[f"organization:{org.org_id}"] = org.name
            names[f"municipality:{org.municipality_id}"] = org.municipality_name
            names[f"region:{org.region_id}"] = org.region_name
        return names

    def organizations(self) -> list[dict]:
        """The registered organisations as organization_registered states them (for the scope pickers)."""
        return [{"org_id": o.org_id, "name": o.name, "kind": o.kind, "municipality_id": o.municipality_id,
                 "municipality_name": o.municipality_name, "region_id": o.region_id, "region_name": o.region_name}
                for o in list(self.engine.world.orgs.by_id.values())]

    def project_names(self) -> dict[str, str]:
        """Project id → the name project_enrolled gives it (the report names a project cohort by it)."""
        return dict(self.engine.world.project_names)

    def scopes(self, kind: str) -> list[str]:
        """The ids of every known municipality or region."""
        orgs = list(self.engine.world.orgs.by_id.values())
        return sorted({o.municipality_id if kind == "municipality" else o.region_id for o in orgs})
