"""The sixteenth set's harvest (issue 16) reads its sources' expected answers right.

SPEC §4 asks the filter for e-mail addresses, payment card numbers (Luhn-checked) and
national identifiers with checksums (IBAN at least). The sixteenth set takes them from
dominicsayers/isemail's test addresses, arhs/iban.js's tests and braintree/
card-validator's card number tests. Pinned here on small tests of our own shape (not
on the mirrors): the XML, JavaScript and TypeScript reads, the label rules by kind (an
address only where it is one span with a dotted domain, an IBAN only where mod 97
holds, a card only where Luhn holds; a failing one a look-alike, never a negative; an
error address a negative only with nothing address-like in it), the committed
``values.jsonl``'s shape and provenance, and (where the mirrors are here) that the
harvest rewrites it byte for byte.
"""

from __future__ import annotations

from pathlib import Path

from benchmarks.redaction.outside.harvest import Harvest
from benchmarks.redaction.sixteenth import cardvalidator, harvest, ibanjs, isemail
from tests.outside_sets import check_shape_and_provenance, mirrors_or_skip, seen_values

SIXTEENTH = Path(harvest.__file__).parent
XML = """<?xml version="1.0"?>
<tests version="9.9">
  <description><p>ours</p></description>
  <test id="1"><address>mia.h27@post.example.net</address>
    <category>ISEMAIL_VALID_CATEGORY</category></test>
  <test id="2"><address>"mia h27"@post.example.net</address>
    <category>ISEMAIL_RFC5321</category></test>
  <test id="3"><address>mia@[10.9.8.7]</address>
    <category>ISEMAIL_RFC5321</category></test>
  <test id="4"><address>mia@nowhere.example.org</address>
    <category>ISEMAIL_DNSWARN</category></test>
  <test id="5"><address>mia@mailhost</address>
    <category>ISEMAIL_VALID_CATEGORY</category></test>
  <test id="6"><address>(note)mia@post.example.net</address>
    <category>ISEMAIL_CFWS</category></test>
  <test id="7"><address>just-words</address>
    <category>ISEMAIL_ERR</category></test>
  <test id="8"><address>mia.@post.example.net</address>
    <category>ISEMAIL_ERR</category></test>
  <test id="9"><address>mia@post.example.net\u240d</address>
    <category>ISEMAIL_VALID_CATEGORY</category></test>
  <test id="10"><address/><category>ISEMAIL_ERR</category></test>
</tests>
"""


def test_isemail_reads_tests_and_control_pictures() -> None:
    # SPEC §4 e-mail addresses: each test's id, category and address, a control picture
    # (U+240D) read back as the control character it stands for (CR).
    got = isemail.tests(XML)
    assert got[0] == ("1", "ISEMAIL_VALID_CATEGORY", "mia.h27@post.example.net")
    assert got[8] == ("9", "ISEMAIL_VALID_CATEGORY", "mia@post.example.net\r")
    assert got[9] == ("10", "ISEMAIL_ERR", "")


def test_isemail_labels_by_category() -> None:
    # SPEC §4: valid, DNS-warned and RFC 5321 addresses with a dotted domain are EMAIL;
    # an address literal, a local mailbox, one with a space or a control character is
    # left out;
    # comments and folding white space left out; an error address a negative only where
    # nothing address-like is in it (``mia.@post.example.net`` holds one; an empty one
    # is nothing).
    h = Harvest()
    skipped = isemail.harvest(h, "t.xml", XML)
    got = [(i["label"], i["value"], i["path"]) for i in h.items]
    assert got == [
        ("EMAIL", "mia.h27@post.example.net", "t.xml#1"),
        ("EMAIL", "mia@nowhere.example.org", "t.xml#4"),
        ("NEGATIVE", "just-words", "t.xml#7"),
    ]
    assert skipped == {
        "ISEMAIL_RFC5321: not one span (spaces, no dotted domain, a literal)": 2,
        "ISEMAIL_VALID_CATEGORY: not one span (spaces, no dotted domain, a literal)": 2,
        "ISEMAIL_CFWS: an address in comments, spaces or old syntax": 1,
        "ISEMAIL_ERR: empty, or something address-like left in it": 2,
    }


