"""schemathesis over the four OpenAPI documents, in-process: no request gets a 5xx (issue 14).

Each service is built as the other HTTP tests build it (SQLite in a temporary directory, no
broker): its lifespan is replaced by one that only loads what the routes read (the indicators
read model), so the broker, the relay and the inbox do not run. Every generated case is sent
twice, with an admin token and without one. Examples are bounded and derandomised, so the run
is the same on every machine and takes well under a minute.

So that requests get past "not found" into the routes' work, each service first records
the sample events of its own types (tests/contracts/samples.py, one small municipality), and
the document given to schemathesis offers those ids and indicator codes, and scopes in their
documented form, beside whatever it generates itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error

from pedgrowth.contracts import EVENT_MODELS, new_event
from tests.contracts.samples import SAMPLES
from tests.security.test_input import SERVICES, build_app
from tests.support.services import auth

MAX_EXAMPLES = 6
# /ready answers 503 while the broker is down (here, by design); the dead letters are read from the broker
# (503 without one: tests/security/test_input.py).
NOT_FUZZED = "^(/ready|/api/v1/dead-letters.*)$"


@contextlib.asynccontextmanager
async def without_broker(app):
    """What a service's start gives the routes when no broker runs: sample data, the read model loaded."""
    service = app.state.service
    for event_type, data in SAMPLES.items():
        if event_type.split(".")[1] == service.name:
            fact = service.inbox.validate(new_event(EVENT_MODELS[event_type].model_validate(data), source="/fuzz").to_json())
            await asyncio.to_thread(service.inbox.record, fact)
    read_model = getattr(app.state, "read_model", None)
    if read_model is not None:
        await read_model.load()
    yield


def known_values() -> dict[str, list[str]]:
    """Ids of the samples by field name, the indicator codes, and scopes over the sample municipality."""
    from pedgrowth.indicators.definitions import INDICATORS

    values: dict[str, set[str]] = {}
    for data in SAMPLES.values():
        for name, value in data.items():
            if name.endswith("_id") and isinstance(value, str):
                values.setdefault(name, set()).add(value)
    values["code"] = {definition.code for definition in INDICATORS}
    values["scope"] = {"organization:sch-1", "municipality:mun-1", "region:reg-1", "municipality:nowhere"}
    values["municipality"] = values["municipality_id"]
    return {name: sorted(found) for name, found in values.items()}


EDGE_DAYS = ["0001-01-01", "1899-12-31", "1900-01-01", "2100-12-31", "2101-01-01", "9999-12-31"]


def is_date(schema: dict) -> bool:
    return any(option.get("format") == "date" for option in schema.get("anyOf", [schema]))


def steered(document: dict) -> dict:
    """The document with each parameter named like a sample id also offering the samples' values,
    and each date parameter the edges of the calendar and of the contract's range."""
    known = known_values()
    for operations in document["paths"].values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                offered = known.get(parameter["name"]) or (EDGE_DAYS if is_date(parameter["schema"]) else None)
                if offered:
                    parameter["schema"] = {"anyOf": [{"enum": offered}, parameter["schema"]]}
    return document


def fuzzed(service: str):
    """The service's OpenAPI document as a schemathesis schema, calling the app in-process."""
    app = build_app(service, DATA_DIR / service)
    app.router.lifespan_context = without_broker
    loaded = schemathesis.openapi.from_dict(steered(app.openapi())).exclude(path_regex=NOT_FUZZED)
    loaded.app = app
    return loaded


def check(case) -> None:
    case.call_and_validate(headers=auth(), checks=[not_a_server_error])
    case.call_and_validate(checks=[not_a_server_error])


# Built at import: schemathesis parametrizes from a loaded schema (its fixture loader does not
# work with this pytest); the SQLite files go to a directory removed when the process ends.
_data = tempfile.TemporaryDirectory(prefix="pedgrowth-fuzz-")
DATA_DIR = Path(_data.name)
BOUNDED = settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
                   phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
registry, training, mentoring, indicators = (fuzzed(service) for service in SERVICES)


@registry.parametrize()
@BOUNDED
def test_registry_answers_no_generated_request_with_a_server_error(case):
    check(case)


@training.parametrize()
@BOUNDED
def test_training_answers_no_generated_request_with_a_server_error(case):
    check(case)


@mentoring.parametrize()
@BOUNDED
def test_mentoring_answers_no_generated_request_with_a_server_error(case):
    check(case)


@indicators.parametrize()
@BOUNDED
def test_indicators_answers_no_generated_request_with_a_server_error(case):
    check(case)
