"""The mentor, mentee, curator and project-participant bases, histories and lists, as plain data."""

from __future__ import annotations

from datetime import date

from .adapters.directory import Directory, Scope
from .domain.intervals import active_on
from .readmodel import ReadModel, pair_active


def mentor_summary(rm: ReadModel, mentor_id: str) -> dict:
    mentor = rm.mentors.get(mentor_id, {})
    return {"mentor_id": mentor_id, "mentor_person_id": mentor.get("person_id"),
            "mentor_external_organization": mentor.get("external_organization")}


def pair_row(rm: ReadModel, pair: dict) -> dict:
    return {"pair_id": pair["pair_id"], **mentor_summary(rm, pair["mentor_id"]),
            "mentee_person_id": pair["mentee_person_id"], "form": pair["form"], "started_on": pair["started_on"],
            "program": pair["program"], "ended_on": pair["ended_on"], "outcome": pair["outcome"]}


def mentee_base(rm: ReadModel, directory: Directory, scope: Scope, day: date) -> list[dict]:
    """Staff in scope on ``day`` who are young teachers or mentees, each with current and past pairs."""
    rows = []
    for person_id, orgs in sorted(directory.staff(scope, day).items()):
        pairs = [p for p in rm.pairs_of_mentee(person_id) if p["started_on"] <= day]
        young = directory.is_young(person_id, day)
        if not young and not pairs:
            continue
        rows.append({
            "person_id": person_id, "organizations": orgs, "organization_names": directory.org_names(orgs),
            "experience_since": directory.experience_since(person_id), "young": young,
            "current_pairs": [pair_row(rm, p) for p in pairs if pair_active(p, day)],
            "past_pairs": [pair_row(rm, p) for p in pairs if not pair_active(p, day)],
        })
    return rows


def mentor_base(rm: ReadModel, directory: Directory, scope: Scope, day: date) -> list[dict]:
    """Mentors working in scope on ``day``, and any mentor leading a mentee who works there."""
    staff = directory.staff(scope, day)
    rows = []
    for mentor in sorted(rm.mentors.values(), key=lambda m: m["mentor_id"]):
        if mentor["registered_on"] > day:
            continue
        pairs = [p for p in rm.pairs_of_mentor(mentor["mentor_id"]) if p["started_on"] <= day]
        active = [p for p in pairs if pair_active(p, day)]
        works_here = mentor["person_id"] in staff
        if not works_here and not any(p["mentee_person_id"] in staff for p in active):
            continue
        workplaces = directory.workplaces(mentor["person_id"], day) if mentor["person_id"] else []
        rows.append({
            "mentor_id": mentor["mentor_id"], "person_id": mentor["person_id"],
            "external_organization": mentor["external_organization"], "registered_on": mentor["registered_on"],
            "organizations": workplaces, "organization_names": directory.org_names(workplaces),
            "active_mentees": len({p["mentee_person_id"] for p in active}),
            "active_pairs": [pair_row(rm, p) for p in active],
            "past_pairs": [pair_row(rm, p) for p in pairs if not pair_active(p, day)],
            "pairs_total": len(pairs), "pairs_completed": sum(p["outcome"] == "completed" for p in pairs),
        })
    return rows


def curator_base(rm: ReadModel, directory: Directory, scope: Scope, day: date) -> list[dict]:
    """Every organisation of the scope with its mentoring curator on ``day`` (None when none is appointed) and the
    curators before."""
    orgs = sorted({o for o in (*directory.orgs, *rm.curators) if directory.org_in(o, scope)})
    rows = []
    for org_id in orgs:
        terms = sorted((t for t in rm.curators.get(org_id, []) if t["from"] <= day), key=since)
        current = next((t for t in terms if active_on(t["from"], t["to"], day)), None)
        person_id = current["person_id"] if current else None
        rows.append({
            "org_id": org_id, "organization_name": directory.org_names([org_id]),
            "curator_person_id": person_id, "appointed_on": current["from"] if current else None,
            "curator_works_here": person_id is not None and org_id in directory.workplaces(person_id, day),
            "past_curators": [spell_row(t) for t in terms if t is not current],
        })
    return rows


