"""The twelfth set's harvest (issue 16) reads its source's expected answers right.

SPEC §4 asks the filter for e-mail addresses, phone numbers, payment card numbers
(Luhn-checked), national identifiers with checksums (US SSN, IBAN at least) and IPv4/IPv6
addresses. The twelfth set takes them from philterd/phileas's filter tests. Pinned here
on small tests of our own shape (not on the mirror): the Java read (input, asserted
count, spans), the label rules by kind (a card only where Luhn holds, an IBAN or
checksummed id only where its check holds, kinds SPEC §4 does not ask for apart), a
rejected input a negative only with nothing of an asked kind's shape in it and never
for a filter of an asked kind, and the committed ``values.jsonl``'s shape and
provenance, and (where the mirror is here) that the harvest rewrites it byte for byte.
"""

from __future__ import annotations

from pathlib import Path

from benchmarks.redaction.outside.harvest import Harvest
from benchmarks.redaction.twelfth import harvest, phileas, validators
from tests.outside_sets import check_shape_and_provenance, mirrors_or_skip, seen_values

TWELFTH = Path(harvest.__file__).parent
JAVA = """
    @Test
    public void filterOne() throws Exception {
        Filtered filtered = filter.filter(cs, pol, "c", PIECE, "mail ops.h23@mx.example.net now");
        assertEquals(1, filtered.getSpans().size());
        assertTrue(checkSpan(filtered.getSpans().get(0), 5, 27, FilterType.EMAIL_ADDRESS));
    }

    @Test
    public void filterBare() throws Exception {
        assertEquals(1, filter.filter(cs, pol, cxt, PIECE, "q.h23@example.org").getSpans().size());
        assertEquals(strict ? 1 : 0, filter.filter(cs, pol, cxt, PIECE, "x@[10.1.2.3]")
            .getSpans().size());
        Filtered none = filter.filter(cs, pol, cxt, PIECE, "no address \\"here\\"");
        assertEquals(0, none.getSpans().size());
        // assertEquals(1, filter.filter(cs, pol, cxt, PIECE, "old@example.org").getSpans().size());
    }

    @Test
    public void filterWithCandidates1() throws Exception {
        Filtered filtered = filter.filter(cs, pol, "c", PIECE, "cand@example.org");
        assertEquals(1, filtered.getSpans().size());
    }
"""
FOLDER = phileas.FOLDER


def test_java_calls_counts_and_spans() -> None:
    # SPEC §4 e-mail addresses: each call's input, its asserted count and span offsets;
    # a count that depends on a flag is None; commented-out asserts are not read.
    got = [(c.method, c.text, c.count, c.spans) for c in phileas.cases("EmailAddress", JAVA)]
    assert got == [
        ("filterOne", "mail ops.h23@mx.example.net now", 1, [(5, 27, "EMAIL_ADDRESS")]),
        ("filterBare", "q.h23@example.org", 1, []),
        ("filterBare", "x@[10.1.2.3]", None, []),
        ("filterBare", 'no address "here"', 0, []),
        ("filterWithCandidates1", "cand@example.org", 1, []),
    ]


def test_labels_by_kind() -> None:
    # SPEC §4: cards only where Luhn holds (and not one digit repeated), IBANs where mod
    # 97 holds, checksummed ids where the check holds (a failing one is a look-alike:
    # None), phones written with + international; not-asked kinds apart.
    label = phileas.label
    assert label("CREDIT_CARD", "4929 1234 5678 9012") is None  # Luhn fails
    assert label("CREDIT_CARD", "4929-1234-5678-9015") == "CARD"
    assert label("CREDIT_CARD", "0000000000000000") is None
    assert label("IBAN_CODE", "DE89 3704 0044 0532 0130 00") == "IBAN"
    assert label("IBAN_CODE", "DE89 3704 0044 0532 0130 01") is None
    assert label("PHONE_NUMBER", "+44 20 7946 0321") == "PHONE_INTL"
    assert label("PHONE_NUMBER", "(415) 555-0137") == "PHONE_NATIONAL"
    assert label("SSN", "536-22-4187") == "SSN"
    assert label("SSN", "36-2241870") == "NOT_ASKED:COMPANY_ID"  # an EIN's shape
    assert label("IP_ADDRESS", "10.20.30.40") == "IPV4"
    assert label("IP_ADDRESS", "2001:db8::17") == "IPV6"
    assert label("IP_ADDRESS", "10.20.30.400") is None
    assert label("IDENTIFIER", "11144477735") == "NATIONAL_ID"  # a CPF whose check holds
    assert label("IDENTIFIER", "11144477736") is None
    assert label("IDENTIFIER", "MRN-88213") == "NOT_ASKED:IDENTIFIER"
    assert label("ZIP_CODE", "60614") == "NOT_ASKED:POSTAL_CODE"
    assert label("CUSTOM_DICTIONARY", "Bill") is None


