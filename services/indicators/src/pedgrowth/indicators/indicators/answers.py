"""Indicator values as the API and the report give them: numbers with the plan's targets and status.

Answers are computed from the facts under ``facts.lock`` (the projection takes it to change
them) and cached per (scope, as-of date). A cached answer is served while the facts are
unchanged, or for ``max_age`` seconds after they changed (up to four times that while a newer
one is being computed); ``warm`` recomputes the answers asked for recently, so readers keep
hitting the cache while events stream in.
"""

from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date

from ..definitions import BY_CODE, INDICATORS, status
from .columns import evaluate_best
from .compute import Outcome, Scope
from .facts import Facts

REPORTED_UNIT = "share"
HOT_SECONDS = 120.0
HOT_KEYS = 16
STALE_FACTOR = 4


def year_end(year: int, today: date) -> date:
    """The as-of date of a calendar year's value: 31 December, or today for the current year."""
    return today if year == today.year else date(year, 12, 31)


@dataclass
class Snapshot:
    """Everything known about a scope on a day: each indicator's members and its answer row."""

    rows: list[dict]
    outcomes: dict[str, Outcome]
    _body: bytes | None = None

    def row(self, code: str) -> dict | None:
        return next((r for r in self.rows if r["code"] == code), None)

    def body(self, scope: Scope, d: date) -> bytes:
        """The JSON of GET /api/v1/indicators for this answer, encoded once."""
        if self._body is None:
            self._body = json.dumps({"scope": str(scope), "as_of": d.isoformat(), "indicators": self.rows},
                                    ensure_ascii=False, separators=(",", ":")).encode()
        return self._body


