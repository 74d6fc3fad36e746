"""Who may write the assistant's words, and which of them train a model (issue 17
item 7): `assistant_messages_from` (writes) and `export_assistant_messages_from` (runs)."""

from __future__ import annotations

import dataclasses

import pytest

from consentry.config.policy_file import load_policy, parse_policy, policy_to_toml
from consentry.domain.authorship import refusal
from consentry.domain.errors import PolicyInvalid
from consentry.domain.policy import DEFAULT_POLICY, AssistantFrom
from consentry.domain.types import Author, Role


def test_the_default_keeps_the_spec_contract_and_trains_only_on_service_replies() -> None:
    """SPEC §3: an account token may post `role: assistant`; the poisoning path is closed
    where it leads, the training export, which takes only service-written replies."""
    assert DEFAULT_POLICY.assistant_messages_from is AssistantFrom.ANY
    assert DEFAULT_POLICY.export_assistant_messages_from is AssistantFrom.SERVICE
    for author in Author:
        for role in Role:
            assert refusal(role=role, author=author, policy=DEFAULT_POLICY) is None


def test_service_lets_only_a_service_token_write_assistant_messages() -> None:
    strict = dataclasses.replace(DEFAULT_POLICY, assistant_messages_from=AssistantFrom.SERVICE)
    assert refusal(role=Role.ASSISTANT, author=Author.ACCOUNT, policy=strict)
    assert refusal(role=Role.ASSISTANT, author=Author.SERVICE, policy=strict) is None
    for author in Author:
        assert refusal(role=Role.USER, author=author, policy=strict) is None


@pytest.mark.parametrize("key", ["assistant_messages_from", "export_assistant_messages_from"])
def test_the_policy_file_reads_writes_and_checks_both_settings(key: str) -> None:
    other = "service" if getattr(DEFAULT_POLICY, key) is AssistantFrom.ANY else "any"
    assert getattr(parse_policy({key: other}), key) == other
    with pytest.raises(PolicyInvalid, match=key):
        parse_policy({key: "anyone"})
    changed = parse_policy({key: other})
    assert f'{key} = "{other}"' in policy_to_toml(changed)
    assert changed.digest != DEFAULT_POLICY.digest  # runs record which one they were made under
    assert getattr(load_policy(None), key) is getattr(DEFAULT_POLICY, key)
