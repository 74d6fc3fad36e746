"""Issue 18, false statement 2: the notice of a new terms version never flips an earlier
answer. GET /v1/me/privacy's `notice.default_training` is the account's current choice
when it has one, and the policy's default only while the choice is unset (R5)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from consentry.domain.policy import DEFAULT_POLICY, Policy, TermsVersion
from tests.e2e.api.conftest import Api, expect

V2 = TermsVersion(
    "2026-03-01",
    datetime(2026, 3, 1, tzinfo=UTC),
    datetime(2026, 4, 1, tzinfo=UTC),
    summary="Version two of the consumer terms.",
)


@pytest.fixture
def policy() -> Policy:
    return replace(DEFAULT_POLICY, terms=(*DEFAULT_POLICY.terms, V2))


@pytest.mark.parametrize("choice", ["on", "off"])
def test_new_terms_notice_is_preset_to_the_current_choice_R5(api: Api, choice: str) -> None:
    user = api.signup("free", choice)
    imported = api.import_account("free")
    api.set_clock("2026-03-02T00:00:00Z")
    privacy = expect(api.client.get("/v1/me/privacy", headers=user.headers), 200)
    assert privacy["training"] == choice
    assert privacy["notice"]["terms_version"] == "2026-03-01"
    assert privacy["notice"]["default_training"] == choice
    # Unset: the policy's default (on) is the preset.
    unset = expect(api.client.get("/v1/me/privacy", headers=imported.headers), 200)
    assert unset["notice"]["default_training"] == "on"
