import pytest


@pytest.fixture(autouse=True)
def fresh_routing_model(settings):
    """Each test suggests with its own database's model: none carried over from the previous test."""
    from jiceng.routing import suggest

    settings.ROUTING_CHECK_SECONDS = 0
    suggest.invalidate()
    yield
    suggest.invalidate()