class Answers:
    """Computes and caches indicator answers over one Facts index."""

    def __init__(self, facts: Facts, max_age: float = 0.0, size: int = 1024, survey_names: dict | None = None):
        self.facts = facts
        self.max_age = max_age
        self.size = size
        self.survey_names = survey_names or {}
        self._cache: OrderedDict[tuple[str, date], tuple[int, float, Snapshot]] = OrderedDict()
        self._asked: OrderedDict[tuple[str, date], float] = OrderedDict()
        self._guard = threading.Lock()  # guards the two dicts above
        self._placements: dict[tuple[str, int], dict] = {}
        self._computing: dict[tuple[str, date], int] = {}

    def snapshot(self, scope: Scope, d: date, track: bool = True) -> Snapshot:
        """The scope's answers on D, from the cache when fresh enough; ``track`` marks it as asked (kept warm)."""
        return self.cached(scope, d, track) or self._compute(scope, d)

    def cached(self, scope: Scope, d: date, track: bool = True) -> Snapshot | None:
        """The cached answer when it is fresh enough, else None; never waits for the facts' lock."""
        key = (str(scope), d)
        now = time.monotonic()
        with self._guard:
            if track:
                self._asked[key] = now
                self._asked.move_to_end(key)
                while len(self._asked) > HOT_KEYS:
                    self._asked.popitem(last=False)
            hit = self._cache.get(key)
            if hit is None:
                return None
            age = now - hit[1]
            # fresh: the facts are unchanged, or it is younger than max_age; while a newer answer is
            # being computed the previous one is served for up to STALE_FACTOR × max_age
            if hit[0] == self.facts.version or age < self.max_age or (
                    key in self._computing and age < STALE_FACTOR * self.max_age):
                self._cache.move_to_end(key)
                return hit[2]
        return None

    def placement(self, scope: Scope, wait: bool = True) -> dict[str, str | None] | None:
        """Where a scope lies (org, municipality, region); from a cache kept while organisations are unchanged.
        With ``wait=False`` None instead of waiting for the facts' lock."""
        key = (str(scope), self.facts.kind_versions.get("organization_registered", 0))
        found = self._placements.get(key)
        if found is None and wait:
            with self.facts.lock:
                found = self.facts.placement(scope.kind, scope.id)
            if len(self._placements) > 4096:
                self._placements = {}
            self._placements[key] = found
        return found

    def _compute(self, scope: Scope, d: date) -> Snapshot:
        key = (str(scope), d)
        with self._guard:
            self._computing[key] = self._computing.get(key, 0) + 1
        try:
            with self.facts.lock:
                hit = self._cache.get(key)
                if hit and hit[0] == self.facts.version:  # another thread computed it while we waited
                    return hit[2]
                version, started = self.facts.version, time.monotonic()
                outcomes = evaluate_best(self.facts, scope, d)
                targets = self.targets(scope, d.year)
                rows = [row(outcomes[definition.code], targets.get(definition.code), scope)
                        for definition in INDICATORS if definition.code in outcomes]
                rows += self.reported_rows(scope, d.year, targets)
        finally:
            with self._guard:
                self._computing[key] -= 1
                if not self._computing[key]:
                    del self._computing[key]
        snapshot = Snapshot(rows, outcomes)
        with self._guard:
            self._cache[key] = (version, started, snapshot)
            self._cache.move_to_end(key)
            while len(self._cache) > self.size:
                self._cache.popitem(last=False)
        return snapshot

    def warm(self) -> int:
        """Recompute the recently asked answers that the facts have outdated; how many were."""
        now = time.monotonic()
        with self._guard:
            stale = [key for key, asked in self._asked.items()
                     if now - asked < HOT_SECONDS and self._cache.get(key, (None,))[0] != self.facts.version]
        for scope, d in stale:
            self._compute(Scope.parse(scope), d)
        return len(stale)

    def indicators(self, scope: Scope, d: date, track: bool = True) -> list[dict]:
        """All 20 indicators at D, then the values reported for the year (municipality scope)."""
        return self.snapshot(scope, d, track).rows

    def outcomes(self, scope: Scope, d: date) -> dict[str, Outcome]:
        """Every indicator's members for the scope at D."""
        return self.snapshot(scope, d).outcomes

    def targets(self, scope: Scope, year: int) -> dict[str, float]:
        """Targets apply to the municipality whose plan set them."""
        return self.facts.targets(scope.id, year) if scope.kind == "municipality" else {}

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
        with self.facts.lock:
            targets = self.facts.target_years(scope.id).get(code, {}) if scope.kind == "municipality" else {}
        points = []
        for year in range(from_year, to_year + 1):
            as_of = year_end(year, today)
            target = targets.get(year)
            found = self.snapshot(scope, as_of).row(code) if year <= today.year else None
            point = found or {"value": None, "numerator": None, "denominator": None, "status": status(None, target)}
            points.append({"year": year, "as_of": as_of.isoformat(), "value": point["value"],
                           "numerator": point["numerator"], "denominator": point["denominator"],
                           "target": target, "status": point["status"]})
        return points

    def definition(self, code: str) -> dict | None:
        """Name and unit of a computed or a reported indicator; None when nothing knows the code."""
        definition = BY_CODE.get(code)
        if definition is not None:
            return {"code": code, "name": definition.name, "unit": definition.unit, "reported": False}
        with self.facts.lock:
            known = {indicator for (_, indicator, _) in self.facts.reported} | {
                indicator for (_, indicator, _) in self.facts.plan_targets}
        if code in known or code in self.survey_names:
            return {"code": code, "name": self.survey_names.get(code, code), "unit": REPORTED_UNIT, "reported": True}
        return None


def row(outcome: Outcome, target: float | None, scope: Scope) -> dict:
    """One indicator's answer: value, numerator, denominator, target and status."""
    definition = BY_CODE[outcome.code]
    applicable = definition.applies_to(scope.kind)
    value = outcome.value
    state = status(value, target, definition.lower_is_better) if applicable else "not_applicable"
    return {"code": outcome.code, "name": definition.name, "unit": definition.unit, "value": value,
            "numerator": outcome.numerator_count, "denominator": outcome.denominator_count,
            "target": target, "status": state, "reported": False, "method": None, "applicable": applicable}
