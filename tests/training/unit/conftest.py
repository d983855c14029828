import pytest

from tests.training.facts import memory_app, with_catalogue


@pytest.fixture
def app():
    """A training application on in-memory persistence, with provider prov-1 and programme prog-1."""
    return with_catalogue(memory_app())
