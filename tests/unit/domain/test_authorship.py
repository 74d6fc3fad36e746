"""`assistant_messages_from` (issue 17 item 7): who may write the assistant's words."""

from __future__ import annotations

import dataclasses

import pytest

from consentry.config.policy_file import load_policy, parse_policy, policy_to_toml
from consentry.domain.authorship import refusal
from consentry.domain.errors import PolicyInvalid
from consentry.domain.policy import DEFAULT_POLICY, AssistantFrom
from consentry.domain.types import Author, Role


def test_the_default_lets_only_a_service_token_write_assistant_messages() -> None:
    assert DEFAULT_POLICY.assistant_messages_from is AssistantFrom.SERVICE
    assert refusal(role=Role.ASSISTANT, author=Author.ACCOUNT, policy=DEFAULT_POLICY)
    assert refusal(role=Role.ASSISTANT, author=Author.SERVICE, policy=DEFAULT_POLICY) is None
    for author in Author:
        assert refusal(role=Role.USER, author=author, policy=DEFAULT_POLICY) is None


def test_any_keeps_the_first_contract() -> None:
    lenient = dataclasses.replace(DEFAULT_POLICY, assistant_messages_from=AssistantFrom.ANY)
    for author in Author:
        assert refusal(role=Role.ASSISTANT, author=author, policy=lenient) is None


def test_the_policy_file_reads_writes_and_checks_the_setting() -> None:
    assert parse_policy({"assistant_messages_from": "any"}).assistant_messages_from == "any"
    with pytest.raises(PolicyInvalid, match="assistant_messages_from"):
        parse_policy({"assistant_messages_from": "anyone"})
    lenient = parse_policy({"assistant_messages_from": "any"})
    assert 'assistant_messages_from = "any"' in policy_to_toml(lenient)
    assert lenient.digest != DEFAULT_POLICY.digest  # runs record which one they were made under
    assert load_policy(None).assistant_messages_from is AssistantFrom.SERVICE
