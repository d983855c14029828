"""Vacancies: opened once, closed once, listed per municipality as of a day."""

from datetime import date

import pytest

from pedgrowth.kit.errors import Conflict, RuleViolation
from tests.registry.builders import close, org, record, vacancy


def test_a_vacancy_opens_once(app):
    record(app, vacancy())
    with pytest.raises(Conflict, match="already opened") as caught:
        record(app, vacancy())
    assert caught.value.field == "data.vacancy_id"


def test_a_vacancy_at_an_unregistered_organisation_waits_for_its_registration(app):
    assert record(app, vacancy(org_id="nope")).value == "waiting"


def test_a_vacancy_dated_in_the_future_is_refused(app):
    with pytest.raises(RuleViolation) as caught:
        record(app, vacancy(opened_on="2024-10-01"))
    assert caught.value.field == "data.opened_on"


def test_a_vacancy_closes_once(app):
    record(app, vacancy())
    record(app, close())
    with pytest.raises(Conflict, match="already closed"):
        record(app, close(closed_on="2024-08-27"))


def test_closing_a_vacancy_never_opened_waits_for_the_opening(app):
    assert record(app, close(vacancy_id="nope")) == "waiting"
    assert [(w.kind, w.key, p.field) for w in app.waiting.catch_up() for p in w.waiting()] == [
        ("vacancy", "nope", "data.vacancy_id")]


def test_a_vacancy_cannot_close_before_it_opened(app):
    record(app, vacancy(opened_on="2024-05-20"))
    with pytest.raises(RuleViolation) as caught:
        record(app, close(closed_on="2024-05-19"))
    assert caught.value.field == "data.closed_on"


def test_open_vacancies_of_a_municipality_are_those_open_on_the_day(app):
    record(app, org("sch-9", municipality_id="mun-2"))
    record(app, vacancy("vac-1", opened_on="2024-05-20"))
    record(app, vacancy("vac-2", opened_on="2024-06-01"))
    record(app, vacancy("vac-9", org_id="sch-9", opened_on="2024-05-01"))
    record(app, close("vac-1", closed_on="2024-08-26"))
    assert [v["vacancy_id"] for v in app.open_vacancies("mun-1", date(2024, 5, 25))] == ["vac-1"]
    assert [v["vacancy_id"] for v in app.open_vacancies("mun-1", date(2024, 8, 26))] == ["vac-2"]
