"""bigcode-project/bigcode-dataset's PII pipeline for the fourteenth set (issue 16).

``pii/``: the pipeline that took e-mail addresses, IP addresses and keys out of The
Stack. Its one test (``pii/tests/test_evaluation.py``) scores spans by offsets and holds
no text, so the values are the pipeline's own examples with the outcome it states, read
as text (``json``, ``ast``), nothing run:

* ``pii/replacements.json``: the values it puts in place of what it found, under the tag
  it found (``EMAIL``, ``IP_ADDRESS``'s ``IPv4`` and ``IPv6``, ``KEY``): e-mail
  addresses ``EMAIL``; addresses ``IPV4``/``IPV6`` where ``ipaddress`` parses them;
  ``KEY``'s bare random strings ``NOT_ASKED:HIGH_ENTROPY`` (SPEC §4 asks for
  high-entropy tokens next to key words; these stand alone);
* ``pii/pii_redaction.py``'s ``POPULAR_DNS_SERVERS``: addresses its IP detector finds
  (and its redaction then keeps, as public services) ``IPV4``;
* ``pii/ner/pii_inference/utils/postprocessing.py``'s docstring example: the content
  line with an e-mail address and a ``'SUPER_SECRET_KEY':'…'`` entry the model tags
  (``EMAIL``; the key's value ``KEYWORD_SECRET`` in its own line).

The notebooks' outputs are real files of The Stack (real people's addresses): left out.
"""

from __future__ import annotations

import ast
import ipaddress
import json
import re
from collections import Counter
from collections.abc import Callable

from ..outside.harvest import Harvest

SOURCE = "bigcode"
REPLACEMENTS = "pii/replacements.json"
REDACTION = "pii/pii_redaction.py"
POSTPROCESSING = "pii/ner/pii_inference/utils/postprocessing.py"
_EMAIL = re.compile(r"<([\w.+-]+@[\w-]+(?:\.[\w-]+)+)>")
_KEY_ENTRY = re.compile(r"'(\w*(?:KEY|SECRET|TOKEN|PASSWORD)\w*)':'([^']+)'")


def ip_label(value: str) -> str | None:
    """``IPV4``/``IPV6`` where ``ipaddress`` parses ``value``, else None."""
    try:
        return "IPV6" if ipaddress.ip_address(value).version == 6 else "IPV4"
    except ValueError:
        return None


def replacements(h: Harvest, text: str, path: str = REPLACEMENTS) -> Counter[str]:
    """The replacement values by the tag they stand for (rules above)."""
    skipped: Counter[str] = Counter()
    for tag, values in json.loads(text).items():
        flat = [v for vs in values.values() for v in vs] if isinstance(values, dict) else values
        for value in flat:
            if tag == "EMAIL" and "@" in value:
                h.add("EMAIL", value, SOURCE, path)
            elif tag == "IP_ADDRESS" and (lab := ip_label(value)):
                h.add(lab, value, SOURCE, path)
            elif tag == "KEY":
                h.add("NOT_ASKED:HIGH_ENTROPY", value, SOURCE, path)
            else:
                skipped[f"{tag}: not a value of its tag"] += 1
    return skipped


def dns_servers(h: Harvest, text: str, path: str = REDACTION) -> None:
    """``POPULAR_DNS_SERVERS``' addresses (``IPV4``)."""
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == (
            "POPULAR_DNS_SERVERS"
        ):
            for elt in getattr(node.value, "elts", []):
                if isinstance(elt, ast.Constant) and (lab := ip_label(str(elt.value))):
                    h.add(lab, elt.value, SOURCE, path)


def docstring_example(h: Harvest, text: str, path: str = POSTPROCESSING) -> None:
    """The e-mail address and the key entry of the post-processing docstring's content."""
    for line in text.splitlines():
        for m in _EMAIL.finditer(line):
            h.add("EMAIL", m.group(1), SOURCE, path)
        for m in _KEY_ENTRY.finditer(line):
            h.add("KEYWORD_SECRET", m.group(2), SOURCE, path, context=m.group(0))


def harvest(h: Harvest, show: Callable[[str], str]) -> Counter[str]:
    """All three; returns what was skipped, by why."""
    skipped = replacements(h, show(REPLACEMENTS))
    dns_servers(h, show(REDACTION))
    docstring_example(h, show(POSTPROCESSING))
    return skipped
