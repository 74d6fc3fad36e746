"""The fourteenth set's harvest (issue 16) reads its sources' expected answers right.

SPEC §4 asks the filter for e-mail addresses, phone numbers, payment card numbers
(Luhn-checked), national identifiers with checksums (US SSN, IBAN at least) and IPv4/IPv6
addresses. The fourteenth set takes them from django/django-localflavor's form field tests
and bigcode-project/bigcode-dataset's PII pipeline. Pinned here on small inputs of our own
shape (not on the mirrors): the ``assertFieldOutput`` read (dicts in the call, bound to a
name, passed by keyword), the label rules by kind (a checksummed id or IBAN only where its
check holds, kinds SPEC §4 does not ask for apart), a rejected input a negative only for a
not-asked kind's field and with nothing of an asked kind's shape in it, the pipeline's
values by the tag they stand for, and the committed ``values.jsonl``'s shape and
provenance, and (where the mirrors are here) that the harvest rewrites it byte for byte.
"""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.redaction.fourteenth import bigcode, harvest, localflavor
from benchmarks.redaction.outside.harvest import Harvest
from tests.outside_sets import check_shape_and_provenance, mirrors_or_skip, seen_values

FOURTEENTH = Path(harvest.__file__).parent
TESTS = """
from django.test import SimpleTestCase


class XXTests(SimpleTestCase):
    def test_XXZipCodeField(self):
        error = ['Enter a zip code in the format XXXX.']
        valid = {'4711': '4711', ' 4712 ': '4712'}
        invalid = {'47-11': error, 'ab': error, 'call 415 555 0137': error}
        self.assertFieldOutput(XXZipCodeField, valid, invalid)

    def test_BRCPFField(self):
        invalid = {'111.444.777-36': ['Invalid CPF number.']}
        self.assertFieldOutput(
            forms.BRCPFField, valid={'111.444.777-35': '11144477735'}, invalid=invalid
        )

    def test_rebound(self):
        valid = dict((k, k) for k in ('x',))
        self.assertFieldOutput(BICFormField, valid, {'DEUTDEFX1': ['Bad.']})
        valid = {'COBADEFFXXX': 'COBADEFFXXX'}
        self.assertFieldOutput(BICFormField, valid, {})
"""


def test_assert_field_output_calls() -> None:
    # SPEC §4 national identifiers: each call's field and the keys of its valid and
    # invalid dicts, in the call, by keyword or bound earlier in the same test; a dict
    # that is not a literal is None.
    assert list(localflavor.cases(TESTS)) == [
        ("XXZipCodeField", ["4711", " 4712 "], ["47-11", "ab", "call 415 555 0137"]),
        ("BRCPFField", ["111.444.777-35"], ["111.444.777-36"]),
        ("BICFormField", None, ["DEUTDEFX1"]),
        ("BICFormField", ["COBADEFFXXX"], []),
    ]


def test_labels_by_kind() -> None:
    # SPEC §4: a personal id with a check digit only where python-stdnum's check holds
    # (a failing one is a look-alike: None), or where stdnum has none and the field checks
    # one; IBANs where mod 97 holds; Spain's CIF (a company's) and other kinds apart.
    label = localflavor.label
    assert label("BRCPFField", "111.444.777-35") == "NATIONAL_ID"
    assert label("BRCPFField", "111.444.777-36") is None
    assert label("PLPESELField", "44051401458") == "NATIONAL_ID"
    assert label("SGNRICFINField", "S1234567D") == "NATIONAL_ID"  # the field's own check
    assert label("PTSocialSecurityNumberField", "20000000001") == "NOT_ASKED:COMPANY_ID"
    assert label("IBANFormField", "DE89 3704 0044 0532 0130 00") == "IBAN"
    assert label("IBANFormField", "DE89 3704 0044 0532 0130 01") is None
    assert label("ESIdentityCardNumberField", "12345678Z") == "NATIONAL_ID"
    assert label("ESIdentityCardNumberField", "B12345674") == "NOT_ASKED:COMPANY_ID"
    assert label("USSocialSecurityNumberField", "536-22-4187") == "SSN"
    assert label("FRZipCodeField", "75001") == "NOT_ASKED:POSTAL_CODE"
    assert label("FRSIRENField", "732829320") == "NOT_ASKED:COMPANY_ID"
    assert label("DEIdentityCardNumberField", "x") == "NOT_ASKED:IDENTIFIER"
    assert label("USStateField", "CA") is None
    assert localflavor.kind("BICFormField") == "BIC"


