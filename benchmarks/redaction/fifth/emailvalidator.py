"""JoshData/python-email-validator's syntax tests for the fifth set (issue 16).

``tests/test_syntax.py``'s ``pytest.mark.parametrize`` rows, read with ``ast`` (no code
run): the first element of each row is the input. Labels by test function:

* ``test_email_valid``, ``test_email_valid_intl_local_part`` (international local parts,
  IDN domains) and the pyIsEmail rows with status ``ISEMAIL_VALID`` are ``EMAIL``, but
  for a display name (``My Name <me@example.org>``: the address is not the whole value,
  as validator.js' display names are left out);
* the inputs of ``test_email_invalid_syntax`` and the pyIsEmail ``ISEMAIL_ERR_*`` rows
  are negatives (group ``EMAIL``) only where no ``x@y.z`` is in them (``hello.world``,
  ``my@localhost``, ``@iana.org``) and no IPv4 address (``me@[127.0.0.1]``: the
  literal is an IP address, another type's to find); an address with one bad character, a trailing
  period or a doubled dot holds an address a reader would call someone's, and is left
  out, as are the rows whose input starts or ends with white space (their span is not
  the value's).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator

from ..outside.harvest import Harvest

PATH = "tests/test_syntax.py"
VALID = {"test_email_valid", "test_email_valid_intl_local_part"}
INVALID = {"test_email_invalid_syntax"}
PYISEMAIL = "test_pyisemail_tests"
_EMAIL_LIKE = re.compile(r"[^\s@]@[^\s@]*\.[^\W\d_]")
_IPV4 = re.compile(
    r"(?<!\d)(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)(?!\d)"
)


def rows(source: str) -> Iterator[tuple[str, str, str]]:
    """(test function, input, second element if a string) of every parametrize row."""
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.FunctionDef):
            continue
        for deco in node.decorator_list:
            if not (isinstance(deco, ast.Call) and getattr(deco.func, "attr", "") == "parametrize"):
                continue
            if len(deco.args) < 2 or not isinstance(deco.args[1], ast.List):
                continue
            for row in deco.args[1].elts:
                if not isinstance(row, ast.Tuple | ast.List) or not row.elts:
                    continue
                first, rest = row.elts[0], row.elts[1:]
                if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
                    continue
                second = rest[0] if rest else None
                status = second.value if isinstance(second, ast.Constant) else ""
                yield node.name, first.value, str(status)


def label(test: str, value: str, status: str) -> str | None:
    """``EMAIL``, ``NEGATIVE`` or None (left out), by the rules above."""
    if value != value.strip() or not value:
        return None
    if test in VALID or (test == PYISEMAIL and status == "ISEMAIL_VALID"):
        return None if "<" in value else "EMAIL"
    invalid = test in INVALID or (test == PYISEMAIL and status.startswith("ISEMAIL_ERR"))
    if invalid and not _EMAIL_LIKE.search(value) and not _IPV4.search(value):
        return "NEGATIVE"
    return None


def harvest(h: Harvest, show: Callable[[str], str]) -> None:
    """Every labelled row of the syntax tests."""
    for test, value, status in rows(show(PATH)):
        got = label(test, value, status)
        if got == "EMAIL":
            h.add("EMAIL", value, "email-validator", PATH)
        elif got == "NEGATIVE":
            h.negative("EMAIL", value, "email-validator", PATH)