def test_harvest_values_negatives_and_look_alikes() -> None:
    # SPEC §4: a span's value, a count's one match of its kind's shape; a rejected input
    # of an asked kind's filter (here the SSN filter's) is a look-alike, never a negative;
    # a rejected input elsewhere is one where nothing asked-shaped is in it.
    ssn = """
    @Test
    public void filterSsn() throws Exception {
        assertEquals(0, filter.filter(a, b, "c", PIECE, "ssn 536 2x 4187").getSpans().size());
    }
    """
    files = {
        f"{FOLDER}/EmailAddressFilterTest.java": JAVA,
        f"{FOLDER}/SsnFilterTest.java": ssn,
        f"{FOLDER}/sub/OtherFilterTest.java": JAVA,
    }
    h = Harvest()
    skipped = phileas.harvest(h, lambda _d: list(files), lambda p: files[p])
    got = [(i["label"], i["value"]) for i in h.items]
    assert got == [
        ("EMAIL", "ops.h23@mx.example.net"),
        ("EMAIL", "q.h23@example.org"),
        ("NEGATIVE", 'no address "here"'),
    ]
    assert skipped["candidates test or flag-dependent count"] == 2
    assert skipped["rejected look-alike (or found under another flag)"] == 1


VALIDATOR_TEST = """
    @Test
    public void valid() {
        Assertions.assertTrue(Mod11Validator.isValidCpf("111.444.777-35"));
        Assertions.assertFalse(Mod11Validator.isValidCpf("111.444.777-36"));
        Assertions.assertTrue(Mod97Validator.isValidIban("DE89 3704 0044 0532 0130 00"));
        Assertions.assertTrue(LuhnValidator.isValid("4929 1234 5678 9015"));
        Assertions.assertTrue(LuhnValidator.isValid("046 454 286"));
        Assertions.assertTrue(BicStructuralValidator.isValid("COBADEFF"));
        Assertions.assertTrue(EsCifValidator.isValid("B12345674"));
    }
"""


def test_validator_tests_by_kind() -> None:
    # SPEC §4 national identifiers with checksums, IBANs, cards: an accepted value by its
    # validator's kind where python-stdnum agrees (a SIN led by 0 it rejects: left out);
    # a rejected one is a look-alike, left out; an accepted BIC a negative; a company's
    # number not asked.
    h = Harvest()
    path = f"{validators.FOLDER}/MixValidatorTest.java"
    skipped = validators.harvest(h, lambda _d: [path], lambda _p: VALIDATOR_TEST)
    got = [(i["label"], i["value"]) for i in h.items]
    assert got == [
        ("NATIONAL_ID", "111.444.777-35"),
        ("IBAN", "DE89 3704 0044 0532 0130 00"),
        ("CARD", "4929 1234 5678 9015"),
        ("NEGATIVE", "COBADEFF"),
        ("NOT_ASKED:COMPANY_ID", "B12345674"),
    ]
    assert skipped == {
        "rejected: a look-alike": 1,
        "LuhnValidator: a check python-stdnum rejects": 1,
    }


def test_values_jsonl_shape_and_provenance() -> None:
    check_shape_and_provenance(TWELFTH, harvest.SEEN, values=38, negatives=20)


def test_harvest_rewrites_values_jsonl(tmp_path: Path) -> None:
    collected, _skipped = harvest.collect(mirrors_or_skip(TWELFTH))
    collected.write_unseen(tmp_path / "values.jsonl", seen_values(harvest.SEEN))
    assert (tmp_path / "values.jsonl").read_bytes() == (TWELFTH / "values.jsonl").read_bytes()
