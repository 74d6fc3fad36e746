"""XML name-value lists: ``<key>NAME</key>`` then ``<value>VALUE</value>`` (issue 16,
round twelve).

SPEC §4: "passwords ... next to key words". The key element names the value element
that follows it, on the same line or the next; its text is a literal. Examples of my
own; both scans must agree.
"""

from __future__ import annotations

import pytest

from consentry.redaction import Redactor

PYTHON = Redactor(native=False)
COMPILED = Redactor()

TOKEN = "Qx7mR2vK9pLw4tZ8nB3c"  # looks generated (my own)


def _found(redactor: Redactor, text: str) -> list[str]:
    return [text[f.start : f.end] for f in redactor.redact(text).findings]


PAIRS = [
    (
        "<entry>\n  <key>mail.password</key>\n  <value>marzipanLoaf</value>\n</entry>",
        "marzipanLoaf",
    ),
    ("<entry><key>smtp_secret</key><value> marzipanLoaf </value></entry>", "marzipanLoaf"),
    (f"<entry>\n\t<key>deployToken</key>\r\n\t<value>{TOKEN}</value>\n</entry>", TOKEN),
]


@pytest.mark.parametrize(("text", "value"), PAIRS)
def test_value_element_after_a_secret_key_element_is_found(text: str, value: str) -> None:
    """SPEC §4: the value of a key element that names a password or secret."""
    for redactor in (PYTHON, COMPILED):
        assert _found(redactor, text) == [value], text


NOT_SECRETS = [
    "<key>mail.password_hint</key>\n<value>the usual one</value>",  # names a hint
    "<key>mail.host</key>\n<value>marzipanLoaf</value>",  # not a key word
    "<key>deployToken</key>\n<value>marzipanLoaf</value>",  # a token that is a word
    "<key>mail.password</key>\n<value>${MAIL_PASSWORD}</value>",  # a template
    "<key>mail.password</key>\n\n<value>marzipanLoaf</value>",  # not the next line
]


@pytest.mark.parametrize("text", NOT_SECRETS)
def test_other_key_value_pairs_are_left(text: str) -> None:
    """SPEC §4: keys that name something else, placeholders and distant values are left."""
    for redactor in (PYTHON, COMPILED):
        assert _found(redactor, text) == [], text