def project_participants(rm: ReadModel, directory: Directory, scope: Scope, day: date,
                         project_id: str | None = None) -> list[dict]:
    """Participations in municipal projects begun by ``day`` of staff working in the scope that day, with the state
    on that day: taking part, or left (completed or withdrawn)."""
    staff = directory.staff(scope, day)
    rows = []
    for key in sorted(rm.participants):
        if project_id is not None and key != project_id:
            continue
        for spell in sorted(rm.participants[key], key=lambda s: (s["from"], s["person_id"])):
            person_id = spell["person_id"]
            if spell["from"] > day or person_id not in staff:
                continue
            left = spell["to"] is not None and spell["to"] <= day
            rows.append({
                "person_id": person_id, "organizations": staff[person_id],
                "organization_names": directory.org_names(staff[person_id]),
                "young": directory.is_young(person_id, day), "project_id": key,
                "project_name": rm.projects[key]["project_name"], "enrolled_on": spell["from"],
                "left_on": spell["to"] if left else None, "outcome": spell["outcome"] if left else None,
                "active": not left,
            })
    return rows


def person_history(rm: ReadModel, person_id: str) -> dict:
    """Everything mentoring recorded about one person, oldest first."""
    as_mentor = [{**m, "pairs": [pair_row(rm, p) for p in rm.pairs_of_mentor(m["mentor_id"])]}
                 for m in rm.mentors_of_person(person_id)]
    memberships = sorted(({**rm.communities[m["community_id"]], "joined_on": m["joined_on"], "left_on": m["left_on"]}
                          for m in rm.memberships_of(person_id)), key=lambda m: m["joined_on"])
    attended = sorted(({**rm.support_events[a["event_id"]], "attended_on": a["attended_on"], "role": a["role"]}
                       for a in rm.attendances if a["person_id"] == person_id), key=lambda a: a["attended_on"])
    return {"person_id": person_id, "as_mentee": [pair_row(rm, p) for p in rm.pairs_of_mentee(person_id)],
            "as_mentor": as_mentor, "communities": memberships, "support_events": attended,
            "expert_roles": [spell_row(s) for s in sorted(rm.expert_roles.get(person_id, []), key=since)],
            "methodical_asset": [spell_row(s) for spells in rm.asset.values() for s in sorted(spells, key=since)
                                 if s["person_id"] == person_id],
            "projects": [spell_row({**rm.projects[s["project_id"]], **s}) for spells in rm.participants.values()
                         for s in sorted(spells, key=since) if s["person_id"] == person_id],
            "curator_of": [spell_row(t) for terms in rm.curators.values() for t in sorted(terms, key=since)
                           if t["person_id"] == person_id]}


def since(spell: dict) -> date:
    return spell["from"]


def spell_row(spell: dict) -> dict:
    """A spell as the API shows it: ``started_on`` / ``ended_on`` for its ``from`` / ``to``."""
    row = {k: v for k, v in spell.items() if k not in ("from", "to")}
    return {**row, "started_on": spell["from"], "ended_on": spell["to"]}


def community(rm: ReadModel, community_id: str, day: date) -> dict | None:
    """A community with its members on ``day``."""
    if community_id not in rm.communities:
        return None
    members = sorted(({"person_id": m["person_id"], "joined_on": m["joined_on"], "left_on": m["left_on"]}
                      for m in rm.members(community_id, day)), key=lambda m: m["person_id"])
    return {**rm.communities[community_id], "as_of": day, "members": members}


def support_event(rm: ReadModel, event_id: str) -> dict | None:
    """A support event with its attendance list."""
    if event_id not in rm.support_events:
        return None
    attendees = [{"person_id": a["person_id"], "attended_on": a["attended_on"], "role": a["role"]}
                 for a in rm.attendance(event_id)]
    return {**rm.support_events[event_id], "attendees": attendees}
