"""Course completions."""

import pytest

from pedgrowth.kit.errors import Conflict
from pedgrowth.training.domain.learner import Learner
from tests.training.facts import course, record, recorded


def test_a_completion_of_a_programme_not_published_yet_waits_for_it(app):
    assert record(app, course(program_id="nope")) == "waiting"
    assert not recorded(app, Learner.CourseCompleted)
    assert [p.field for w in app.waiting.catch_up() for p in w.waiting()] == ["data.program_id"]


def test_a_historical_completion_dated_before_the_programme_was_entered_is_accepted(app):
    assert record(app, course(completed_on="2012-05-30")) == "accepted"


def test_the_same_completion_from_another_source_is_recorded_once(app):
    record(app, course(certificate_number="7701"), source="/provider/prov-1")
    record(app, course(), source="/school/sch-1/hr")
    assert len(recorded(app, Learner.CourseCompleted)) == 1


def test_the_same_completion_with_another_certificate_is_a_conflict(app):
    record(app, course(certificate_number="7701"))
    with pytest.raises(Conflict) as caught:
        record(app, course(certificate_number="9999"))
    assert caught.value.field == "data.certificate_number"


def test_completing_the_same_programme_again_later_is_a_second_course(app):
    record(app, course(completed_on="2020-03-01"))
    record(app, course(completed_on="2023-03-01"))
    assert len(recorded(app, Learner.CourseCompleted)) == 2


def test_the_same_source_and_id_delivered_twice_is_a_duplicate(app):
    assert record(app, course(), id="evt-1") == "accepted"
    assert record(app, course(), id="evt-1") == "duplicate"
