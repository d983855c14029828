"""Read-side answers as plain data: the transcript, the provider report, expiring categories."""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Callable
from datetime import date

from .adapters.views import TrainingViews
from .domain.learner import Attestation, Learner, category_on


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, clamped to the month's last day (31 Aug + 6 → 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def transcript(learner: Learner, views: TrainingViews, as_of: date) -> dict:
    """A person's professional-development record, with which deficits later courses addressed."""
    return {
        "person_id": learner.person_id,
        "as_of": as_of,
        "courses": [course_entry(c, views) for c in sorted(learner.courses, key=lambda c: c.completed_on)],
        "total_hours": sum((views.programmes.get(c.program_id) or {}).get("hours", 0) for c in learner.courses),
        "diagnostics": diagnostics_entries(learner),
        "routes": [
            {"route_id": r.route_id, "started_on": r.started_on, "planned_until": r.planned_until,
             "completed_on": r.completed_on, "status": "completed" if r.completed_on else "active"}
            for r in sorted(learner.routes.values(), key=lambda r: r.started_on)
        ],
        "categories": categories_entries(learner.attestations, as_of),
        "current_category": category_entry(category_on(learner.attestations, as_of), as_of),
        "competitions": [
            vars(p) for p in sorted(learner.competitions.values(), key=lambda p: p.participated_on)
        ],
        "independent_assessments": [
            vars(a) for a in sorted(learner.assessments, key=lambda a: a.passed_on)
        ],
        "pd_requests": requests_of(views, learner.person_id, as_of),
    }


def requests_of(views: TrainingViews, person_id: str, as_of: date) -> list[dict]:
    """The person's PD requests submitted by ``as_of``, each met or not as of that day."""
    found = [views.requests[r] for r in views.requests_of.get(person_id, [])]
    return [{**r, "met_on": r["met_on"] if r["met_on"] and r["met_on"] <= as_of else None,
             "program_id": r["program_id"] if r["met_on"] and r["met_on"] <= as_of else None}
            for r in sorted(found, key=lambda r: (r["submitted_on"], r["request_id"])) if r["submitted_on"] <= as_of]


def pd_request_report(views: TrainingViews, in_scope: InScope, from_year: int | None, to_year: int | None,
                      as_of: date) -> list[dict]:
    """Requests for PD directions per year of submission and direction, and how many were met by ``as_of`` (seed 002
    item 4), counting the requests of people working in the scope on the day they asked."""
    rows: dict[tuple[int, str], dict] = {}
    for request in views.requests.values():
        submitted = request["submitted_on"]
        if submitted > as_of or (from_year and submitted.year < from_year) or (to_year and submitted.year > to_year):
            continue
        if not in_scope(request["person_id"], submitted):
            continue
        key = (submitted.year, request["direction"])
        row = rows.setdefault(key, {"year": key[0], "direction": key[1], "submitted": 0, "met": 0})
        row["submitted"] += 1
        row["met"] += bool(request["met_on"] and request["met_on"] <= as_of)
    return [{**rows[key], "met_share": round(rows[key]["met"] / rows[key]["submitted"], 4)} for key in sorted(rows)]


def course_entry(course, views: TrainingViews) -> dict:
    programme = views.programmes.get(course.program_id) or {}
    provider = views.providers.get(programme.get("provider_id")) or {}
    return {
        "program_id": course.program_id, "title": programme.get("title"), "kind": programme.get("kind"),
        "hours": programme.get("hours"), "format": programme.get("format"),
        "provider_id": programme.get("provider_id"), "provider_name": provider.get("name"),
        "completed_on": course.completed_on, "certificate_number": course.certificate_number,
        "addresses_deficits": list(course.addresses_deficits),
    }


def diagnostics_entries(learner: Learner) -> list[dict]:
    entries = []
    for diagnostics in sorted(learner.diagnostics.values(), key=lambda d: d.completed_on):
        deficits = []
        for deficit in diagnostics.deficits:
            courses = learner.addressed_by(diagnostics, deficit.code)
            deficits.append({
                "code": deficit.code, "area": deficit.area, "addressed": bool(courses),
                "addressed_by": [{"program_id": c.program_id, "completed_on": c.completed_on} for c in courses],
            })
        entries.append({"diagnostics_id": diagnostics.diagnostics_id, "completed_on": diagnostics.completed_on,
                        "deficits": deficits})
    return entries


def categories_entries(attestations: list[Attestation], as_of: date) -> list[dict]:
    current = category_on(attestations, as_of)
    return [dict(category_entry(a, as_of), current=a == current) for a in attestations]


def category_entry(attestation: Attestation | None, as_of: date) -> dict | None:
    if attestation is None:
        return None
    return {"category": attestation.category, "decided_on": attestation.decided_on,
            "valid_until": attestation.valid_until, "valid": attestation.holds_on(as_of),
            "days_left": (attestation.valid_until - as_of).days if attestation.holds_on(as_of) else None}


InScope = Callable[[str, date], bool]


def provider_report(views: TrainingViews, in_scope: InScope, from_year: int | None, to_year: int | None) -> list[dict]:
    """Completions per provider per year (учёт организаций ДПО), counting people in scope on the day."""
    rows: dict[tuple[int, str], dict] = {}
    persons: dict[tuple[int, str], set[str]] = defaultdict(set)
    for completion in views.completions:
        year = completion.completed_on.year
        if (from_year and year < from_year) or (to_year and year > to_year):
            continue
        if not in_scope(completion.person_id, completion.completed_on):
            continue
        programme = views.programmes[completion.program_id]
        key = (year, programme["provider_id"])
        row = rows.setdefault(key, new_report_row(views, *key))
        row["completions"] += 1
        row[programme["kind"]] += 1
        row["hours"] += programme["hours"]
        if programme["format"] in ("distance", "blended"):
            row["distance_or_blended"] += 1
        persons[key].add(completion.person_id)
    for key, row in rows.items():
        row["persons"] = len(persons[key])
    return [rows[key] for key in sorted(rows)]


def new_report_row(views: TrainingViews, year: int, provider_id: str) -> dict:
    provider = views.providers.get(provider_id) or {}
    return {"year": year, "provider_id": provider_id, "provider_name": provider.get("name"),
            "provider_kind": provider.get("kind"), "completions": 0, "persons": 0, "advanced_training": 0,
            "retraining": 0, "distance_or_blended": 0, "hours": 0}


def expiring_categories(views: TrainingViews, in_scope: InScope, as_of: date, months: int,
                        category: str | None = None) -> list[dict]:
    """People in scope whose current category ends within ``months`` after ``as_of`` (plan attestation)."""
    horizon = add_months(as_of, months)
    found = []
    for person_id, decisions in views.attestations.items():
        current = category_on(decisions, as_of)
        if current is None or current.valid_until > horizon or (category and current.category != category):
            continue
        if not in_scope(person_id, as_of):
            continue
        found.append({"person_id": person_id, "category": current.category, "decided_on": current.decided_on,
                      "valid_until": current.valid_until, "days_left": (current.valid_until - as_of).days})
    return sorted(found, key=lambda f: (f["valid_until"], f["person_id"]))
