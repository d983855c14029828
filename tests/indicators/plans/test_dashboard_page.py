"""The dashboard page and the scope list its pickers use."""

from __future__ import annotations

import re

import httpx
import pytest

from pedgrowth.contracts.scope import Scope
from pedgrowth.indicators.access import Access
from pedgrowth.indicators.bootstrap import build
from pedgrowth.indicators.config import IndicatorsSettings
from pedgrowth.indicators.domain.plan import COMPUTED_INDICATORS, SURVEY_NAMES
from pedgrowth.indicators.entrypoints.dashboard import STATIC, scope_tree
from pedgrowth.indicators.entrypoints.pages import TEMPLATES
from pedgrowth.kit.auth import Principal, Role
from pedgrowth.runner.plans import load_plan, seed_files
from tests.support.services import SECRET


def org(org_id: str, municipality: str, region: str) -> dict:
    return {"org_id": org_id, "name": f"Школа {org_id}", "kind": "school", "municipality_id": municipality,
            "municipality_name": municipality.title(), "region_id": region, "region_name": region.title()}


ORGS = [org("s2", "michurinsk", "tambov"), org("s1", "michurinsk", "tambov"), org("k1", "kemerovo", "kuzbass")]


def looked_up(scope: Scope) -> dict:
    raise AssertionError(f"the scope tree looked {scope} up: it asks Access with the places its rows state")


def tree_of(orgs: list[dict], principal: Principal) -> list[dict]:
    """The scope tree as the route builds it, with the service's access rules."""
    return scope_tree(orgs, principal, Access(app=None, placement=looked_up))


@pytest.fixture
async def client(tmp_path):
    app = build(IndicatorsSettings(data_dir=tmp_path, token_secret=SECRET))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http:
        yield http


async def test_the_sign_in_page_and_the_assets_are_served_without_a_token(client):
    page = await client.get("/login")
    assert page.status_code == 200 and "Вход" in page.text and 'id="logout"' not in page.text
    for name in ("dashboard.js", "dashboard.css", "htmx.min.js"):
        assert (await client.get(f"/static/{name}")).status_code == 200
    assert (await client.get("/static/../config.py")).status_code == 404


async def test_the_dashboard_without_a_session_sends_to_sign_in(client):
    page = await client.get("/")
    assert page.status_code == 303 and page.headers["location"] == "/login"


def test_the_page_loads_nothing_from_the_internet():
    text = "".join((STATIC / name).read_text(encoding="utf-8") for name in ("dashboard.js", "dashboard.css"))
    text += "".join(path.read_text(encoding="utf-8") for path in TEMPLATES.iterdir() if path.name.endswith(".html"))
    assert re.findall(r"(?:src|href|action)=\"(?:https?:)?//", text) == []
    assert re.findall(r"@import|fetch\(\"http", text) == []


async def test_the_scope_list_needs_a_token(client):
    assert (await client.get("/api/v1/scopes")).status_code == 401


def test_an_admin_sees_every_region_nested_and_sorted():
    tree = tree_of(ORGS, Principal("a", Role.ADMIN))
    assert [r["id"] for r in tree] == ["kuzbass", "tambov"]
    assert [o["id"] for o in tree[1]["municipalities"][0]["organizations"]] == ["s1", "s2"]


def test_a_municipal_operator_sees_only_their_municipality():
    tree = tree_of(ORGS, Principal("m", Role.MUNICIPAL_OPERATOR, municipality_id="kemerovo"))
    assert [(r["id"], [m["id"] for m in r["municipalities"]]) for r in tree] == [("kuzbass", ["kemerovo"])]


def test_a_school_system_sees_only_its_school():
    tree = tree_of(ORGS, Principal("s", Role.SCHOOL_SYSTEM, org_id="s2"))
    assert [o["id"] for o in tree[0]["municipalities"][0]["organizations"]] == ["s2"]


def test_every_survey_indicator_of_the_plans_has_a_russian_name():
    codes = {t.indicator for path in seed_files() for t in load_plan(path).event.targets}
    assert codes - set(COMPUTED_INDICATORS) == set(SURVEY_NAMES)


def test_readable_says_which_totals_the_caller_may_ask_for():
    school = tree_of(ORGS, Principal("s", Role.SCHOOL_SYSTEM, org_id="s2"))
    assert (school[0]["readable"], school[0]["municipalities"][0]["readable"]) == (False, False)
    operator = tree_of(ORGS, Principal("m", Role.MUNICIPAL_OPERATOR, municipality_id="michurinsk"))
    assert (operator[0]["readable"], operator[0]["municipalities"][0]["readable"]) == (False, True)
    analyst = tree_of(ORGS, Principal("r", Role.REGIONAL_ANALYST, region_id="tambov"))
    assert (analyst[0]["readable"], analyst[0]["municipalities"][0]["readable"]) == (True, True)


def test_organisations_are_sorted_by_the_numbers_in_their_names():
    orgs = [org(f"s{n}", "michurinsk", "tambov") | {"name": f"МБОУ СОШ № {n}"} for n in (10, 2, 1, 20, 19)]
    tree = tree_of(orgs, Principal("a", Role.ADMIN))
    names = [o["name"] for o in tree[0]["municipalities"][0]["organizations"]]
    assert names == ["МБОУ СОШ № 1", "МБОУ СОШ № 2", "МБОУ СОШ № 10", "МБОУ СОШ № 19", "МБОУ СОШ № 20"]


def test_the_token_examples_in_the_operations_guide_name_the_demo_s_ids():
    from pathlib import Path

    from pedgrowth.runner.demo import MUNICIPALITY, DemoTown

    lines = (Path(__file__).parents[3] / "docs" / "operations.md").read_text(encoding="utf-8").splitlines()
    text = "\n".join(line for line in lines if "pedgrowth token issue" in line)
    assert set(re.findall(r"--org (\S+)", text)) <= set(DemoTown().schools) | {"demo-umiic"}
    assert set(re.findall(r"--municipality (\S+)", text)) == {MUNICIPALITY["municipality_id"]}
    assert set(re.findall(r"--region (\S+)", text)) == {MUNICIPALITY["region_id"]}
