"""The dimensions of SPEC §4.2 a plan (or a request) chooses per indicator, and a chosen variant."""

from __future__ import annotations

import json
from dataclasses import dataclass, fields, replace
from datetime import date

WINDOWS = ("rolling_3y", "rolling_1y", "since_period_start", "calendar_year", "school_year")
POPULATIONS = ("pedagogical", "teachers", "school_teachers", "subject_teachers")
YOUNG = ("experience_under_3y", "age_under_35", "age_under_35_and_experience_under_3y")
SUPPORT = ("support_events", "any_support")
COMPETITION = ("competitions", "competitions_and_speaking")
COHORT = ("all_young",)
PROJECT = "project:"
"""``project:<project_id>``: a value of the support and cohort dimensions naming one project (mentoring's
project_enrolled); any project id may follow."""
BY_PROJECT = frozenset({"support", "cohort"})

DIMENSIONS: dict[str, tuple[str, ...]] = {
    "window": WINDOWS, "population": POPULATIONS, "young": YOUNG, "support": SUPPORT,
    "competition": COMPETITION, "cohort": COHORT,
}
"""Dimension name → its fixed values (support and cohort also take ``project:<id>``)."""


def allowed(name: str, value: str) -> bool:
    """Whether ``value`` is a value of the dimension: one of its fixed values, or ``project:<id>`` for those
    that name a project."""
    return value in DIMENSIONS[name] or (name in BY_PROJECT and value.startswith(PROJECT) and len(value) > len(PROJECT))


def project_of(value: str | None) -> str | None:
    """The project id a ``project:<id>`` value names (None for any other value)."""
    return value[len(PROJECT):] if value and value.startswith(PROJECT) else None


def values_text(name: str) -> str:
    return ", ".join(DIMENSIONS[name]) + (", project:<project_id>" if name in BY_PROJECT else "")

TEACHERS = frozenset({"teacher", "senior_teacher", "leading_teacher", "additional_education_teacher",
                      "preschool_teacher"})
"""Positions of the `teachers` population."""


class BadVariant(ValueError):
    """A dimension value that is unknown, or that does not apply to the indicator."""

    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True, slots=True)
class Variant:
    """One indicator's chosen value on each dimension that applies to it (None: does not apply)."""

    window: str | None = None
    population: str | None = None
    young: str | None = None
    support: str | None = None
    competition: str | None = None
    cohort: str | None = None
    period_start: date | None = None  # the plan's period start, for window = since_period_start

    def as_dict(self) -> dict[str, str]:
        """The `definition` object of an answer: each applying dimension's value (and the period start)."""
        out = {f.name: getattr(self, f.name) for f in fields(self)
               if f.name != "period_start" and getattr(self, f.name) is not None}
        if self.window == "since_period_start" and self.period_start is not None:
            out["period_start"] = self.period_start.isoformat()
        return out

    def key(self) -> str:
        """The variant as canonical JSON (every field that is set): how a store names it."""
        out = {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None}
        if self.period_start is not None:
            out["period_start"] = self.period_start.isoformat()
        return json.dumps(out, sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_key(cls, key: str) -> Variant:
        found = json.loads(key)
        if "period_start" in found:
            found["period_start"] = date.fromisoformat(found["period_start"])
        return cls(**found)

    def choose(self, chosen: dict, period_start: date | None = None, where: str = "") -> Variant:
        """This variant with some dimensions chosen; BadVariant names the field of an unknown value."""
        changes: dict[str, object] = {}
        period_start = chosen.get("period_start") or period_start
        for name, value in chosen.items():
            if name == "period_start":
                continue
            if value is None or getattr(self, name, None) is None:
                continue  # not chosen, or the dimension does not apply to this indicator
            if not allowed(name, value):
                raise BadVariant(f"{name} {value!r} is not one of {values_text(name)}", f"{where}{name}")
            changes[name] = value
        if changes.get("window", self.window) == "since_period_start":
            start = period_start or self.period_start
            if start is None:
                raise BadVariant("window since_period_start needs a period start", f"{where}period_start")
            changes["period_start"] = start
        else:
            changes["period_start"] = None
        return replace(self, **changes)