def test_isemail_quoted_space_is_not_one_span() -> None:
    # SPEC §4: white space in a valid address: a text scanner cannot take it as one span.
    assert isemail.label("ISEMAIL_RFC5321", '"mia h27"@post.example.net') is None
    assert isemail.label("ISEMAIL_RFC5321", '"mia.h27"@post.example.net') == "EMAIL"
    assert isemail.label("ISEMAIL_DEPREC", "mia.h27@post.example.net") is None


TEST_JS = """
    expect(IBAN.isValid('GB33BUKB20201555555555')).to.be.true;
    expect(IBAN.isValid('GB33BUKB20201555555556')).to.be.false;
    expect(IBAN.isValid('GB34BUKB20201555555555')).to.be.true;
    expect(IBAN.printFormat('GB33 BUKB 2020 1555 5555 55')).to.equal('GB33 BUKB 2020 1555 5555 55');
    expect(IBAN.toBBAN('GB33BUKB20201555555555', '-')).to.equal('BUKB-202015-55555555');
    expect(IBAN.isValidBBAN('GB', 'BUKB20201555555555')).to.be.true;
    expect(IBAN.isValidBBAN('GB', 'BUKB2020155555555')).to.be.false;
"""
LIBRARY_JS = """
    addSpecification(new Specification("FR", 27, "F05F05A11F02", "FR7630006000011234567890189"));
    addSpecification(new Specification("DE", 22, "F08F10", "DE89370400440532013001"));
"""


def test_ibanjs_ibans_where_mod97_holds_and_bbans_apart() -> None:
    # SPEC §4 IBAN: asserted-valid, formatted and example IBANs where our own mod-97 check
    # holds (the library's word is not enough: GB34… is a look-alike, left out); BBANs
    # the library accepts or gives back not asked; a rejected BBAN left out.
    h = Harvest()
    skipped = ibanjs.harvest(h, TEST_JS, LIBRARY_JS)
    got = [(i["label"], i["value"], i["path"]) for i in h.items]
    assert got == [
        ("IBAN", "GB33BUKB20201555555555", ibanjs.TEST),
        ("IBAN", "GB33 BUKB 2020 1555 5555 55", ibanjs.TEST),
        ("IBAN", "FR7630006000011234567890189", ibanjs.LIBRARY),
        ("NOT_ASKED:BANK_ACCOUNT", "BUKB20201555555555", ibanjs.TEST),
        ("NOT_ASKED:BANK_ACCOUNT", "BUKB-202015-55555555", ibanjs.TEST),
    ]
    assert skipped == {"an IBAN-shaped value whose mod-97 check fails: a look-alike": 2}
    assert ibanjs.mod97("GB33BUKB20201555555555")
    assert not ibanjs.mod97("GB33BUKB20201555555565")


TEST_TS = """
    ["4929123456789015", { card: "visa", isValid: true }],
    ["4929 1234 5678 9012", { card: "visa", isValid: true }],
    ["4929-1234-5678-9015", { card: "visa", isValid: true }],
    ["4 9 2 9  1234 5678 9015", { card: "visa", isValid: true }],
    ["492912", { card: "visa", isPotentiallyValid: true }],
    ["0000000000000000", { card: null }],
    ["visa"],
"""


def test_cardvalidator_cards_where_luhn_holds() -> None:
    # SPEC §4 payment cards (Luhn-checked): full numbers, bare or grouped, where Luhn
    # holds; a Luhn failure a look-alike (never a negative); partial and spread-out
    # numbers, and one digit repeated, left out.
    h = Harvest()
    skipped = cardvalidator.harvest(h, TEST_TS)
    got = [(i["label"], i["value"]) for i in h.items]
    assert got == [("CARD", "4929123456789015"), ("CARD", "4929-1234-5678-9015")]
    assert skipped == {
        "Luhn fails: a look-alike": 2,
        "not a number in one span": 1,
        "a partial number (or too long)": 1,
    }


def test_values_jsonl_shape_and_provenance() -> None:
    check_shape_and_provenance(SIXTEENTH, harvest.SEEN, values=100, negatives=10)


def test_harvest_rewrites_values_jsonl(tmp_path: Path) -> None:
    collected, _skipped = harvest.collect(mirrors_or_skip(SIXTEENTH))
    collected.write_unseen(tmp_path / "values.jsonl", seen_values(harvest.SEEN))
    assert (tmp_path / "values.jsonl").read_bytes() == (SIXTEENTH / "values.jsonl").read_bytes()
