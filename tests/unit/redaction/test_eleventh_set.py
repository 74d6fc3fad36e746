"""The eleventh set's harvest (issue 16) labels getsentry/relay's PII scrubber tests right.

SPEC §4 asks the filter for e-mail addresses, payment card numbers (Luhn-checked), US
SSNs and IBANs (checksummed), IPv4/IPv6 addresses, private-key blocks, passwords in URLs
and high-entropy tokens next to key words. relay's tests say, for each of its rules, what
it scrubs from an input; the eleventh set maps that onto the suite's types by kind: a
kind SPEC §4 asks for, where its shape and check hold, is the suite's type; IMEI, MAC,
UUID, user paths, public keys, failed checks and values removed only for their field's
name are not asked; what relay keeps is a negative only with nothing asked-shaped in it.
Pinned on examples of our own (not relay's values), and on the committed
``values.jsonl``'s shape and provenance; the rows are data in the modules, so the
harvest is checked to rewrite the file byte for byte without a mirror.
"""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.redaction.eleventh import attributes, builtin, harvest, kinds
from benchmarks.redaction.outside.harvest import Harvest
from tests.outside_sets import check_shape_and_provenance, seen_values

ELEVENTH = Path(harvest.__file__).parent


def test_checks_decide_card_and_iban_labels() -> None:
    # SPEC §4: card numbers Luhn-checked, IBANs checksummed; a number of their shape
    # whose check fails is not asked (relay's own regexes check neither).
    assert kinds.card_label("4000 0566 5566 5556") == "CARD"
    assert kinds.card_label("4000 0566 5566 5557") == "NOT_ASKED:CARD_NO_LUHN"
    assert kinds.iban_label("GB82WEST12345698765432") == "IBAN"
    assert kinds.iban_label("GB82WEST12345698765433") == "NOT_ASKED:IBAN_NO_CHECKSUM"
    assert kinds.ip_label("fd12:3456::7") == "IPV6"
    assert kinds.ip_label("198.51.100.23") == "IPV4"
    assert kinds.pem_label("-----BEGIN OPENSSH PRIVATE KEY-----\nb3Bl\n") == "PRIVATE_KEY"
    assert kinds.pem_label("-----BEGIN PUBLIC KEY-----\nMFkw\n") == "NOT_ASKED:PUBLIC_KEY"


def test_field_name_values_are_asked_only_when_secret_shaped() -> None:
    # SPEC §4 asks for high-entropy tokens next to key words, not for any value under a
    # password field: a word or a placeholder relay removes by its key is not asked.
    assert kinds.field_label("password", "sunflower") == "NOT_ASKED:FIELD_NAME"
    assert kinds.field_label("db_pass", "Vq7!rT2m") == "KEYWORD_SECRET"
    assert kinds.field_label("access_key", "k9Qz2Lx7Wm") == "TOKEN_CONTEXT"
    assert kinds.field_label("secret", "two words") == "NOT_ASKED:FIELD_NAME"


def test_rows_label_by_rule_and_keep_secrets_in_their_line() -> None:
    # SPEC §4: a URL password and a Bearer token are found in their line; PII is placed
    # by the suite's templates; an IMEI or a user path is not asked, kept in its line.
    h = Harvest()
    builtin.add(h, "@urlauth", "smtp://ops:Tq8mZ1@mail.test/", "Tq8mZ1", "builtin", "x.rs")
    builtin.add(h, "@bearer", "sent Bearer Zk81Lq0w", "Zk81Lq0w", "builtin", "x.rs")
    builtin.add(h, "@email", "Ann <ann@mail.test>", "ann@mail.test", "builtin", "x.rs")
    builtin.add(h, "@imei", "imei 490154203237518", "490154203237518", "builtin", "x.rs")
    got = [(i["label"], i["value"], i.get("context", "")) for i in h.items]
    assert got == [
        ("URL_PASSWORD", "Tq8mZ1", "smtp://ops:Tq8mZ1@mail.test/"),
        ("TOKEN_CONTEXT", "Zk81Lq0w", "sent Bearer Zk81Lq0w"),
        ("EMAIL", "ann@mail.test", ""),
        ("NOT_ASKED:IMEI", "490154203237518", "imei 490154203237518"),
    ]


def test_attributes_as_eap_writes_them() -> None:
    # SPEC §4 key-word secrets: an attribute's value under its key, on one line.
    line = attributes.attribute("api_key", "k9Qz2Lx7Wm")
    assert line == '"api_key": {"type": "string", "value": "k9Qz2Lx7Wm"}'


def test_values_jsonl_shape_and_provenance() -> None:
    check_shape_and_provenance(ELEVENTH, harvest.SEEN, values=25, negatives=20)
    items = [json.loads(line) for line in (ELEVENTH / "values.jsonl").read_text().splitlines()]
    assert {i["source"] for i in items} == {"builtin", "convert", "eap", "integration", "processor"}


def test_harvest_rewrites_values_jsonl(tmp_path: Path) -> None:
    collected = harvest.collect()
    collected.write_unseen(tmp_path / "values.jsonl", seen_values(harvest.SEEN))
    assert (tmp_path / "values.jsonl").read_bytes() == (ELEVENTH / "values.jsonl").read_bytes()
