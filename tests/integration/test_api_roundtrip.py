"""Every service against the API (or the sandbox standing in for it), cleaning up after."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from cio.models import Identify, Track

from .conftest import Api

pytestmark = [pytest.mark.integration, pytest.mark.sandbox]


def _events(api: Api, name: str) -> list[dict[str, object]]:
    return [m for m in api.received() if m.get("event") == name]


def test_identify_track_page_screen(api: Api) -> None:
    user = api.person("basic")
    results = [
        api.client.identify(user, traits={"email": "it-basic@example.com", "plan": "trial"}),
        api.client.track(user, "Integration Checked", properties={"step": 1}),
        api.client.events.page(user, name="Pricing"),
        api.client.events.screen(user, name="Home"),
    ]
    assert [r.status_code for r in results] == [200] * 4
    if api.sandbox is not None:
        sent = {r.message_id for r in results}
        got = {m["messageId"] for m in api.received()}
        assert sent <= got
        assert [m["type"] for m in api.received()][:4] == ["identify", "track", "page", "screen"]


def test_backfilled_event_keeps_its_timestamp(api: Api) -> None:
    user = api.person("backfill")
    when = datetime(2025, 3, 1, 9, 30, tzinfo=timezone.utc)
    api.client.track(user, "Legacy Purchase", properties={"total": 12.5}, timestamp=when)
    if api.sandbox is not None:
        (event,) = _events(api, "Legacy Purchase")
        assert datetime.fromisoformat(str(event["timestamp"]).replace("Z", "+00:00")) == when


def test_objects_and_relationships_lifecycle(api: Api) -> None:
    user = api.person("member")
    company = f"cio-it-{api.run_id}-acme"
    api.client.identify(user)
    api.client.objects.create(company, object_type_id="1", attributes={"name": "Acme"})
    api.cleanups.append(lambda: api.client.objects.delete(company, object_type_id="1"))
    api.client.objects.create_relationship(user, company, attributes={"role": "admin"})
    api.client.objects.delete_relationship(user, company)
    if api.sandbox is not None:
        groups = [m for m in api.received() if m["type"] == "group"]
        assert [g["groupId"] for g in groups] == [company, company]
        assert groups[1]["traits"]["relationshipAttributes"] == {"role": "admin"}
        assert len(_events(api, "Relationship Deleted")) == 1


def test_devices_lifecycle(api: Api) -> None:
    user = api.person("phone")
    token = f"it-token-{api.run_id}"
    api.client.identify(user)
    api.client.devices.add(user, token, device_type="ios")
    api.cleanups.append(lambda: api.client.devices.delete(user, token, device_type="ios"))
    api.client.devices.update(user, token, device_type="ios", attributes={"app_version": "2.0"})
    if api.sandbox is not None:
        upserts = _events(api, "Device Created or Updated")
        assert [u["context"]["device"]["token"] for u in upserts] == [token, token]  # type: ignore[index]


def test_batch_delivers_every_message_once(api: Api) -> None:
    users = [api.person(f"batch-{i}") for i in range(20)]
    messages = [Identify(user_id=u, traits={"n": i}) for i, u in enumerate(users)]
    messages += [Track(user_id=u, event="Batch Checked") for u in users]
    report = api.client.batch.send(messages)
    assert (report.sent, report.failed, report.rejected) == (40, 0, 0)
    if api.sandbox is not None:
        ids = [m["messageId"] for m in api.received()]
        assert sorted(ids) == sorted(m.message_id for m in messages)


def test_merge_suppress_unsuppress(api: Api) -> None:
    primary, secondary = api.person("primary"), api.person("secondary")
    api.client.identify(primary)
    api.client.identify(secondary)
    api.client.people.merge(primary, secondary)
    api.client.people.suppress(secondary)
    api.client.people.unsuppress(secondary)
    if api.sandbox is not None:
        (alias,) = [m for m in api.received() if m["type"] == "alias"]
        assert (alias["userId"], alias["previousId"]) == (primary, secondary)
        assert len(_events(api, "User Suppressed")) == len(_events(api, "User Unsuppressed")) == 1
