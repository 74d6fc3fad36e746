"""Letters-only values that are generated, not a type's name (issue 16, SPEC §4).

A YAML line ``password: SecretStr`` annotates a type: a PascalCase value after a key word
is a name, not a secret (:func:`.keyvalues.config_literal`). A generated value of letters
only can start with a capital too (``client_secret: QmTnVxLpRwKsZbcdwq``); a type's name
reads as words: capitals that start words of lower-case letters, acronyms of a few
capitals (``XMLHttpRequest``, ``KeyVaultSecretURL``). :func:`generated_letters` tells the
two apart on a value of 16 or more letters: 7 or more capitals in a row, or words that
average under 3 letters, are no name. ``config_literal`` asks :func:`.keyvalues.looks_generated`
too, so that a run such as ``AAAABBBBCCCC…`` stays no secret.
"""

from __future__ import annotations

MIN_LENGTH = 16
MAX_CAPITALS = 6


def _upper(c: int) -> bool:
    return 65 <= c <= 90


def generated_letters(value: bytes) -> bool:
    """Whether a letters-only ``value`` is too long a capital run, or too short words
    on average, to be a PascalCase name (the rule above)."""
    n = len(value)
    if n < MIN_LENGTH:
        return False
    run = longest = words = 0
    for i, c in enumerate(value):
        up = _upper(c)
        run = run + 1 if up else 0
        longest = max(longest, run)
        lower_next = i + 1 < n and 97 <= value[i + 1] <= 122
        words += up and (i == 0 or not _upper(value[i - 1]) or lower_next)
    return longest > MAX_CAPITALS or n < 3 * words
