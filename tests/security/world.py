"""A small world for the scope tests: two regions, the staff the registry knows, and each service over it.

reg-1 / mun-1: sch-1 (p-1, since 2015), sch-2 (p-2); reg-1 / mun-2: sch-3 (p-3);
reg-9 / mun-9: sch-9 (p-9). p-gone worked at sch-1 from 2015 until 2024-01-01.
Training and mentoring are given the same registry facts `registry.events` would carry;
the registry records them itself. In-memory stores, no broker (the lifespan is not started).
"""

from __future__ import annotations

import contextlib
import uuid

import httpx

from pedgrowth.contracts import Fact, new_event
from pedgrowth.contracts import registry as r
from pedgrowth.kit.auth import Role
from tests.support.services import SECRET, auth, cloud_event

POPO = {"PERSISTENCE_MODULE": "eventsourcing.popo"}
PLACES = {"sch-1": ("mun-1", "reg-1"), "sch-2": ("mun-1", "reg-1"), "sch-3": ("mun-2", "reg-1"),
          "sch-9": ("mun-9", "reg-9")}

ADMIN = auth()
SCHOOL_1 = auth(Role.SCHOOL_SYSTEM, org_id="sch-1")
SCHOOL_2 = auth(Role.SCHOOL_SYSTEM, org_id="sch-2")
SCHOOL_9 = auth(Role.SCHOOL_SYSTEM, org_id="sch-9")
OPERATOR_1 = auth(Role.MUNICIPAL_OPERATOR, municipality_id="mun-1")
OPERATOR_9 = auth(Role.MUNICIPAL_OPERATOR, municipality_id="mun-9")
ANALYST_1 = auth(Role.REGIONAL_ANALYST, region_id="reg-1")


def org(org_id: str) -> r.OrganizationRegistered:
    municipality, region = PLACES[org_id]
    return r.OrganizationRegistered(org_id=org_id, name=f"Школа {org_id}", kind="school", municipality_id=municipality,
                                    municipality_name=f"М {municipality}", region_id=region,
                                    region_name=f"Р {region}")


def hire(person_id: str, org_id: str, on: str = "2015-09-01", position: str = "teacher") -> r.EmploymentStarted:
    return r.EmploymentStarted(person_id=person_id, org_id=org_id, position=position, started_on=on,
                               pedagogical_experience_since="2015-09-01")


def end(person_id: str, org_id: str, on: str) -> r.EmploymentEnded:
    return r.EmploymentEnded(person_id=person_id, org_id=org_id, ended_on=on, reason="resignation")


REGISTRY = [*(org(o) for o in PLACES), hire("p-1", "sch-1"), hire("p-2", "sch-2"), hire("p-3", "sch-3"),
            hire("p-9", "sch-9"), hire("p-gone", "sch-1"), end("p-gone", "sch-1", "2024-01-01")]


def registry_fact(data) -> Fact:
    return Fact(envelope=new_event(data, source="/pedgrowth/registry", id=str(uuid.uuid4())), data=data)


def client_of(app) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


@contextlib.asynccontextmanager
async def training(tmp_path):
    """The training service knowing the world, with provider prov-1 and programme prog-1."""
    from pedgrowth.training.application import TrainingApplication
    from pedgrowth.training.bootstrap import build
    from pedgrowth.training.config import TrainingSettings
    from tests.training.facts import with_catalogue

    app = with_catalogue(TrainingApplication(env=POPO))
    for data in REGISTRY:
        app.workplaces.apply(data)
    api = build(TrainingSettings(data_dir=tmp_path, token_secret=SECRET, follow_registry=False), application=app)
    async with client_of(api) as client:
        client.world = app.workplaces
        yield client


@contextlib.asynccontextmanager
async def mentoring(tmp_path):
    """The mentoring service knowing the world."""
    from pedgrowth.mentoring.adapters.directory import Directory
    from pedgrowth.mentoring.application import MentoringApplication
    from pedgrowth.mentoring.bootstrap import build
    from pedgrowth.mentoring.config import MentoringSettings

    directory = Directory()
    for data in REGISTRY:
        directory.apply(registry_fact(data))
    app = MentoringApplication(env=POPO)
    api = build(MentoringSettings(data_dir=tmp_path, token_secret=SECRET), application=app, directory=directory)
    async with client_of(api) as client:
        client.world = directory
        yield client


@contextlib.asynccontextmanager
async def registry(tmp_path):
    """The registry service holding the world (p-1's name and contacts recorded)."""
    from pedgrowth.registry.application import RegistryApplication
    from pedgrowth.registry.bootstrap import build
    from pedgrowth.registry.config import RegistrySettings

    app = RegistryApplication(env=POPO)
    for data in REGISTRY:
        outcome = app.record(registry_fact(data))
        assert outcome.value == "accepted", (data, outcome)
    for person_id in ("p-1", "p-2", "p-3", "p-9", "p-gone"):
        app.record_details(person_id, f"Педагог {person_id}", "+7 900 000-00-00", f"{person_id}@example.org")
    api = build(RegistrySettings(data_dir=tmp_path, token_secret=SECRET), application=app)
    async with client_of(api) as client:
        yield client


async def post(client: httpx.AsyncClient, data, headers) -> httpx.Response:
    """One CloudEvent over POST /api/v1/events."""
    return await client.post("/api/v1/events", json=cloud_event(data), headers=headers)


def feed(client: httpx.AsyncClient, *facts) -> None:
    """More registry facts, as `registry.events` would bring them to training or mentoring."""
    for data in facts:
        if hasattr(client.world, "seen"):  # mentoring's directory dedupes by CloudEvent id
            client.world.apply(registry_fact(data))
        else:
            client.world.apply(data)
