"""dominicsayers/isemail's test addresses for the sixteenth set (issue 16).

``test/tests.xml`` and ``test/tests-original.xml`` (the older set, compiled from
other authors' examples, in the same schema): each ``<test>`` holds an ``<address>``
and the ``<category>`` is_email gives it, from the least to the most severe:
``ISEMAIL_VALID_CATEGORY``, ``ISEMAIL_DNSWARN`` (valid, but the domain had no DNS
record), ``ISEMAIL_RFC5321`` (valid for SMTP), ``ISEMAIL_CFWS`` (comments or
folding white space around it), ``ISEMAIL_DEPREC`` (obsolete syntax),
``ISEMAIL_RFC5322`` (beyond RFC 5321's limits) and ``ISEMAIL_ERR`` (not an address).
Control characters are written as their control pictures (U+2400 + the character's
code, the file's note 1) and read back here. Read with ``xml.etree``, no PHP run.
Labels by category (each holds for the whole kind):

* ``VALID``, ``DNSWARN`` and ``RFC5321`` addresses are ``EMAIL`` by the eighth set's
  rule for an address a validator accepts (``eighth.egulias.label``): left out where
  white space, a control character or a backslash is in it (a text scanner cannot take
  it as one span), the domain has no period (``test@io``: a local mailbox) or is an IP
  address or an address literal (``test@[IPv6:::]``: another type's);
* ``ERR`` addresses are negatives only where nothing address- or IP-like is in them
  (``sixth.goplayground.email_negative``: ``.test@iana.org`` and ``test@iana.org-``
  hold an address, left out) and they neither start nor end with white space;
* ``CFWS``, ``DEPREC`` and ``RFC5322`` addresses are left out: each holds an address
  (``(comment)test@iana.org``), but the value is not the span a text shows.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter

from ..eighth.egulias import label as egulias_label
from ..outside.harvest import Harvest

SOURCE = "isemail"
PATHS = ("test/tests.xml", "test/tests-original.xml")
VALID = ("ISEMAIL_VALID_CATEGORY", "ISEMAIL_DNSWARN", "ISEMAIL_RFC5321")
LEFT_OUT = ("ISEMAIL_CFWS", "ISEMAIL_DEPREC", "ISEMAIL_RFC5322")


def control(text: str) -> str:
    """``text`` with the control pictures U+2400-U+241F read back as U+0000-U+001F."""
    return re.sub("[\u2400-\u241f]", lambda m: chr(ord(m.group()) - 0x2400), text)


def tests(xml: str) -> list[tuple[str, str, str]]:
    """(id, category, address) of every test, the address's control pictures read back."""
    root = ET.fromstring(xml)
    return [
        (t.get("id", ""), t.findtext("category", ""), control(t.findtext("address") or ""))
        for t in root.iter("test")
    ]


def label(category: str, address: str) -> str | None:
    """``EMAIL``, ``NEGATIVE`` or None (left out), by the rules above."""
    if category in VALID:
        return egulias_label(True, address)
    if category == "ISEMAIL_ERR":
        return egulias_label(False, address)
    return None


def harvest(h: Harvest, path: str, xml: str) -> Counter[str]:
    """Add every labelled address of the file ``path``; returns what was left out, by why."""
    skipped: Counter[str] = Counter()
    for ident, category, address in tests(xml):
        got = label(category, address)
        where = f"{path}#{ident}"
        if got == "EMAIL":
            h.add("EMAIL", address, SOURCE, where)
        elif got == "NEGATIVE":
            h.negative("EMAIL", address, SOURCE, where)
        elif category in LEFT_OUT:
            skipped[f"{category}: an address in comments, spaces or old syntax"] += 1
        elif category == "ISEMAIL_ERR":
            skipped["ISEMAIL_ERR: empty, or something address-like left in it"] += 1
        else:
            skipped[f"{category}: not one span (spaces, no dotted domain, a literal)"] += 1
    return skipped
