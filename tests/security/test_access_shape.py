"""Each service's access rules have one shape (docs/architecture.md, "Access"; STYLE lesson 17)."""

from __future__ import annotations

import importlib
import inspect

import pytest

from pedgrowth.contracts.scope import Scope
from pedgrowth.indicators.access import Access as IndicatorsAccess
from pedgrowth.kit.auth import Principal, Role

SERVICES = ["registry", "training", "mentoring", "indicators"]


def parameters(method) -> list[str]:
    return [name for name in inspect.signature(method).parameters if name != "self"]


@pytest.mark.parametrize("service", SERVICES)
def test_every_service_has_access_rules_of_one_shape(service):
    access = importlib.import_module(f"pedgrowth.{service}.access").Access
    assert parameters(access.authorize_write) == ["principal", "data"]
    assert parameters(access.can_read_org) == ["principal", "org_id"]
    if service == "indicators":  # no person record: its lists of a day ask can_read_members and can_read_scope
        assert not hasattr(access, "can_read_person")
        assert parameters(access.can_read_members) == ["principal"]
    else:
        assert parameters(access.can_read_person) == ["principal", "person_id"]
    if hasattr(access, "can_read_scope"):
        assert parameters(access.can_read_scope) == ["principal", "scope"]


PLACES = {"sch-1": ("mun-1", "reg-1"), "sch-3": ("mun-2", "reg-1")}


def placement(scope: Scope) -> dict[str, str | None]:
    """Where a scope lies, as the indicators read model would say from organization_registered."""
    if scope.kind == "organization":
        municipality, region = PLACES.get(scope.id, (None, None))
        return {"org_id": scope.id, "municipality_id": municipality, "region_id": region}
    if scope.kind == "municipality":
        regions = {r for m, r in PLACES.values() if m == scope.id}
        return {"org_id": None, "municipality_id": scope.id, "region_id": next(iter(regions), None)}
    return {"org_id": None, "municipality_id": None, "region_id": scope.id}


def test_indicators_reads_organisations_and_scopes_where_the_registry_places_them():
    access = IndicatorsAccess(app=None, placement=placement)
    school = Principal("s", Role.SCHOOL_SYSTEM, org_id="sch-1")
    operator = Principal("o", Role.MUNICIPAL_OPERATOR, municipality_id="mun-1")
    analyst = Principal("a", Role.REGIONAL_ANALYST, region_id="reg-1")
    assert access.can_read_org(school, "sch-1") and not access.can_read_org(school, "sch-3")
    assert access.can_read_org(operator, "sch-1") and not access.can_read_org(operator, "sch-3")
    assert not access.can_read_org(operator, "sch-unknown"), "an organisation not registered is no one's yet"
    assert access.can_read_org(analyst, "sch-3")
    assert access.can_read_scope(analyst, Scope("municipality", "mun-2"))
    assert not access.can_read_scope(operator, Scope("municipality", "mun-2"))
    assert not access.can_read_scope(school, Scope("municipality", "mun-1"))
    assert [access.can_read_members(p) for p in (school, operator, analyst)] == [True, True, False]


def test_indicators_reads_a_municipalitys_plans_where_the_registry_places_its_schools():
    access = IndicatorsAccess(app=None, placement=placement)
    school = Principal("s", Role.SCHOOL_SYSTEM, org_id="sch-1")
    stray = Principal("x", Role.SCHOOL_SYSTEM, org_id="sch-unknown")
    operator = Principal("o", Role.MUNICIPAL_OPERATOR, municipality_id="mun-1")
    analyst = Principal("a", Role.REGIONAL_ANALYST, region_id="reg-1")
    elsewhere = Principal("e", Role.REGIONAL_ANALYST, region_id="reg-9")
    assert access.can_read_plans(school, "mun-1") and not access.can_read_plans(school, "mun-2")
    assert not access.can_read_plans(stray, "mun-1"), "a school not registered yet reads no municipality's plan"
    assert access.can_read_plans(operator, "mun-1") and not access.can_read_plans(operator, "mun-2")
    assert access.can_read_plans(analyst, "mun-2") and not access.can_read_plans(elsewhere, "mun-2")
    assert [access.can_write_plans(p, "mun-1") for p in (school, operator, analyst)] == [False, True, False]
    assert not access.can_write_plans(operator, "mun-2")
