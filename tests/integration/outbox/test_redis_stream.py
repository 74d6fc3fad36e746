"""Every committed change arrives on the Redis Stream, once, in order (real Redis)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from consentry.adapters.sql.uow import SqlUnitOfWork
from consentry.bootstrap import App
from consentry.outbox import feed
from consentry.outbox.redis_stream import RedisStreamPublisher
from consentry.outbox.settings import DeliverySettings
from consentry.outbox.worker import Worker
from consentry.service import accounts
from tests.conftest import require_or_skip

from .conftest import make_changes, outbox_ids

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def redis_client() -> Iterator[Any]:
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
        available = True
    except redis.RedisError:
        available = False
    require_or_skip(available, f"Redis at {REDIS_URL}")
    yield client
    client.close()


@pytest.fixture
def stream(redis_client: Any) -> Iterator[str]:
    name = f"consentry:events:test:{uuid.uuid4().hex}"
    yield name
    redis_client.delete(name)


def stream_events(client: Any, stream: str) -> list[dict[str, str]]:
    return [
        {k.decode(): v.decode() for k, v in fields.items()} for _, fields in client.xrange(stream)
    ]


def publish_all(publisher: RedisStreamPublisher) -> None:
    while publisher.publish_pending(now=datetime.now(UTC), limit=3):
        pass


def test_every_committed_change_arrives_on_the_stream(
    app: App, redis_client: Any, stream: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    publisher = RedisStreamPublisher(app.engine, redis_client, stream=stream)
    events = make_changes(app)
    user = accounts.sign_up(app.ctx, plan="free", training="on")
    monkeypatch.setattr(SqlUnitOfWork, "commit", _crash)
    with pytest.raises(RuntimeError):
        accounts.delete_account(app.ctx, account_id=user.account_id)  # rolled back
    monkeypatch.undo()
    publish_all(publisher)
    entries = stream_events(redis_client, stream)
    committed = outbox_ids(app)
    assert [e["event_id"] for e in entries] == committed
    assert committed[: len(events)] == events
    assert [e["type"] for e in entries][-2:] == ["account.created", "consent.choice"]
    page = feed.read_events(app.engine, limit=1000)
    for entry, item in zip(entries, page.items, strict=True):
        assert entry["cursor"] == str(item.cursor)
        assert json.loads(entry["payload"]) == item.payload
    # Later changes follow; publishing again adds nothing twice.
    accounts.delete_account(app.ctx, account_id=user.account_id)
    publish_all(publisher)
    publish_all(publisher)
    entries = stream_events(redis_client, stream)
    assert [e["event_id"] for e in entries] == outbox_ids(app)
    assert entries[-1]["type"] == "account.deleted"


def test_a_lost_cursor_commit_does_not_duplicate_entries(
    app: App, redis_client: Any, stream: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    publisher = RedisStreamPublisher(app.engine, redis_client, stream=stream)
    make_changes(app)

    def lost(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("database gone after XADD")

    monkeypatch.setattr("consentry.outbox.redis_stream.move_cursor", lost)
    with pytest.raises(RuntimeError):
        publisher.publish_pending(now=datetime.now(UTC), limit=4)
    monkeypatch.undo()
    assert len(stream_events(redis_client, stream)) == 4  # on the stream, cursor not moved
    publish_all(publisher)
    ids = [e["event_id"] for e in stream_events(redis_client, stream)]
    assert ids == outbox_ids(app)
    assert len(ids) == len(set(ids))


def test_the_worker_publishes_when_a_redis_url_is_set(
    app: App, redis_client: Any, stream: str
) -> None:
    settings = DeliverySettings(redis_url=REDIS_URL, redis_stream=stream, timeout_s=1, lease_s=2)
    worker = Worker(app.engine, settings, box=app.box)
    try:
        make_changes(app)
        result = worker.drain()
    finally:
        worker.close()
    assert result.streamed == len(outbox_ids(app))
    assert [e["event_id"] for e in stream_events(redis_client, stream)] == outbox_ids(app)


def _crash(self: SqlUnitOfWork) -> None:
    raise RuntimeError("crash before commit")
