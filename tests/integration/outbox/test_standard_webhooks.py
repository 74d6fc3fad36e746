"""Standard Webhooks (issue 24 item 1): every delivery verified by the `standardwebhooks`
library from the registry, a verifier nobody here wrote, beside `Consentry-Signature`;
and a secret rotation during which both secrets sign (both headers carry two signatures)."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from consentry.adapters.sql import tables as t
from consentry.adapters.sql.reseal import reseal_secrets
from consentry.bootstrap import App
from consentry.config.sealing import SecretBox, is_sealed
from consentry.domain.errors import InvalidInput, NotFound
from consentry.outbox import registry
from consentry.outbox.delivery import claim_due
from consentry.outbox.signing import (
    EVENT_ID_HEADER,
    SIGNATURE_HEADER,
    signed_headers,
    standard_secret,
    verify,
)
from consentry.outbox.worker import Worker

from .conftest import FAST, INTERNAL, Receiver, Request, deliver_until, make_changes

MakeWorker = Callable[..., Worker]


def register(app: App, receiver: Receiver, **kwargs: object) -> registry.NewEndpoint:
    return registry.add_endpoint(
        app.engine,
        url=receiver.url,
        now=app.ctx.clock.now(),
        guard=INTERNAL,
        box=app.box,
        **kwargs,  # type: ignore[arg-type]
    )


def answered(receiver: Receiver) -> list[Request]:
    return [r for r in list(receiver.requests) if r.answered == 204]


def library_verifies(secret: str, request: Request) -> bool:
    try:
        Webhook(standard_secret(secret)).verify(request.body.encode(), request.headers)
    except WebhookVerificationError:
        return False
    return True


def test_the_whsec_form_holds_the_same_key_bytes() -> None:
    secret = "whsec_test-secret-0123456789"
    assert standard_secret(secret).startswith("whsec_")
    library = Webhook(standard_secret(secret))
    at = datetime.fromtimestamp(1614265330, UTC)
    expected = library.sign("msg_p5jXN8AQM9LWM0D4loKWxJek", at, '{"test": 2432232314}')
    headers = signed_headers(
        [secret],
        msg_id="msg_p5jXN8AQM9LWM0D4loKWxJek",
        timestamp=1614265330,
        body='{"test": 2432232314}',
    )
    assert headers["webhook-signature"] == expected
    assert headers["webhook-timestamp"] == "1614265330"


def test_every_delivery_verifies_with_the_standardwebhooks_library(
    app: App, receiver: Receiver, make_worker: MakeWorker
) -> None:
    created = register(app, receiver)
    events = make_changes(app)
    deliver_until(make_worker(), lambda: len(answered(receiver)) >= len(events))
    assert {r.event_id for r in answered(receiver)} == set(events)
    for request in receiver.requests:
        payload = Webhook(standard_secret(created.secret)).verify(
            request.body.encode(), request.headers
        )
        assert payload["event_id"] == request.headers["webhook-id"]
        assert request.headers["webhook-id"] == request.headers[EVENT_ID_HEADER.lower()]
        # today's header stays, with the same timestamp, for existing receivers
        assert verify(
            created.secret,
            request.headers[SIGNATURE_HEADER.lower()],
            request.body,
            now=int(time.time()),
        )
        assert request.headers[SIGNATURE_HEADER.lower()].startswith(
            f"t={request.headers['webhook-timestamp']},"
        )
        assert not library_verifies("whsec_another-secret-000000", request)
        tampered = Request(request.headers, request.body.replace("}", " }", 1))
        assert not library_verifies(created.secret, tampered)


def test_a_caller_chosen_secret_maps_to_whsec_and_verifies(
    app: App, receiver: Receiver, make_worker: MakeWorker
) -> None:
    """An endpoint registered with its own secret (not base64, not whsec_): receivers on
    Standard Webhooks use whsec_ + base64(secret), documented in docs/events.md."""
    chosen = "my own secret: ünïcode & spaces"
    register(app, receiver, secret=chosen)
    events = make_changes(app)
    deliver_until(make_worker(), lambda: len(answered(receiver)) >= len(events))
    assert all(library_verifies(chosen, r) for r in receiver.requests)


def test_a_rotation_signs_with_both_secrets_until_its_grace_ends(
    app: App, receiver: Receiver, make_worker: MakeWorker
) -> None:
    created = register(app, receiver)
    old = created.secret
    rotated = registry.rotate_secret(
        app.engine,
        endpoint_id=created.endpoint.id,
        now=datetime.now(UTC),
        box=app.box,
        grace_s=3600,
    )
    assert rotated.secret != old and rotated.previous_valid_until is not None
    events = make_changes(app)
    deliver_until(make_worker(), lambda: len(answered(receiver)) >= len(events))
    for request in receiver.requests:
        assert len(request.headers["webhook-signature"].split(" ")) == 2
        assert library_verifies(old, request)  # a receiver not yet switched
        assert library_verifies(rotated.secret, request)  # one already switched
        header = request.headers[SIGNATURE_HEADER.lower()]
        assert header.count("v1=") == 2
        assert verify(old, header, request.body, now=int(time.time()))
        assert verify(rotated.secret, header, request.body, now=int(time.time()))

    # A rotation without grace ends the old secret at once: one signature, the new one.
    final = registry.rotate_secret(
        app.engine,
        endpoint_id=created.endpoint.id,
        now=datetime.now(UTC),
        box=app.box,
        grace_s=0,
        secret="the-final-secret-0123456789",
    )
    assert final.previous_valid_until is None
    before = len(receiver.requests)
    new_events = len(make_changes(app)) - len(events)
    deliver_until(make_worker(), lambda: len(answered(receiver)) >= before + new_events)
    for request in receiver.requests[before:]:
        assert " " not in request.headers["webhook-signature"]
        assert library_verifies(final.secret, request)
        assert not library_verifies(rotated.secret, request)
        assert not library_verifies(old, request)


def test_an_expired_grace_no_longer_signs(app: App, receiver: Receiver) -> None:
    created = register(app, receiver)
    rotated = registry.rotate_secret(
        app.engine,
        endpoint_id=created.endpoint.id,
        now=datetime(2020, 1, 1, tzinfo=UTC),
        box=app.box,
        grace_s=60,
    )
    make_changes(app)
    from consentry.outbox.delivery import fan_out

    fan_out(app.engine, now=datetime.now(UTC))
    claims = claim_due(app.engine, now=datetime.now(UTC), settings=FAST, box=app.box)
    assert claims and all(c.secrets() == [rotated.secret] for c in claims)


def test_rotation_refuses_bad_input_and_unknown_endpoints(app: App, receiver: Receiver) -> None:
    created = register(app, receiver)
    now = datetime.now(UTC)
    with pytest.raises(InvalidInput):
        registry.rotate_secret(
            app.engine, endpoint_id=created.endpoint.id, now=now, box=app.box, grace_s=-1
        )
    with pytest.raises(InvalidInput):
        registry.rotate_secret(
            app.engine, endpoint_id=created.endpoint.id, now=now, box=app.box, secret="short"
        )
    with pytest.raises(NotFound):
        registry.rotate_secret(app.engine, endpoint_id="whk_missing", now=now, box=app.box)


def test_the_previous_secret_is_stored_sealed_and_resealed(app: App, receiver: Receiver) -> None:
    """The rotated-out secret is sealed like the secret (issue 17 item 5) and moves with
    `consentry secrets reseal` to a new master key."""
    created = register(app, receiver)
    rotated = registry.rotate_secret(
        app.engine, endpoint_id=created.endpoint.id, now=datetime.now(UTC), box=app.box
    )
    w = t.webhook_endpoints.c
    with app.engine.connect() as conn:
        stored = conn.execute(select(w.previous_secret).where(w.id == created.endpoint.id))
        previous = stored.scalar_one()
    assert previous is not None and is_sealed(previous) and created.secret not in previous
    new_box = SecretBox.from_master(b"another master key for this test, 32+ bytes long")
    result = reseal_secrets(app.engine, old=app.box, new=new_box)
    assert result.per_column["webhook_endpoints.previous_secret"] == 1
    make_changes(app)
    from consentry.outbox.delivery import fan_out

    fan_out(app.engine, now=datetime.now(UTC))
    claims = claim_due(app.engine, now=datetime.now(UTC), settings=FAST, box=new_box)
    assert claims and all(c.secrets() == [rotated.secret, created.secret] for c in claims)


def test_the_cli_rotates_a_secret(app: App, database_url: str, receiver: Receiver) -> None:
    import json

    import typer
    from typer.testing import CliRunner

    from consentry.entrypoints import cli_outbox

    main = typer.Typer()
    main.command("version")(lambda: None)
    main.add_typer(cli_outbox.app)
    runner = CliRunner()
    created = register(app, receiver)
    url = ["--database-url", database_url]
    args = ["webhooks", "rotate-secret", created.endpoint.id, *url]
    done = runner.invoke(main, [*args, "--grace-s", "600", "--json"])
    assert done.exit_code == 0, done.output
    rotated = json.loads(done.stdout)
    assert rotated["previous_valid_until"] is not None
    assert Webhook(rotated["standard_secret"])._whsecret == rotated["secret"].encode()
    claims_secrets = registry_secrets(app)
    assert claims_secrets == [rotated["secret"], created.secret]
    refused = runner.invoke(main, [*args, "--grace-s", "-5"])
    assert refused.exit_code == 2 and "validation_error" in refused.output
    missing = runner.invoke(main, ["webhooks", "rotate-secret", "whk_nope", *url])
    assert missing.exit_code == 2 and "not_found" in missing.output
    assert "Traceback" not in refused.output + missing.output


def registry_secrets(app: App) -> list[str]:
    """The secrets the next delivery would be signed with."""
    from consentry.outbox.delivery import fan_out

    make_changes(app)
    fan_out(app.engine, now=datetime.now(UTC))
    claims = claim_due(app.engine, now=datetime.now(UTC), settings=FAST, box=app.box)
    assert claims
    return claims[0].secrets()


def test_a_second_rotation_during_the_grace_drops_the_oldest_secret(
    app: App, receiver: Receiver
) -> None:
    created = register(app, receiver)
    now = datetime.now(UTC)
    first = registry.rotate_secret(
        app.engine, endpoint_id=created.endpoint.id, now=now, box=app.box, grace_s=3600
    )
    second = registry.rotate_secret(
        app.engine, endpoint_id=created.endpoint.id, now=now, box=app.box, grace_s=3600
    )
    assert registry_secrets(app) == [second.secret, first.secret]
    assert created.secret not in registry_secrets(app)
