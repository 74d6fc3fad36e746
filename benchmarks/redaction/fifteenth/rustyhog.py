"""newrelic/rusty-hog's expected findings for the fifteenth set (issue 16).

rusty-hog ships no fixture files; its labelled material is the Rust unit tests of its
scanner crate and one command test, read from the Rust text (no test run):

* ``crates/rusty-hog-scanner/src/lib.rs``, ``generic_secret_regex_test``: a block of
  lines and the number of lines the scanner must report (``assert_eq!(findings.len(),
  N)``). A line is taken as a finding where a ``secret`` key is given a value (``secret:
  X``, ``another_secret = "X"``); the value is ``KEYWORD_SECRET``. The rows are used only
  where that rule gives the test's count, and the other lines are then negatives (the
  ``not_so_secret_but_has_the_word_secret_and_is_long`` identifier);
* ``email_address_regex_test``: the one line the test asserts is found is ``EMAIL``; the
  others are negatives unless something e-mail-shaped is in them (``git@github.com:...``,
  ``user@host.com`` in a URL: rusty-hog skips them, but they are look-alikes, left out);
* ``check_entropy``'s calls: the generic-secret line it accepts is ``KEYWORD_SECRET``, the
  one it rejects as too low in entropy (``AAAAAAAAABBBB...``) a negative;
* ``src/bin/duroc_hog.rs``, ``does_not_scan_output_file``: the file text the scan must
  report (``My email is ...``) ``EMAIL``; ``allowlist_json_file_prevents_output`` scans
  the same text with it allowed on purpose: not a negative.

The entropy-threshold test (``test_entropy_findings``) asserts one finding among five
lines without saying which: left out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from ..outside.harvest import Harvest

SOURCE = "rusty-hog"
LIB = "crates/rusty-hog-scanner/src/lib.rs"
DUROC = "src/bin/duroc_hog.rs"
_FN = re.compile(r"#\[test\]\s*fn (\w+)\(\)[^{]*\{(.*?)\n    \}\n", re.S)
_RAW = re.compile(r'r#"(.*?)"#', re.S)
_COUNT = re.compile(r"assert_eq!\(findings\.len\(\), (\d+)\)")
_ASSIGNED = re.compile(r"(?i)secret\s*[:=]\s*\"?([0-9a-zA-Z_-]{16,64})\"?\s*$")
_FOUND_LINE = re.compile(r'assert_eq!\(f\.1, "\s*([^"]*)"\)')
_EMAIL_SHAPED = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}")
_ENTROPY_CALL = re.compile(r'let (\w+) = ss\.check_entropy\(\s*"[^"]*",\s*"([^"]*)"')
_WRITE = re.compile(r'write_temp_file\(\s*&temp_dir,\s*"[^"]*",\s*"([^"]*)"')


def tests(text: str) -> Iterator[tuple[str, str]]:
    """(name, body) of each ``#[test]`` function."""
    for m in _FN.finditer(text):
        yield m.group(1), m.group(2)


def _lines(body: str) -> list[str]:
    raw = _RAW.search(body)
    return [line.strip() for line in raw.group(1).splitlines() if line.strip()] if raw else []


def generic_secret(h: Harvest, body: str) -> None:
    """Values given to a ``secret`` key, where their number is the test's count."""
    lines = _lines(body)
    count = _COUNT.search(body)
    found = [(line, m.group(1)) for line in lines if (m := _ASSIGNED.search(line))]
    if not count or len(found) != int(count.group(1)):
        return
    for line, value in found:
        h.add("KEYWORD_SECRET", value, SOURCE, LIB, context=line)
    for line in lines:
        if not _ASSIGNED.search(line):
            h.negative("KEYWORD_SECRET", line, SOURCE, LIB)


def email(h: Harvest, body: str) -> None:
    """The line the test asserts is an e-mail address; clean lines as negatives."""
    asserted = _FOUND_LINE.search(body)
    if not asserted:
        return
    for line in _lines(body):
        if line == asserted.group(1).strip():
            h.add("EMAIL", line, SOURCE, LIB, context=line)
        elif not _EMAIL_SHAPED.search(line):
            h.negative("EMAIL", line, SOURCE, LIB)


def entropy(h: Harvest, body: str) -> None:
    """``check_entropy``'s accepted line (its value a secret) and rejected one."""
    for var, line in _ENTROPY_CALL.findall(body):
        m = _ASSIGNED.search(line)
        if f"assert!({var});" in body and m:
            h.add("KEYWORD_SECRET", m.group(1), SOURCE, LIB, context=line)
        elif f"assert!(!{var});" in body:
            h.negative("KEYWORD_SECRET", line, SOURCE, LIB)


def harvest(h: Harvest, show: Callable[[str], str]) -> None:
    """Every labelled line of the tests above."""
    readers = {"generic_secret_regex_test": generic_secret, "email_address_regex_test": email,
               "test_check_entropy": entropy}  # fmt: skip
    for name, body in tests(show(LIB)):
        if name in readers:
            readers[name](h, body)
    for name, body in tests(show(DUROC)):
        if name == "does_not_scan_output_file":
            for text in _WRITE.findall(body):
                for m in _EMAIL_SHAPED.finditer(text):
                    h.add("EMAIL", m.group(0), SOURCE, DUROC, context=text)
