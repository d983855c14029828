import pytest

from tests.registry.builders import new_app, with_school


@pytest.fixture
def app():
    """A registry on in-memory persistence with school sch-1 of mun-1 registered; today is 2024-09-02."""
    application = with_school(new_app())
    yield application
    application.close()
