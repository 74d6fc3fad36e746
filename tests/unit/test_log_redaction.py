"""Tracebacks in the log name types and frames, never exception messages (issue 17 item 1)."""

from __future__ import annotations

from consentry.entrypoints.api.logs import redacted_traceback


def _raise_chain(content: str) -> None:
    try:
        {"a": 1}[content]
    except KeyError as error:
        raise ValueError(f"could not store {content!r}") from error


def test_messages_are_withheld_but_types_and_frames_stay() -> None:
    try:
        _raise_chain("PRIVATE: my password is " + "hunter2")
    except ValueError as error:
        text = redacted_traceback(error)
    assert "my password is hunter2" not in text  # the value, not the source line building it
    assert "builtins.KeyError" in text and "builtins.ValueError" in text
    assert "_raise_chain" in text  # the frame that failed
    assert text.count("Traceback (most recent call last)") == 2  # the cause is kept
