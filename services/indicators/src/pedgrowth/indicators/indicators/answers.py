"""Indicator values as the API and the report give them: numbers with the plan's targets and status."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from datetime import date

from .catalog import BY_CODE, INDICATORS, status
from .compute import Outcome, Scope, evaluate
from .facts import Facts

REPORTED_UNIT = "share"


def year_end(year: int, today: date) -> date:
    """The as-of date of a calendar year's value: 31 December, or today for the current year."""
    return today if year == today.year else date(year, 12, 31)


class Answers:
    """Computes indicator answers from the facts, caching each (scope, date) while the facts are unchanged.

    ``max_age`` lets an answer be reused for that many seconds even after new facts
    arrived, so a stream of writes does not make every read recompute (freshness stays within it).
    """

    def __init__(self, facts: Facts, max_age: float = 0.0, size: int = 512, survey_names: dict | None = None):
        self.facts = facts
        self.max_age = max_age
        self.size = size
        self.survey_names = survey_names or {}
        self._cache: OrderedDict[tuple[str, date], tuple[int, float, dict[str, Outcome]]] = OrderedDict()
        self._lock = threading.Lock()

    def outcomes(self, scope: Scope, d: date) -> dict[str, Outcome]:
        """Every indicator's members for the scope at D (cached)."""
        key = (str(scope), d)
        version, now = self.facts.version, time.monotonic()
        with self._lock:
            hit = self._cache.get(key)
            if hit and (hit[0] == version or now - hit[1] < self.max_age):
                self._cache.move_to_end(key)
                return hit[2]
        result = evaluate(self.facts, scope, d)
        with self._lock:
            self._cache[key] = (version, now, result)
            while len(self._cache) > self.size:
                self._cache.popitem(last=False)
        return result

    def targets(self, scope: Scope, year: int) -> dict[str, float]:
        """Targets apply to the municipality whose plan set them."""
        return self.facts.targets(scope.id, year) if scope.kind == "municipality" else {}

    def indicators(self, scope: Scope, d: date) -> list[dict]:
        """All 20 indicators at D, then the values reported for the year (municipality scope)."""
        outcomes = self.outcomes(scope, d)
        targets = self.targets(scope, d.year)
        rows = [row(outcomes[definition.code], targets.get(definition.code), scope) for definition in INDICATORS]
        return rows + self.reported_rows(scope, d.year, targets)

    def reported_rows(self, scope: Scope, year: int, targets: dict[str, float]) -> list[dict]:
        """Survey indicators: the reported value (marked as reported) or their target with no value yet."""
        if scope.kind != "municipality":
            return []
        reported = self.facts.reported_values(scope.id)
        codes = sorted((set(reported) | set(targets)) - set(BY_CODE))
        rows = []
        for code in codes:
            value, method = reported.get(code, {}).get(year, (None, None))
            rows.append(self.reported_row(code, value, method, targets.get(code)))
        return rows

    def reported_row(self, code: str, value: float | None, method: str | None, target: float | None) -> dict:
        return {"code": code, "name": self.survey_names.get(code, code), "unit": REPORTED_UNIT, "value": value,
                "numerator": None, "denominator": None, "target": target, "status": status(value, target),
                "reported": True, "method": method, "applicable": True}

    def series(self, scope: Scope, code: str, from_year: int, to_year: int, today: date) -> list[dict]:
        """The value of ``code`` for each year (as of 31 December; today for this year) with its target."""
        targets = self.facts.target_years(scope.id).get(code, {}) if scope.kind == "municipality" else {}
        if code not in BY_CODE:
            reported = self.facts.reported_values(scope.id).get(code, {}) if scope.kind == "municipality" else {}
        points = []
        for year in range(from_year, to_year + 1):
            target = targets.get(year)
            as_of = year_end(year, today)
            if code in BY_CODE:
                if year > today.year:
                    point = {"value": None, "numerator": None, "denominator": None,
                             "status": status(None, target)}
                else:
                    point = row(self.outcomes(scope, as_of)[code], target, scope)
            else:
                value, method = reported.get(year, (None, None))
                point = self.reported_row(code, value, method, target)
            points.append({"year": year, "as_of": as_of.isoformat(), "value": point["value"],
                           "numerator": point["numerator"], "denominator": point["denominator"],
                           "target": target, "status": point["status"]})
        return points

    def definition(self, code: str) -> dict | None:
        """Name and unit of a computed or a reported indicator; None when nothing knows the code."""
        definition = BY_CODE.get(code)
        if definition is not None:
            return {"code": code, "name": definition.name, "unit": definition.unit, "reported": False}
        known = {indicator for (_, indicator, _) in self.facts.reported} | {
            indicator for (_, indicator, _) in self.facts.plan_targets}
        if code in known or code in self.survey_names:
            return {"code": code, "name": self.survey_names.get(code, code), "unit": REPORTED_UNIT, "reported": True}
        return None


def row(outcome: Outcome, target: float | None, scope: Scope) -> dict:
    """One indicator's answer: value, numerator, denominator, target and status."""
    definition = BY_CODE[outcome.code]
    applicable = definition.organization_scope or scope.kind != "organization"
    value = outcome.value
    return {"code": outcome.code, "name": definition.name, "unit": definition.unit, "value": value,
            "numerator": outcome.numerator_count, "denominator": outcome.denominator_count,
            "target": target, "status": status(value, target, definition.lower_is_better) if applicable else "not_applicable",
            "reported": False, "method": None, "applicable": applicable}
