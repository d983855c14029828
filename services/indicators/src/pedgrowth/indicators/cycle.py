"""The yearly management cycle of a municipality as the API, the dashboard and the report show it (SPEC §5.1).

The command side's aggregates (``domain/cycle.py``, the plans) say what was done and when; the engine's
answers say which indicators are behind and what they were before and after. Each step has its deadline
(``domain.cycle.STEPS``) and a state: done (on or before the day asked about), overdue (not done and its
deadline passed), due otherwise; a step done after its deadline is done and ``late``.
"""

from __future__ import annotations

from datetime import date

from pedgrowth.contracts.scope import Scope

from .application import IndicatorsApplication
from .domain.cycle import deadline
from .domain.plan import measure_status
from .indicators.answers import Answers, year_end

STEP_NAMES = {
    "monitoring": "Мониторинг показателей за предыдущий год",
    "analysis": "Анализ и адресные рекомендации образовательным организациям",
    "review": "Анализ эффективности принятых мер",
    "decisions": "Меры и управленческие решения",
}
"""Russian names of the steps, for the dashboard and the report."""


def step(name: str, year: int, done_on: date | None, today: date, **details) -> dict:
    due = deadline(name, year)
    return {"step": name, "name": STEP_NAMES[name], "deadline": due,
            "done_on": done_on if done_on is not None and done_on <= today else None,
            "state": measure_status(due, done_on, today),
            "late": done_on is not None and done_on <= today and done_on > due, **details}


def behind_at(answers: Answers, municipality: str, day: date) -> list[dict]:
    """The indicators behind the plan's target on a day (the monitoring the analysis starts from)."""
    rows = answers.indicators(Scope("municipality", municipality), day)
    return [{"indicator": r["code"], "name": r["name"], "unit": r["unit"], "value": r["value"], "target": r["target"]}
            for r in rows if r["status"] == "behind"]


def value_at(answers: Answers, municipality: str, code: str, day: date) -> float | None:
    rows = answers.indicators(Scope("municipality", municipality), day)
    return next((r["value"] for r in rows if r["code"] == code), None)


def cycle_of(app: IndicatorsApplication, answers: Answers, municipality: str, year: int, today: date,
             org_id: str | None = None) -> dict:
    """The cycle of ``year`` as of ``today``; with ``org_id``, only the recommendations that school sees."""
    submission = app.submission(municipality, year - 1)
    recommendations = app.recommendations(municipality, year, org_id=org_id)
    everyone = recommendations if org_id is None else app.recommendations(municipality, year)
    monitored = year_end(year - 1, today)
    behind = behind_at(answers, municipality, monitored)
    covered = {code for r in everyone for code in r["indicators"]}
    for item in behind:
        item["recommended"] = item["indicator"] in covered
    names = answers.names()
    for r in recommendations:
        r["state"] = measure_status(r["due_on"], r["completed_on"], today)
        r["org_name"] = names.get(f"organization:{r['org_id']}", r["org_id"]) if r["org_id"] else None
    review = app.review(municipality, year)
    if review is not None:
        after = min(review["reviewed_on"], today)
        for finding in review["findings"]:
            finding["name"] = (answers.definition(finding["indicator"]) or {}).get("name", finding["indicator"])
            finding["value_before"] = value_at(answers, municipality, finding["indicator"], monitored)
            finding["value_after"] = value_at(answers, municipality, finding["indicator"], after)
    measures = measures_due(app, municipality, year, today)
    decisions = app.decisions(municipality, year)
    steps = [
        step("monitoring", year, submission.submitted_on if submission else None, today, reported_year=year - 1,
             sha256=submission.sha256 if submission else None),
        step("analysis", year, min((r["issued_on"] for r in everyone), default=None), today,
             recommendations=len(everyone), not_recommended=[b["indicator"] for b in behind if not b["recommended"]]),
        step("review", year, review["reviewed_on"] if review else None, today, review=review),
        step("decisions", year, decisions_done_on(measures, decisions), today, decisions=decisions,
             measures=measures),
    ]
    return {"municipality_id": municipality, "year": year, "as_of": today, "steps": steps, "behind": behind,
            "overdue": [s["step"] for s in steps if s["state"] == "overdue"],
            "recommendations": recommendations}


def measures_due(app: IndicatorsApplication, municipality: str, year: int, today: date) -> list[dict]:
    """The plans' measures due in the year, with their state as of today."""
    found = []
    for plan in app.plans_of(municipality):
        view = app.plan(plan.plan_id, today)
        found += [{"plan_id": plan.plan_id, **m} for m in view["measures"] if m["due_on"].year == year]
    return sorted(found, key=lambda m: (m["due_on"], m["plan_id"], m["measure_id"]))


def decisions_done_on(measures: list[dict], decisions: list[dict]) -> date | None:
    """Step 3 is done when every measure due in the year is done and at least one decision was recorded:
    on the last of those days."""
    if not decisions or any(m["completed_on"] is None for m in measures):
        return None
    return max([d["decided_on"] for d in decisions] + [m["completed_on"] for m in measures])


def compare(frozen: list[dict], answers: Answers, municipality: str, as_of: date) -> list[dict]:
    """The frozen report's values beside today's for the same as-of date: what late facts changed."""
    today = {r["code"]: r for r in answers.indicators(Scope("municipality", municipality), as_of)}
    rows = []
    for was in frozen:
        now = today.get(was["code"], {})
        value = now.get("value")
        difference = None if value is None or was["value"] is None else round(value - was["value"], 4)
        rows.append({"code": was["code"], "name": was["name"], "unit": was["unit"],
                     "submitted": {k: was[k] for k in ("value", "numerator", "denominator")},
                     "today": {k: now.get(k) for k in ("value", "numerator", "denominator")},
                     "difference": difference,
                     "changed": any(was[k] != now.get(k) for k in ("value", "numerator", "denominator"))})
    return rows
