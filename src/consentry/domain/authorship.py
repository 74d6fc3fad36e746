"""Who may write what into a conversation (issue 17 item 7).

An assistant message that reaches a training run teaches the model what the assistant
says; if a user's own token could write one, any user could put words in the
assistant's mouth and into the training data. The policy's `assistant_messages_from`
decides whether only the assistant's backend (a service token) may.
"""

from __future__ import annotations

from consentry.domain.policy import AssistantFrom, Policy
from consentry.domain.types import Author, Role


def refusal(*, role: Role, author: Author, policy: Policy) -> str | None:
    """Why this credential kind may not write this role, or None when it may."""
    if (
        role is Role.ASSISTANT
        and author is Author.ACCOUNT
        and policy.assistant_messages_from is AssistantFrom.SERVICE
    ):
        return (
            "assistant messages are written by the assistant's backend with a service token "
            '(policy assistant_messages_from = "service"); an account token may write '
            'role "user" only'
        )
    return None
