"""The sixth set's harvest (issue 16) reads its sources' expected answers right.

SPEC §4 asks the filter for e-mail addresses, phone numbers, cards, national
identifiers, IBANs, IP addresses and leaked secrets (JWTs among them). The sixth set
takes them from go-playground/validator's, apache/commons-validator's and
python-validators/validators' tests. Pinned here on small copies of those shapes (not
on the mirrors): the table rows and statement runs with their tag, the label rules by
kind (an invalid card or identifier is still card- or identifier-like: never a clean
negative; an invalid e-mail or IP is a negative only with nothing of the kind in it);
and the committed ``values.jsonl``'s shape and provenance, and (where the mirrors are
here) that the harvest rewrites it byte for byte.
"""

from __future__ import annotations

from pathlib import Path

from benchmarks.redaction.outside.harvest import Harvest
from benchmarks.redaction.sixth import commons, goplayground, harvest, pyvalidators
from tests.outside_sets import check_shape_and_provenance, mirrors_or_skip, seen_values

SIXTH = Path(harvest.__file__).parent
GO_TESTS = """
func TestSSNValidation(t *testing.T) {
	tests := []struct {
		param    string
		expected bool
	}{
		{"00-90-8787", false},
		{"191-60-2869", true},
	}
	for i, test := range tests {
		errs := validate.Var(test.param, "ssn")
	}
}

func TestCreditCardFormatValidation(t *testing.T) {
	tests := []struct {
		value    string `validate:"credit_card"`
		tag      string
		expected bool
	}{
		{"4624748233249780", "credit_card", true},
		{"4624748233349780", "credit_card", false},
	}
}

func TestEmail(t *testing.T) {
	s := "test@mail.com"
	errs := validate.Var(s, "email")
	Equal(t, errs, nil)

	s = "@email.com"
	errs = validate.Var(s, "email")
	NotEqual(t, errs, nil)

	s = "test@email."
	errs = validate.Var(s, "email")
	NotEqual(t, errs, nil)
}
"""


def test_go_rows_take_the_tag_of_the_table_or_the_statement_run() -> None:
    got = list(goplayground.rows(GO_TESTS))
    assert ("ssn", "191-60-2869", True) in got
    assert ("ssn", "00-90-8787", False) in got
    assert ("credit_card", "4624748233349780", False) in got
    assert ("email", "test@mail.com", True) in got
    assert ("email", "@email.com", False) in got


def test_go_harvest_labels_by_kind() -> None:
    # SPEC §4: SSNs, cards, e-mail; an invalid SSN or card is still SSN- or card-like.
    h = Harvest()
    goplayground.harvest(h, lambda _path: GO_TESTS)
    got = [(i["label"], i["value"], i.get("context", "")) for i in h.items]
    assert got == [
        ("SSN", "191-60-2869", ""),
        ("CARD", "4624748233249780", ""),
        ("EMAIL", "test@mail.com", ""),
        ("NEGATIVE", "@email.com", "EMAIL"),
    ]  # "test@email." holds a local mailbox: left out


def test_go_labels_of_tags() -> None:
    # SPEC §4: international phone numbers (with +), JWTs (a JSON header), IPs by shape.
    assert goplayground.label("e164", "+447911123456", True) == "PHONE_INTL"
    assert goplayground.label("e164", "12345678", True) is None
    assert goplayground.label("jwt", "eyJhbGciOiJOT05FIn0.e30.", True) == "JWT"
    assert goplayground.label("jwt", "acb123-_.def456-_.ghi789-_", True) is None
    assert goplayground.label("ip", "::1", True) == "IPV6"
    assert goplayground.label("ipv6", "10.0.0.1", False) is None  # a valid IPv4
    assert goplayground.label("ipv4", "256.1.1", False) == "NEGATIVE:IPV4"
    assert goplayground.label("ein", "01-2564282", True) == "NOT_ASKED:COMPANY_ID"
    assert goplayground.label("md5", "6f5902ac237024bdd0c176cb93063dc4", True) == "NEGATIVE:DIGEST"
    assert goplayground.label("hostname", "example.com", True) == "NEGATIVE:HOSTNAME"
    assert goplayground.label("hostname", "host:8080", True) is None


def test_email_negatives_hold_nothing_address_like() -> None:
    # SPEC §4 e-mail: an address with a typo or a local mailbox is not a clean negative.
    assert goplayground.email_negative("Just a string")
    assert goplayground.email_negative("abigail@")
    for value in ("joeblow @apache.org", "joe@localhost", "x@@y.com", "someone@[::1]", "a@1.2.3.4"):
        assert not goplayground.email_negative(value)


