"""Organisations: registered once, in one municipality and region."""

import pytest

from pedgrowth.kit.errors import Conflict
from tests.registry.builders import org, record


def test_a_registered_organisation_is_read_back_with_its_municipality(app):
    assert app.organisation("sch-1")["municipality_id"] == "mun-1"


def test_registering_an_organisation_again_is_a_conflict(app):
    with pytest.raises(Conflict, match="already registered") as caught:
        record(app, org("sch-1"))
    assert caught.value.field == "data.org_id"


def test_an_organisation_cannot_move_to_another_municipality(app):
    with pytest.raises(Conflict, match="belongs to one municipality and region") as caught:
        record(app, org("sch-1", municipality_id="mun-2"))
    assert caught.value.field == "data.municipality_id"


def test_an_organisation_cannot_move_to_another_region(app):
    with pytest.raises(Conflict) as caught:
        record(app, org("sch-1", region_id="reg-2"))
    assert caught.value.field == "data.region_id"


def test_organisations_are_listed_per_municipality(app):
    record(app, org("sch-9", municipality_id="mun-2"))
    assert [o["org_id"] for o in app.organisations("mun-2")] == ["sch-9"]
