"""Dead letters an operator acts on: listed in Russian by `pedgrowth dlq`, replayed once the cause is fixed."""

from __future__ import annotations

import asyncio
import json
import uuid

import pytest

from pedgrowth.contracts import REGISTRY_DLQ, REGISTRY_EVENTS, REGISTRY_INBOX
from pedgrowth.contracts.registry import EmploymentStarted, OrganizationRegistered
from pedgrowth.kit.auth import Role
from pedgrowth.registry.bootstrap import build
from pedgrowth.registry.config import RegistrySettings
from pedgrowth.runner.cli import main as cli_main
from tests.support.kafka import eventually, produce, read_topic, values
from tests.support.services import auth, cloud_event, served_http, settings_for, token

pytestmark = [pytest.mark.broker, pytest.mark.slow]
uvicorn = pytest.importorskip("uvicorn")


async def cli(capsys, *argv: str) -> tuple[int, str]:
    code = await asyncio.to_thread(cli_main, list(argv))
    return code, capsys.readouterr().out


async def test_a_letter_for_a_missing_organisation_is_replayed_after_it_is_registered_and_counted_once(
        kafka, tmp_path, capsys):
    import httpx

    tag = uuid.uuid4().hex[:6]
    org, person, mun = f"sch-{tag}", f"p-{tag}", f"mun-{tag}"
    hire = cloud_event(EmploymentStarted(person_id=person, org_id=org, position="teacher", started_on="2023-09-01",
                                         pedagogical_experience_since="2023-09-01"))
    registration = cloud_event(OrganizationRegistered(
        org_id=org, name="МБОУ СОШ №5", kind="school", municipality_id=mun, municipality_name="Котовск",
        region_id="reg-68", region_name="Тамбовская область"))
    settings = settings_for(RegistrySettings, kafka, tmp_path, waiting_max_age_seconds=0.5, waiting_sweep_seconds=0.2)
    async with served_http(build(settings)) as url:
        await produce(kafka[0], REGISTRY_INBOX, [json.dumps(hire).encode()])
        await read_topic(kafka[0], REGISTRY_DLQ, timeout=30, until=lambda rs: any(hire["id"].encode() in r.value
                                                                                  for r in rs))
        admin = ["--service", "registry", "--url", url, "--token", token()]
        code, listed = await cli(capsys, "dlq", "list", "--reason", "unresolved_reference", *admin)
        assert code == 0
        assert f"организация {org} не зарегистрирована" in listed and "ссылка не разрешилась" in listed
        assert f"organisation {org} is not registered" in listed

        async with httpx.AsyncClient(base_url=url) as client:
            letters = (await client.get("/api/v1/dead-letters", params={"org_id": org}, headers=auth())).json()
            (letter,) = letters["letters"]
            assert (letter["event_id"], letter["field"], letter["recorded"]) == (hire["id"], "data.org_id", False)
            assert json.loads(letter["payload"]) == hire
            school = await client.get("/api/v1/dead-letters", headers=auth(Role.SCHOOL_SYSTEM, org_id=org))
            assert school.status_code == 403

            await produce(kafka[0], REGISTRY_INBOX, [json.dumps(registration).encode()])
            await eventually(lambda: _org_known(client, org), timeout=30)
            operator = (await client.get("/api/v1/dead-letters", params={"org_id": org},
                                         headers=auth(Role.MUNICIPAL_OPERATOR, municipality_id=mun))).json()
            elsewhere = (await client.get("/api/v1/dead-letters", params={"org_id": org},
                                          headers=auth(Role.MUNICIPAL_OPERATOR, municipality_id="mun-other"))).json()
            assert [x["id"] for x in operator["letters"]] == [letter["id"]] and elsewhere["letters"] == []

            code, first = await cli(capsys, "dlq", "replay", letter["id"], *admin)
            assert code == 0 and f"{letter['id']}  учтено (accepted)" in first, "the letter named by its own id"
            code, second = await cli(capsys, "dlq", "replay", "--org", org, *admin)
            assert code == 0 and "уже учтено (duplicate)" in second
            again = (await client.get(f"/api/v1/dead-letters/{letter['id']}", headers=auth())).json()
            assert again["recorded"] is True
        published = await read_topic(kafka[0], REGISTRY_EVENTS, timeout=30,
                                     until=lambda rs: any(v["subject"] == person for v in values(rs)))
    hires = [v for v in values(published) if v["subject"] == person]
    assert [v["type"] for v in hires] == ["pedgrowth.registry.employment_started.v1"]


async def _org_known(client, org: str) -> bool:
    return (await client.get(f"/api/v1/organisations/{org}", headers=auth())).status_code == 200


def test_replay_without_a_selection_is_refused(capsys):
    assert cli_main(["dlq", "replay", "--service", "training", "--token", "t"]) == 2
    assert "--all" in capsys.readouterr().err
