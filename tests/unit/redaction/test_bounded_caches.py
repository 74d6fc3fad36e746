"""The filter's memoised validators are bounded (SPEC §4: the filter runs over whole
exports; a cache keyed on the numbers it has seen must not grow with the export)."""

from __future__ import annotations

from consentry.redaction import fieldnumbers, nationalids


def test_validator_caches_keyed_on_input_are_bounded() -> None:
    """SPEC §4 filter over long exports: every per-value cache has a maxsize."""
    cached = [
        fieldnumbers._valid_nationally,
        fieldnumbers._valid_internationally,
        fieldnumbers._possible_internationally,
        fieldnumbers._other_number,
        fieldnumbers._phone_said,
        nationalids._validators,
        nationalids._length_validators,
        nationalids._valid_national_id,
    ]
    for function in cached:
        assert function.cache_info().maxsize == fieldnumbers.CACHE_SIZE, function
