"""Building and recording mentoring facts on in-memory persistence."""

from __future__ import annotations

import uuid
from datetime import date

from pedgrowth.contracts import Fact, new_event
from pedgrowth.contracts import mentoring as m
from pedgrowth.kit.recording import Outcome
from pedgrowth.mentoring.application import MentoringApplication


def new_app(**env: str) -> MentoringApplication:
    return MentoringApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo", **env})


def record(app: MentoringApplication, data, event_id: str | None = None) -> Outcome:
    envelope = new_event(data, source="/test/mentoring", id=event_id or str(uuid.uuid4()))
    return app.record(Fact(envelope=envelope, data=data))


def mentor(mentor_id="m-1", person_id: str | None = "p-2", external_organization=None, on="2021-09-01"):
    return m.MentorRegistered(mentor_id=mentor_id, person_id=person_id,
                              external_organization=external_organization, registered_on=on)


def pair(pair_id="pair-1", mentor_id="m-1", mentee="p-1", form="teacher_teacher", on="2022-09-01", program=None):
    return m.PairAssigned(pair_id=pair_id, mentor_id=mentor_id, mentee_person_id=mentee, form=form,
                          started_on=on, program=program)


def pair_end(pair_id="pair-1", on="2023-06-30", outcome="completed"):
    return m.PairEnded(pair_id=pair_id, ended_on=on, outcome=outcome)


def joined(person="p-1", community="mo-1", on="2022-09-01"):
    return m.CommunityJoined(person_id=person, community_id=community, community_name="ГМО учителей математики",
                             kind="methodical_association", level="municipal", joined_on=on)


def left(person="p-1", community="mo-1", on="2023-06-30"):
    return m.CommunityLeft(person_id=person, community_id=community, left_on=on)


def attended(person="p-1", event="ev-1", on="2023-03-01"):
    return m.SupportEventAttended(person_id=person, event_id=event, event_name="Школа молодого педагога",
                                  kind="young_teacher_school", attended_on=on)


def expert(person="p-2", role_id="role-1", role="attestation_commission", level="municipal", on="2023-01-10"):
    return m.ExpertRoleStarted(person_id=person, role_id=role_id, role=role, level=level, started_on=on)


def expert_end(person="p-2", role_id="role-1", on="2023-12-31"):
    return m.ExpertRoleEnded(person_id=person, role_id=role_id, ended_on=on)


def asset_in(person="p-2", municipality="mun-1", on="2022-09-01", role=None):
    return m.AssetJoined(person_id=person, municipality_id=municipality, joined_on=on, role=role)


def asset_out(person="p-2", municipality="mun-1", on="2024-08-31"):
    return m.AssetLeft(person_id=person, municipality_id=municipality, left_on=on)


def enrolled(person="p-1", project="proj-1", on="2023-09-15", name="Стартуем вместе"):
    return m.ProjectEnrolled(person_id=person, project_id=project, project_name=name, enrolled_on=on)


def unenrolled(person="p-1", project="proj-1", on="2024-06-30", outcome="completed"):
    return m.ProjectLeft(person_id=person, project_id=project, left_on=on, outcome=outcome)


def appointed(org_id="sch-1", person="p-2", on="2021-09-01"):
    return m.CuratorAppointed(org_id=org_id, person_id=person, appointed_on=on)


def released(org_id="sch-1", person="p-2", on="2024-08-31"):
    return m.CuratorReleased(org_id=org_id, person_id=person, released_on=on)


def day(text: str) -> date:
    return date.fromisoformat(text)


# registry facts, as the registry publishes them on registry.events

from pedgrowth.contracts import registry as r  # noqa: E402
from pedgrowth.mentoring.adapters.directory import Directory  # noqa: E402


def registry_fact(data, event_id: str | None = None) -> Fact:
    return Fact(envelope=new_event(data, source="/pedgrowth/registry", id=event_id or str(uuid.uuid4())), data=data)


def org(org_id="sch-1", municipality="mun-1", region="reg-1", name="МБОУ СОШ № 1"):
    return r.OrganizationRegistered(org_id=org_id, name=name, kind="school", municipality_id=municipality,
                                    municipality_name="г. Мичуринск", region_id=region, region_name="Тамбовская обл.")


def hired(person="p-1", org_id="sch-1", on="2021-09-01", since=None, position="teacher"):
    return r.EmploymentStarted(person_id=person, org_id=org_id, position=position, started_on=on,
                               pedagogical_experience_since=since or on)


def fired(person="p-1", org_id="sch-1", on="2023-06-30"):
    return r.EmploymentEnded(person_id=person, org_id=org_id, ended_on=on, reason="resignation")


def directory_with(*facts) -> Directory:
    directory = Directory()
    for data in facts:
        directory.apply(registry_fact(data))
    return directory


def small_town() -> Directory:
    """mun-1: sch-1 with young p-1 and p-3, experienced mentor p-2; sch-2 with young p-5; mun-2: sch-9 with p-9."""
    return directory_with(
        org("sch-1"), org("sch-2", name="МБОУ СОШ № 2"), org("sch-9", municipality="mun-2", name="Школа № 9"),
        hired("p-1", "sch-1", on="2023-09-01"), hired("p-3", "sch-1", on="2024-09-01"),
        hired("p-2", "sch-1", on="2001-09-01"), hired("p-5", "sch-2", on="2024-09-01"),
        hired("p-9", "sch-9", on="2024-09-01"),
    )
