"""The body limit lets a message at the message limit through (issue 17, "also fix"):
with a 1 MiB body limit, 200,000 characters that JSON escapes (control characters: 6
bytes each; astral characters: 12) were refused 413 although the message limit allows
them."""

from __future__ import annotations

import json

import pytest

from consentry.config.settings import DEFAULT_MAX_MESSAGE_CHARS
from tests.e2e.api.conftest import Api, expect


@pytest.mark.parametrize("char", ["\u0001", "\U0001f600", "é"], ids=["control", "astral", "latin"])
def test_a_message_at_the_limit_fits_however_it_is_escaped(api: Api, char: str) -> None:
    user = api.signup()
    session = api.start_session(user)["session_id"]
    content = char * DEFAULT_MAX_MESSAGE_CHARS
    body = json.dumps({"role": "user", "content": content}).encode()  # ASCII-escaped
    assert len(body) > 1_048_576 or char == "é"
    answer = api.client.post(
        f"/v1/me/sessions/{session}/messages",
        content=body,
        headers={**user.headers, "Content-Type": "application/json"},
    )
    expect(answer, 201)
    one_more = json.dumps({"role": "user", "content": content + char}).encode()
    refused = api.client.post(
        f"/v1/me/sessions/{session}/messages",
        content=one_more,
        headers={**user.headers, "Content-Type": "application/json"},
    )
    expect(refused, 413, "too_large")
