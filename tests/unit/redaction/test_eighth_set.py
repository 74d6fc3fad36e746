"""The eighth set's harvest (issue 16) reads its sources' expected answers right.

SPEC §4 asks the filter for e-mail addresses, phone numbers, Luhn-checked cards,
national identifiers with checksums (US SSN, IBAN at least) and IP addresses. The
eighth set takes them from piisa's per-country task tests, egulias/EmailValidator's
validation tests and schwifty's IBAN tests. Pinned here on small copies of those shapes
(not on the mirrors): the label rules by kind (an identifier or IBAN only where its check
holds, a rejected one a look-alike, never a clean negative; an input is a negative only
with nothing of an asked kind's shape in it), and the committed ``values.jsonl``'s shape
and provenance, and (where the mirrors are here) that the harvest rewrites it byte for byte.
"""

from __future__ import annotations

from pathlib import Path

from benchmarks.redaction.eighth import egulias, harvest, piisa, schwifty
from benchmarks.redaction.outside.harvest import Harvest
from tests.outside_sets import check_shape_and_provenance, mirrors_or_skip, seen_values

EIGHTH = Path(harvest.__file__).parent
TASKS = """
TESTCASES = [
    ("the tfn is: 963 553 151", "the tfn is: <GOV_ID:963 553 151>"),
    ("the tfn is: 963 553 152", "the tfn is: <GOV_ID:963 553 152>"),
    ("not a TFN: 123 456 781", "not a TFN: 123 456 781"),
    ("call (07) 4354 4311 or 016", "call <PHONE_NUMBER:(07) 4354 4311> or <PHONE_NUMBER:016>"),
    ("x", "y", {"type": "GOV_ID"}),
    (make(), "z"),
]
"""
MAIL = """
TESTCASES = [
    ("mail me at jo@acme.io", "mail me at <EMAIL_ADDRESS:jo@acme.io>"),
    ("not mail: jo@acme", "not mail: jo@acme"),
    ("No emails to see here: pkg/menu@4.6.12", "No emails to see here: pkg/menu@4.6.12"),
    ("Ask the front desk", "Ask the front desk"),
]
"""


def test_piisa_labels_by_kind() -> None:
    # SPEC §4: identifiers with checksums only where the check holds (963 553 152 fails:
    # left out); a three-digit service code is no phone; an input with an address typo
    # (``jo@acme``, ``menu@4.6.12``) is no clean negative, one with nothing
    # address-like is.
    files = {"test/unit/B_modules/en/au/test_tfn.py": TASKS,
             "test/unit/B_modules/any/test_email.py": MAIL}  # fmt: skip
    h = Harvest()
    piisa.harvest(
        h, lambda _folder: [*files, "test/unit/B_modules/any/conftest.py"], lambda p: files[p]
    )
    got = [(i["label"], i["value"]) for i in h.items]
    assert got == [
        ("NATIONAL_ID", "963 553 151"),
        ("PHONE_NATIONAL", "(07) 4354 4311"),
        ("EMAIL", "jo@acme.io"),
        ("NEGATIVE", "Ask the front desk"),
    ]
    assert piisa.label("test/unit/B_modules/en/au/test_abn.py", "GOV_ID", "83914571673") == (
        "NOT_ASKED:COMPANY_ID"
    )
    assert piisa.label("x/es/pe/test_govid_es_pe.py", "GOV_ID", "12345678") == (
        "NOT_ASKED:IDENTIFIER"
    )
    assert piisa.label("x/any/test_ip_address.py", "IP_ADDRESS", "310.1.2.3") is None


PHP = r"""
    public static function getValidEmails()
    {
        return array(
            ['jo@acme.io'],
            ["tab\there@acme.io"],
            ['me@localhost'],
            ['me@[127.0.0.1]'],
            [sprintf('x@%s.com', str_repeat('a', 3))],
        );
    }
    public static function getInvalidEmailsWithErrors()
    {
        return [
            [new InvalidEmail(new UnOpenedComment(), ')'), 'example@'],
            [new InvalidEmail(new ConsecutiveDot(), '.'), 'jo..x@acme.io'],
            [new InvalidEmail(new X(), "\r"), '@acme.co.uk'], ['0'],
        ];
    }
"""


def test_emailvalidator_rows_read_as_php_literals() -> None:
    # SPEC §4 e-mail addresses: a valid address scanned as one span; an address with
    # white space, a local mailbox or an IP literal is left out; an invalid input holding
    # an address with a typo is no clean negative.
    assert list(egulias.provider_rows(PHP, "getValidEmails")) == [
        "jo@acme.io", "tab\there@acme.io", "me@localhost", "me@[127.0.0.1]"
    ]  # fmt: skip
    rows = list(egulias.provider_rows(PHP, "getInvalidEmailsWithErrors"))
    assert rows == ["example@", "jo..x@acme.io", "@acme.co.uk", "0"]
    assert [egulias.label(True, v) for v in ("jo@acme.io", "tab\there@acme.io")] == ["EMAIL", None]
    assert [egulias.label(False, v) for v in rows] == ["NEGATIVE", None, "NEGATIVE", "NEGATIVE"]


PY = """
valid = ["DE89 3704 0044 0532 0130 00", "GB82 WEST 1234 5698 7654 32"]
invalid = ["DE99 3704 0044 0532 0130 00"]

def test_bic_from_iban():
    check("NL02ABNA0123456789", "ABNANL2A")
    check("NL02ABNA0123456788", "GENODEM1GLS")

def test_invalid_bic():
    BIC("GENOXXM1GLS")
"""


def test_schwifty_ibans_by_check_and_bics_as_negatives() -> None:
    # SPEC §4 names IBAN among the identifiers with checksums: mod 97 decides; a
    # failing IBAN is a look-alike (left out); a BIC is a bank's public code.
    h = Harvest()
    schwifty.harvest(h, lambda path: PY if path.endswith("iban.py") else "")
    got = [(i["label"], i["value"]) for i in h.items]
    assert got == [
        ("IBAN", "DE89 3704 0044 0532 0130 00"),
        ("IBAN", "GB82 WEST 1234 5698 7654 32"),
        ("IBAN", "NL02ABNA0123456789"),
        ("NEGATIVE", "ABNANL2A"),
        ("NEGATIVE", "GENODEM1GLS"),
    ]


def test_values_jsonl_shape_and_provenance() -> None:
    check_shape_and_provenance(EIGHTH, harvest.SEEN, values=200, negatives=100)


def test_harvest_rewrites_values_jsonl(tmp_path: Path) -> None:
    collected = harvest.collect(mirrors_or_skip(EIGHTH))
    collected.write_unseen(tmp_path / "values.jsonl", seen_values(harvest.SEEN))
    assert (tmp_path / "values.jsonl").read_bytes() == (EIGHTH / "values.jsonl").read_bytes()
