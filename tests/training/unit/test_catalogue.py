"""Providers and the programme catalogue."""

import pytest

from pedgrowth.kit.errors import Conflict
from pedgrowth.training.domain.catalogue import Programme, Provider
from tests.training.facts import memory_app, programme, provider, record, recorded, with_catalogue


def test_a_registered_provider_is_listed(app):
    assert app.providers() == [{"provider_id": "prov-1", "name": "ТОИПКРО", "kind": "regional_institute"}]


def test_registering_the_same_provider_again_records_nothing_new(app):
    assert record(app, provider()) == "duplicate"
    assert len(recorded(app, Provider.Registered)) == 1


def test_a_provider_restated_with_another_name_is_a_conflict_naming_the_field(app):
    with pytest.raises(Conflict) as caught:
        record(app, provider(name="Другой институт"))
    assert caught.value.field == "data.name"


def test_a_programme_republished_with_other_hours_is_a_conflict(app):
    with pytest.raises(Conflict) as caught:
        record(app, programme(hours=72))
    assert caught.value.field == "data.hours"


def test_a_programme_may_arrive_before_its_provider():
    app = memory_app()
    assert record(app, programme(provider_id="prov-later")) == "accepted"
    assert len(recorded(app, Programme.Published)) == 1


def test_the_catalogue_filters_by_kind_format_topic_registry_and_provider():
    app = with_catalogue(
        memory_app(),
        programme("pk-dist", format="distance", topics=["Цифровая грамотность"]),
        programme("pk-live", format="in_person", in_federal_registry=False, topics=["наставничество"]),
        programme("pp-blend", kind="retraining", hours=260, format="blended", provider_id="prov-2", topics=["ОВЗ"]),
    )
    ids = lambda **f: [p["program_id"] for p in app.programmes(**f)]  # noqa: E731
    assert ids(kind="retraining") == ["pp-blend"]
    assert ids(format="in_person") == ["pk-live"]
    assert ids(topic="цифровая") == ["pk-dist"]
    assert ids(in_federal_registry=False) == ["pk-live"]
    assert ids(provider_id="prov-2") == ["pp-blend"]


def test_a_provider_is_shown_with_its_programmes(app):
    assert [p["program_id"] for p in app.provider("prov-1")["programs"]] == ["prog-1"]
