"""The demo's synthetic ФИО: stable per person, Russian, loaded through the registry's own staff import."""

from __future__ import annotations

from datetime import date

import httpx

from pedgrowth.contracts.registry import EmploymentStarted, OrganizationRegistered
from pedgrowth.registry.bootstrap import build
from pedgrowth.registry.config import RegistrySettings
from pedgrowth.runner.demo_names import full_name, staff_list
from tests.support.services import SECRET, auth, cloud_event


def test_a_person_always_gets_the_same_russian_name():
    names = {full_name(f"demo-p{n:04d}") for n in range(1, 400)}
    assert full_name("demo-p0001") == full_name("demo-p0001") and len(names) > 300
    assert all(len(name.split()) == 3 and name.replace(" ", "").isalpha() for name in names)


async def test_the_named_list_read_back_from_the_registry_records_the_names_and_nothing_else(tmp_path):
    app = build(RegistrySettings(data_dir=tmp_path, token_secret=SECRET))
    school = OrganizationRegistered(org_id="demo-sch-01", name="Школа № 1", kind="school", municipality_id="m",
                                    municipality_name="М", region_id="r", region_name="Р")
    hire = EmploymentStarted(person_id="demo-p0001", org_id="demo-sch-01", position="deputy_director",
                             started_on=date(2015, 9, 1), pedagogical_experience_since=date(2010, 9, 1),
                             birth_date=date(1985, 3, 1), subjects=["история"])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test",
                                 headers=auth()) as client:
        for data in (school, hire):
            assert (await client.post("/api/v1/events", json=cloud_event(data, source="/demo"))).status_code == 202
        staff = (await client.get("/api/v1/organisations/demo-sch-01/staff")).json()["staff"]
        answer = await client.post("/api/v1/organisations/demo-sch-01/staff/import",
                                   files={"file": ("staff.csv", staff_list(staff), "text/csv")})
        assert answer.status_code == 200, answer.text
        (row,) = answer.json()["rows"]
        assert row.get("recorded") == ["personal_details"] and not row.get("notes"), row
        named = (await client.get("/api/v1/organisations/demo-sch-01/staff")).json()["staff"]
    assert named[0]["full_name"] == full_name("demo-p0001") and named[0]["position"] == "deputy_director"