def test_harvest_values_negatives_and_look_alikes() -> None:
    # SPEC §4: accepted inputs by the field's kind; a rejected input of an asked kind's
    # field (the CPF) is a look-alike, never a negative; a rejected postal code is one
    # only with nothing asked-shaped in it (a phone in it: left out); BICs negatives.
    h = Harvest()
    path = "tests/test_xx.py"
    skipped = localflavor.harvest(h, lambda _d: [path, "tests/README"], lambda _p: TESTS)
    got = [(i["label"], i["value"]) for i in h.items]
    assert got == [
        ("NOT_ASKED:POSTAL_CODE", "4711"),
        ("NOT_ASKED:POSTAL_CODE", "4712"),
        ("NEGATIVE", "47-11"),
        ("NEGATIVE", "ab"),
        ("NATIONAL_ID", "111.444.777-35"),
        ("NEGATIVE", "COBADEFFXXX"),
    ]
    assert skipped["rejected: a look-alike"] == 3  # the phone, the CPF, the BIC's reject
    assert skipped["dict not a literal of string keys"] == 1


def test_bigcode_values_by_tag() -> None:
    # SPEC §4 e-mail and IP addresses: the pipeline's replacements by their tag (a bare
    # random key not asked), its DNS servers as IPv4, its docstring's address and key.
    h = Harvest()
    replacements = {
        "EMAIL": ["qwert@example.com"],
        "KEY": ["0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d"],
        "IP_ADDRESS": {"IPv4": ["10.1.2.3", "300.1.2.3"], "IPv6": ["fd00:1::2"]},
    }
    skipped = bigcode.replacements(h, json.dumps(replacements))
    bigcode.dns_servers(h, 'POPULAR_DNS_SERVERS = [\n    "9.9.9.10",\n]\nOTHER = ["1.2.3.4"]\n')
    bigcode.docstring_example(
        h,
        "  # Written by A Person <a.person@mail.example>\n"
        "  'API_KEY':'Zx81kLmq02Hhw'\"\n  <|a|.|person|@|mail|>",
    )
    got = [(i["label"], i["value"]) for i in h.items]
    assert got == [
        ("EMAIL", "qwert@example.com"),
        ("NOT_ASKED:HIGH_ENTROPY", "0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d"),
        ("IPV4", "10.1.2.3"),
        ("IPV6", "fd00:1::2"),
        ("IPV4", "9.9.9.10"),
        ("EMAIL", "a.person@mail.example"),
        ("KEYWORD_SECRET", "Zx81kLmq02Hhw"),
    ]
    assert h.items[-1]["context"] == "'API_KEY':'Zx81kLmq02Hhw'"
    assert skipped == {"IP_ADDRESS: not a value of its tag": 1}


def test_values_jsonl_shape_and_provenance() -> None:
    check_shape_and_provenance(FOURTEENTH, harvest.SEEN, values=150, negatives=200)


def test_harvest_rewrites_values_jsonl(tmp_path: Path) -> None:
    collected, _skipped = harvest.collect(mirrors_or_skip(FOURTEENTH))
    collected.write_unseen(tmp_path / "values.jsonl", seen_values(harvest.SEEN))
    assert (tmp_path / "values.jsonl").read_bytes() == (FOURTEENTH / "values.jsonl").read_bytes()
