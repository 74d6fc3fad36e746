"""Sealed secrets at rest (issue 17 item 5): AES-GCM bound to the row, under a sub-key."""

from __future__ import annotations

import pytest

from consentry.config.sealing import PREFIX, SecretBox, SecretUnreadable, is_sealed

MASTER = b"m" * 40
SECRET = "a3" * 32


def test_sealed_value_opens_only_with_the_key_and_row_it_was_sealed_for() -> None:
    box = SecretBox.from_master(MASTER)
    sealed = box.seal(SECRET, context="runs.pseudonym_secret:run_1")
    assert is_sealed(sealed) and sealed.startswith(PREFIX)
    assert SECRET not in sealed
    assert box.open(sealed, context="runs.pseudonym_secret:run_1") == SECRET
    with pytest.raises(SecretUnreadable, match="does not open"):
        box.open(sealed, context="runs.pseudonym_secret:run_2")  # copied to another row
    with pytest.raises(SecretUnreadable, match="does not open"):
        SecretBox.from_master(b"n" * 40).open(sealed, context="runs.pseudonym_secret:run_1")
    with pytest.raises(SecretUnreadable):
        box.open(sealed[:-4] + "AAAA", context="runs.pseudonym_secret:run_1")


def test_two_seals_of_one_secret_differ() -> None:
    box = SecretBox.from_master(MASTER)
    assert box.seal(SECRET, context="c") != box.seal(SECRET, context="c")


def test_values_stored_before_sealing_stay_readable() -> None:
    assert SecretBox.from_master(MASTER).open(SECRET, context="c") == SECRET
