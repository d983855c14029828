"""Every domain event is published as its contract event, with every field."""

from pedgrowth.contracts import EVENT_MODELS, SERVICE_EVENT_TYPES, new_event
from pedgrowth.training.translation import to_contract
from tests.contracts.samples import SAMPLES
from tests.training.facts import memory_app, record, recorded

ORDER = ["provider_registered", "program_published", "diagnostics_completed", "course_completed",
         "route_started", "route_completed", "attestation_passed", "competition_participated",
         "independent_assessment_passed", "pd_request_submitted", "pd_request_met"]


def canonical(data) -> dict:
    return data.model_dump(mode="json", exclude_none=True)


def test_each_training_type_round_trips_through_the_store_to_the_same_contract_data():
    app = memory_app()
    types = [f"pedgrowth.training.{suffix}.v1" for suffix in ORDER]
    assert sorted(types) == sorted(SERVICE_EVENT_TYPES["training"])
    sent = [EVENT_MODELS[t].model_validate(SAMPLES[t]) for t in types]
    for data in sent:
        assert record(app, data) == "accepted"
    published = [d for d in (to_contract(e) for e in recorded(app)) if d is not None]
    assert [canonical(d) for d in published] == [canonical(d) for d in sent]
    assert [new_event(d, source="/pedgrowth/training").type for d in published] == types


def test_internal_events_are_not_published():
    app = memory_app()
    record(app, EVENT_MODELS["pedgrowth.training.diagnostics_completed.v1"].model_validate(
        SAMPLES["pedgrowth.training.diagnostics_completed.v1"]))
    assert [type(e).__qualname__ for e in recorded(app) if to_contract(e) is None] == ["Learner.Opened",
                                                                                        "Receipt.Created"]

