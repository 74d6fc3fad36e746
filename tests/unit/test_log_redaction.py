"""Tracebacks in the log name types and frames, never exception messages (issue 17 item 1)."""

from __future__ import annotations

from consentry.entrypoints.api.logs import redacted_traceback


def _raise_chain() -> None:
    try:
        {"a": 1}["PRIVATE key hunter2"]
    except KeyError as error:
        raise ValueError("could not store 'PRIVATE: my password is hunter2'") from error


def test_messages_are_withheld_but_types_and_frames_stay() -> None:
    try:
        _raise_chain()
    except ValueError as error:
        text = redacted_traceback(error)
    assert "hunter2" not in text
    assert "builtins.KeyError" in text and "builtins.ValueError" in text
    assert "_raise_chain" in text  # the frame that failed
    assert text.count("Traceback (most recent call last)") == 2  # the cause is kept
