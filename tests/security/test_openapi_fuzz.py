"""schemathesis over the four OpenAPI documents, in-process: no request gets a 5xx (issue 14).

Each service is built as the other HTTP tests build it (SQLite in a temporary directory, no
broker): its lifespan is replaced by one that only loads what the routes read (the indicators
read model), so the broker, the relay and the inbox do not run. Every generated case is sent
twice, with an admin token and without one. Examples are bounded and derandomised, so the run
is the same on every machine and takes well under a minute.
"""

from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error

from tests.security.test_input import SERVICES, build_app
from tests.support.services import auth

MAX_EXAMPLES = 8
# /ready answers 503 while the broker is down (here, by design); the dead letters are read from the broker.
NOT_FUZZED = "^(/ready|/api/v1/dead-letters.*)$"


@contextlib.asynccontextmanager
async def without_broker(app):
    """The part of a service's start the routes need when no broker runs: the indicators read model."""
    read_model = getattr(app.state, "read_model", None)
    if read_model is not None:
        await read_model.load()
    yield


def fuzzed(service: str):
    """The service's OpenAPI document as a schemathesis schema, calling the app in-process."""
    app = build_app(service, DATA_DIR / service)
    app.router.lifespan_context = without_broker
    loaded = schemathesis.openapi.from_dict(app.openapi()).exclude(path_regex=NOT_FUZZED)
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
