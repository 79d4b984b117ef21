"""The envelope options are declared once and still shown by name in editors and notebooks."""

from __future__ import annotations

import inspect
from collections.abc import Iterator

import jedi
import pytest

from cio import CustomerIOClient, ValidationError
from cio.services import EnvelopeOptions
from cio.testing import RecordingTransport

OPTIONS = ("timestamp", "context", "integrations", "message_id")
SERVICES = ("people", "events", "objects", "devices")


def _client() -> CustomerIOClient:
    return CustomerIOClient(api_key="test-key", transport=RecordingTransport())


def _methods() -> Iterator[tuple[str, str]]:
    client = _client()
    for service in SERVICES:
        for name, member in inspect.getmembers(getattr(client, service), inspect.ismethod):
            # The declared **options (what the method is written with, before its
            # __signature__ spells the options out).
            if not name.startswith("_") and "options" in member.__func__.__annotations__:
                yield service, name


METHODS = sorted(_methods())


def test_the_options_are_declared_once() -> None:
    assert tuple(EnvelopeOptions.__annotations__) == OPTIONS
    assert len(METHODS) == 23


@pytest.mark.parametrize(("service", "method"), METHODS)
def test_the_signature_shows_each_option_by_name(service: str, method: str) -> None:
    bound = getattr(getattr(_client(), service), method)
    parameters = inspect.signature(bound).parameters
    for name in OPTIONS:
        assert parameters[name].kind is inspect.Parameter.KEYWORD_ONLY
        assert parameters[name].default is None
    assert not any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values())


@pytest.mark.slow
@pytest.mark.parametrize("call", ["client.people.identify('1', ", "client.events.track('1', 'E', "])
def test_notebook_completion_offers_each_option(call: str) -> None:
    completions = jedi.Interpreter(call, [{"client": _client()}]).complete()
    offered = {completion.name for completion in completions}
    assert {f"{name}=" for name in OPTIONS} <= offered


def test_the_options_reach_the_message_and_a_typo_is_an_error() -> None:
    client = _client()
    client.people.identify("1", message_id="m-1", timestamp="2026-01-01T00:00:00Z")
    sent = client.transport.requests[0].json  # type: ignore[attr-defined]
    assert (sent["messageId"], sent["timestamp"]) == ("m-1", "2026-01-01T00:00:00Z")
    with pytest.raises(TypeError, match="mesage_id"):
        client.people.identify("1", mesage_id="m-2")  # type: ignore[call-arg]
    with pytest.raises(ValidationError):
        client.events.track("1", "E", timestamp="yesterday")
