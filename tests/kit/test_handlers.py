"""Each service's table of use cases (RecordingApplication.handlers) names every event type its contract has."""

from __future__ import annotations

import pytest

from pedgrowth.contracts import EVENT_MODELS, SERVICE_EVENT_TYPES
from pedgrowth.indicators.application import IndicatorsApplication
from pedgrowth.kit.recording import NotHandled
from pedgrowth.mentoring.application import MentoringApplication
from pedgrowth.mentoring.readmodel import ReadModel
from pedgrowth.registry.application import RegistryApplication
from pedgrowth.training.application import TrainingApplication

APPLICATIONS = [RegistryApplication, TrainingApplication, MentoringApplication, IndicatorsApplication]


def memory_env(tmp_path) -> dict[str, str]:
    return {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(tmp_path / "store.db")}


@pytest.mark.parametrize("kind", APPLICATIONS, ids=lambda kind: kind.name)
def test_every_contract_event_type_of_the_service_has_a_handler(kind, tmp_path):
    app = kind(env=memory_env(tmp_path))
    contract_types = {EVENT_MODELS[t] for t in SERVICE_EVENT_TYPES[app.name]}
    handled = set(app.handlers())
    assert handled == contract_types, (
        f"missing: {sorted(t.__name__ for t in contract_types - handled)}, "
        f"not the service's: {sorted(t.__name__ for t in handled - contract_types)}")
    for kind_of_fact, handler in app.handlers().items():
        assert handler.__name__ == f"on_{kind_of_fact.type_suffix}", "a handler is named after its event type"


def test_a_type_without_a_handler_is_not_handled(tmp_path):
    training = TrainingApplication(env=memory_env(tmp_path))
    foreign = next(EVENT_MODELS[t] for t in SERVICE_EVENT_TYPES["registry"])
    with pytest.raises(NotHandled, match="is not recorded by this service"):
        training.decide(foreign.model_construct())


def test_the_mentoring_read_model_keeps_every_mentoring_event_type():
    contract_types = {EVENT_MODELS[t] for t in SERVICE_EVENT_TYPES["mentoring"]}
    assert set(ReadModel().handlers) == contract_types
