"""The seventh set's harvest (issue 16) reads its sources' expected answers right.

SPEC §4 asks the filter for e-mail addresses, phone numbers, Luhn-checked cards,
national identifiers with checksums (US SSN, IBAN at least) and IP addresses; names go
through the optional NER stage. The seventh set takes them from DataFog's labelled
corpus and regex tests, solvvy/redact-pii's expected redactions and CommonRegex's
extraction tests. Pinned here on small copies of those shapes (not on the mirrors):
the label rules by kind (a card only where Luhn holds, an identifier only where its
check digit holds, a rejected card, SSN or phone is a look-alike: never a clean
negative; an entity-free input is a negative only with nothing of an asked kind's
shape in it), and the committed ``values.jsonl``'s shape and provenance, and (where
the mirrors are here) that the harvest rewrites it byte for byte.
"""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.redaction.outside.harvest import Harvest
from benchmarks.redaction.seventh import commonregex, datafog, harvest, redactpii
from tests.outside_sets import check_shape_and_provenance, mirrors_or_skip, seen_values

SEVENTH = Path(harvest.__file__).parent
CORPUS = json.dumps(
    [
        {
            "input": "Ticket from Jo <jo@acme.com> says 4111 1111 1111 1112 was charged.",
            "expected_entities": [
                {"type": "PERSON", "text": "Jo"},
                {"type": "EMAIL", "text": "jo@acme.com"},
                {"type": "CREDIT_CARD", "text": "4111 1111 1111 1112"},
            ],
        },
        {"input": "Part number: 555-123-4567-A", "expected_entities": []},
        {"input": "Invalid SSN 666-12-9999 should be ignored.", "expected_entities": []},
        {"input": "Order 12345ABC ships tomorrow", "expected_entities": []},
    ]
)
PARAMS = """
@pytest.mark.parametrize("phone,should_match", [("+1 555-555-5555", True), ("555-55-5555", False)])
def test_phone(phone, should_match): ...

@pytest.mark.parametrize("ip,should_match", [("10.0.0.1", True), ("192.168.1.256", False)])
def test_ip(ip, should_match): ...

@pytest.mark.parametrize(
    "label,text,expected",
    [("DE_TAX_ID", "Steuer-ID 12345678901 liegt vor.", "12345678901"),
     ("DE_VAT_ID", "USt-IdNr DE 123456789 ist gesetzt.", "DE 123456789")],
)
def test_de(label, text, expected): ...
"""


def test_datafog_labels_by_kind() -> None:
    # SPEC §4: e-mail, Luhn-checked cards, phones by their +; names are not asked; a
    # failing card or tax number, a phone- or SSN-shaped input are look-alikes, left out.
    h = Harvest()
    files = {"tests/corpus/structured_pii.json": CORPUS, "tests/test_regex_annotator.py": PARAMS}
    datafog.harvest(h, lambda path: files.get(path, "[]" if path.endswith(".json") else ""))
    got = [(i["label"], i["value"], i.get("context", "")) for i in h.items]
    assert got == [
        ("NOT_ASKED:NAME", "Jo", json.loads(CORPUS)[0]["input"]),
        ("EMAIL", "jo@acme.com", ""),
        ("NEGATIVE", "Order 12345ABC ships tomorrow", "TEXT"),
        ("PHONE_INTL", "+1 555-555-5555", ""),
        ("IPV4", "10.0.0.1", ""),
        ("NEGATIVE", "192.168.1.256", "IPV4"),
        ("NOT_ASKED:VAT_NUMBER", "DE 123456789", "USt-IdNr DE 123456789 ist gesetzt."),
    ]


def test_datafog_identifier_check_digits() -> None:
    # SPEC §4 national identifiers with checksums: the German pension number's check digit.
    assert datafog.rvnr_ok("65150804A124")
    assert not datafog.rvnr_ok("65150804A123")
    assert datafog.label("DE_SOCIAL_SECURITY_NUMBER", "65150804A123") is None
    assert datafog.label("IP_ADDRESS", "fe80::1") == "IPV6"
    assert datafog.look_alike("Bad SSN 123-45-678")
    assert not datafog.look_alike("Sequence 1234 5678 90 is not a card")


TS = """
  TestCase('should replace things', [
    ['my card: 1234 5678 8765 4321.', 'my card: CREDIT_CARD_NUMBER.'],
    ['my phone: (+44) (555)123-1234.', 'my phone: PHONE_NUMBER.'],
    // ['my ip: 10.9.9.9.', 'my ip: IP_ADDRESS.'],
    ['Hey it\\'s David at a@b.io', "Hey it's PERSON_NAME at EMAIL_ADDRESS"],
    ['I live down the street', 'I live down the street'],
    ["here's my Cliff.", "here's my Cliff.", "here's my PERSON_NAME."],
  ]);
"""


def test_redact_pii_lines_placeholders_up_with_the_input() -> None:
    # SPEC §4: phones, e-mail; a card failing Luhn is card-like (left out); a name is
    # not asked; an input only the DLP output changes (a name) is no clean negative.
    h = Harvest()
    redactpii.harvest(h, lambda _path: TS)
    got = [(i["label"], i["value"]) for i in h.items]
    assert got == [
        ("PHONE_INTL", "(+44) (555)123-1234"),
        ("NOT_ASKED:NAME", "David"),
        ("EMAIL", "a@b.io"),
        ("NEGATIVE", "I live down the street"),
    ]
    assert redactpii.label("IP_ADDRESS", "1234:ABCD:23AF:1111:2222:3333:0000:0000:0000") is None


PY = """
class TestPhonesWithExts(RegexTestCase):
    def test_phones_with_extensions(self):
        matching = ["(523)222-8888 ext 527"]
        non_matching = ["222-5555"]
        for s in matching:
            self.assertEqual(self.parser.phones_with_exts(s), [s])

class TestCreditCards(RegexTestCase):
    def test_creditcards(self):
        matching = ["0000-0000-0000-0000", "4111 1111 1111 1111"]
        for s in matching:
            self.assertEqual(self.parser.credit_cards(s), [s])

class TestPrices(RegexTestCase):
    def test_prices(self):
        matching = ["$1.23"]
        non_matching = ["$1,10,0"]
        for s in matching:
            self.assertEqual(self.parser.prices(s), [s])
"""


def test_commonregex_labels_by_kind() -> None:
    # SPEC §4 phones (an extension is not the number) and Luhn-checked cards (a
    # repeated digit is a placeholder); prices are hard negatives; 222-5555 phone-like.
    h = Harvest()
    commonregex.harvest(h, lambda _path: PY)
    got = [(i["label"], i["value"], i.get("context", "")) for i in h.items]
    assert got == [
        ("PHONE_NATIONAL", "(523)222-8888", ""),
        ("CARD", "4111 1111 1111 1111", ""),
        ("NEGATIVE", "$1.23", "CURRENCY"),
        ("NEGATIVE", "$1,10,0", "CURRENCY"),
    ]


def test_values_jsonl_shape_and_provenance() -> None:
    check_shape_and_provenance(SEVENTH, harvest.SEEN, values=100, negatives=70)


def test_harvest_rewrites_values_jsonl(tmp_path: Path) -> None:
    collected = harvest.collect(mirrors_or_skip(SEVENTH))
    collected.write_unseen(tmp_path / "values.jsonl", seen_values(harvest.SEEN))
    assert (tmp_path / "values.jsonl").read_bytes() == (SEVENTH / "values.jsonl").read_bytes()