PY_TESTS = """
visa_cards = ["4242424242424242"]
amex_cards = ["378282246310005"]

@pytest.mark.parametrize("value", visa_cards + amex_cards)
def test_returns_true_on_valid_card_number(value: str):
    assert card_number(value)

@pytest.mark.parametrize("value", ["4242424242424240"])
def test_returns_failed_on_valid_card_number(value: str):
    assert isinstance(card_number(value), ValidationError)

@pytest.mark.parametrize(("value",), [("2222058686",), ("026504247480",)])
def test_returns_true_on_valid_ru_inn(value: str):
    assert ru_inn(value)

@pytest.mark.parametrize(("address", "cidr"), [("127.0.0.1/0", True)])
def test_returns_true_on_valid_ipv4_cidr_address(address: str, cidr: bool):
    assert ipv4(address, cidr=cidr)

@pytest.mark.parametrize(("value",), [("abc",), ("abc@bar",)])
def test_returns_failed_validation_on_invalid_email(value: str):
    assert isinstance(email(value), ValidationError)
"""


def test_py_validators_rows_and_labels() -> None:
    # SPEC §4: cards; a person's INN (12 digits) is a national identifier, a company's
    # (10) is not asked; CIDR blocks are not addresses; invalid cards are card-like.
    h = Harvest()
    pyvalidators.harvest(h, lambda _folder: ["tests/test_x.py"], lambda _path: PY_TESTS)
    got = [(i["label"], i["value"]) for i in h.items]
    assert got == [
        ("CARD", "4242424242424242"),
        ("CARD", "378282246310005"),
        ("NOT_ASKED:COMPANY_ID", "2222058686"),
        ("NATIONAL_ID", "026504247480"),
        ("NEGATIVE", "abc"),
    ]


def test_py_validators_identifier_and_encoding_kinds() -> None:
    # SPEC §4 national identifiers by their documented format; encodings are key-shaped.
    assert pyvalidators.label("ind_pan", "AAAPL1234C", True) == "NATIONAL_ID"
    assert pyvalidators.label("ind_pan", "AAACL1234C", True) == "NOT_ASKED:COMPANY_ID"
    assert pyvalidators.label("es_doi", "B25162520", True) == "NOT_ASKED:COMPANY_ID"
    assert pyvalidators.label("es_doi", "X0095892M", True) == "NATIONAL_ID"
    assert pyvalidators.label("base32", "JBSWY3DPEHPK3PXP", True) is None
    assert pyvalidators.label("sha1", "da39a3ee5e6b4b0d3255bfef95601890afd80709", True) == (
        "NEGATIVE:DIGEST"
    )


JAVA_TESTS = {
    "CreditCardValidatorTest.java": """
    private static final String VALID_VISA = "4417123456789113"; // 16
    private static final String ERROR_VISA = "4417123456789112";
""",
    "IBANValidatorTest.java": """
    private static final List<String> INVALID_IBAN_FIXTURES = Arrays.asList(
            "FR1420041010050500013m02606", // lowercase version
            "AB");
    private static final List<String> VALID_IBAN_FIXTURES = Arrays.asList(
            "AD1200012030200359100100",
            "AE070331234567890123456");
""",
    "InetAddressValidatorTest.java": """
        assertTrue(validator.isValidInet6Address("2001:db8::1428:57ab"), "valid");
        assertFalse(validator.isValid("124.14.32.abc"), "IP with characters should be invalid");
        assertFalse(validator.isValid("124.14.32.01"), "IP with leading zeroes should be invalid");
""",
    "EmailValidatorTest.java": """
        assertTrue(validator.isValid("jsmith@apache.org"));
        assertFalse(validator.isValid("joeblow @apache.org"));
        new ResultPair("Just a string", false),
""",
}


def test_commons_validator_literals() -> None:
    # SPEC §4: cards, IBANs, IPs, e-mail; invalid IBAN fixtures are IBAN-like, left out.
    h = Harvest()
    commons.harvest(h, lambda path: JAVA_TESTS[path.rsplit("/", 1)[1]])
    got = [(i["label"], i["value"]) for i in h.items]
    assert got == [
        ("CARD", "4417123456789113"),
        ("IBAN", "AD1200012030200359100100"),
        ("IBAN", "AE070331234567890123456"),
        ("IPV6", "2001:db8::1428:57ab"),
        ("NEGATIVE", "124.14.32.abc"),
        ("EMAIL", "jsmith@apache.org"),
        ("NEGATIVE", "Just a string"),
    ]  # 124.14.32.01 holds 124.14.32.0 (a dotted quad); "joeblow @apache.org" a typo


def test_values_jsonl_shape_and_provenance() -> None:
    check_shape_and_provenance(SIXTH, harvest.SEEN, values=300, negatives=100)


def test_harvest_rewrites_values_jsonl(tmp_path: Path) -> None:
    collected = harvest.collect(mirrors_or_skip(SIXTH))
    collected.write_unseen(tmp_path / "values.jsonl", seen_values(harvest.SEEN))
    assert (tmp_path / "values.jsonl").read_bytes() == (SIXTH / "values.jsonl").read_bytes()
