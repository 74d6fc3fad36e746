"""deepfence/SecretScanner's and Bearer/bearer's test inputs for the seventeenth set
(issue 16): the lines their scanners must flag, read as text (no scan run).

* SecretScanner's ``test/keys.txt``: its sample of keys, every line holding one. A
  provider token (``AKIA`` and 16 or more capitals or digits, ``sk_live_...``) is
  ``TOKEN_CONTEXT`` in its line; the CSV row under ``Access key ID,Secret access key``
  gives its second field, the secret access key, ``KEYWORD_SECRET`` in header and row; a
  Google OAuth client id (``...apps.googleusercontent.com``) is an identifier,
  ``NOT_ASKED:IDENTIFIER`` as the ninth set labels it;
* Bearer's gitleaks detector test (``pkg/detectors/gitleaks``): the AWS access key its
  snapshot reports in ``testdata/aws.js``, ``TOKEN_CONTEXT`` in its line; its e2e secrets
  rule test (``e2e/rules/testdata/data/secrets/leaked.rb``): the PGP private key block
  the snapshot reports, ``PRIVATE_KEY`` (its body is a toy, ``asdf``: Bearer's label).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ..outside.harvest import Harvest

KEYS = "test/keys.txt"
AWS_JS = "pkg/detectors/gitleaks/testdata/aws.js"
LEAKED = "e2e/rules/testdata/data/secrets/leaked.rb"
_TOKEN = re.compile(r"AKIA[A-Z0-9]{16,}|sk_live_[A-Za-z0-9]+")
_CLIENT_ID = re.compile(r"[\w-]+\.apps\.googleusercontent\.com")
_HEADER = "Access key ID,Secret access key"
_BLOCK = re.compile(r"-----BEGIN[A-Z ]*-----.*?-----END[A-Z ]*-----", re.S)


def keys(h: Harvest, text: str) -> None:
    """SecretScanner's sample: each line's key, labelled by kind."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line == _HEADER:
            continue
        if i and lines[i - 1] == _HEADER and "," in line:
            secret = line.split(",", 1)[1]
            h.add("KEYWORD_SECRET", secret, "secretscanner", KEYS, context=f"{_HEADER}\n{line}")
        elif m := _CLIENT_ID.search(line):
            h.add("NOT_ASKED:IDENTIFIER", m.group(0), "secretscanner", KEYS, context=line)
        for m in _TOKEN.finditer(line):
            h.add("TOKEN_CONTEXT", m.group(0), "secretscanner", KEYS, context=line)


def bearer(h: Harvest, show: Callable[[str], str]) -> None:
    """Bearer's reported AWS key and private key block."""
    for line in show(AWS_JS).splitlines():
        for m in _TOKEN.finditer(line):
            h.add("TOKEN_CONTEXT", m.group(0), "bearer", AWS_JS, context=line.strip())
    for line in show(LEAKED).splitlines():
        for m in _BLOCK.finditer(line):
            h.add("PRIVATE_KEY", m.group(0), "bearer", LEAKED, context=line.strip())
