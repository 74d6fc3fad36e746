"""awslabs/git-secrets' test lines for the seventeenth set (issue 16).

git-secrets ships no fixture files; its labelled material is the bats tests' shell text,
read as text (no test run):

* ``test/git-secrets.bats``, "Scans using keys from credentials file": the lines echoed
  into ``test.ini``. ``--aws-provider`` prints every ``aws_access_key_id`` and
  ``aws_secret_access_key`` value (awk on ``=``, spaces and quotes removed) and ``--scan``
  then flags each. A secret access key's value is ``KEYWORD_SECRET`` in its line; an
  access key id is an identifier, not a secret (none here is ``AKIA``-shaped):
  ``NOT_ASKED:IDENTIFIER``, as the ninth set labels AWS account ids;
* the lines and commit messages the tests assert pass (``[ $status -eq 0 ]``, or "does
  not match as it is not a word"): negatives, each as it stands.

The AWS example keys ``--register-aws`` allows (``AKIAIOSFODNN7EXAMPLE``, ...) are left
out: an asked kind's shape, so never a negative; the custom patterns the tests register
(``@todo``, ``forbidden|me``) are no secrets: left out too.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ..outside.harvest import Harvest

SOURCE = "git-secrets"
MAIN = "test/git-secrets.bats"
_CREDENTIALS = re.compile(r"echo '([^']*)' >>? \$BATS_TMPDIR/test\.ini")
# (file, line) the tests assert pass: each must be quoted in that file at the pinned commit.
CLEAN = (
    (MAIN, "it is ok"),
    (MAIN, "mesa Jar Jar Binks"),
    ("test/test_helper.bash", "hi there"),
    ("test/pre-commit.bats", "This is fine"),
    ("test/pre-commit.bats", "This is also fine"),
    ("test/commit-msg.bats", "This is OK"),
)


def credentials(h: Harvest, text: str) -> None:
    """The credentials file's values, labelled by key."""
    for line in _CREDENTIALS.findall(text):
        key, _, raw = line.partition("=")
        value = raw.replace(" ", "").replace('"', "")
        if "secret" in key:
            h.add("KEYWORD_SECRET", value, SOURCE, MAIN, context=line)
        else:
            h.add("NOT_ASKED:IDENTIFIER", value, SOURCE, MAIN, context=line)


def harvest(h: Harvest, show: Callable[[str], str]) -> None:
    """Every labelled line above."""
    credentials(h, show(MAIN))
    for path, line in CLEAN:
        if f"'{line}'" not in show(path):
            raise ValueError(f"{path} no longer holds {line!r}")
        h.negative("KEYWORD_SECRET", line, SOURCE, path)
