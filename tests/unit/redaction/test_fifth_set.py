"""The fifth set's harvest (issue 16) reads its sources' expected answers right.

SPEC §4 asks the filter for e-mail addresses, phone numbers, cards, national
identifiers, IBANs, IP addresses and leaked secrets (provider tokens, JWTs, private
keys, passwords in URLs). The fifth set takes them from validator.js' validator tests,
Checkmarx/2ms' rule tests and python-email-validator's syntax tests. Pinned here on
small copies of those shapes (not on the mirrors): the lists and their validator and
locale, the label rules by kind, the secret a 2ms rule's rebuilt regex reports; and
the committed ``values.jsonl``'s shape and provenance, and (where the mirrors are
here) that the harvest rewrites it byte for byte.
"""

from __future__ import annotations

from pathlib import Path

from benchmarks.redaction.fifth import emailvalidator, harvest, twoms, validatorjs
from benchmarks.redaction.outside.harvest import Harvest
from tests.outside_sets import check_shape_and_provenance, mirrors_or_skip, seen_values

FIFTH = Path(harvest.__file__).parent
VALIDATORS_JS = """
describe('Validators', () => {
  it('should validate email addresses', () => {
    test({
      validator: 'isEmail',
      valid: ['foo@bar.com', `${'a'.repeat(64)}@x.com`, 'Name <a@b.com>'],
      invalid: ['invalidemail@', 'foo@bar.com.', // holds foo@bar.com
        '@invalid.com'],
    });
  });
  it('should validate mobile phones', () => {
    const fixtures = [
      { locale: 'fr-FR', valid: ['0612345678', '+33612345678'], invalid: ['061234'] },
    ];
    fixtures.forEach((fixture) => {
      test({ validator: 'isMobilePhone', valid: fixture.valid, args: [fixture.locale] });
    });
  });
  it('should validate taxID', () => {
    test({ validator: 'isTaxID', args: ['en-US'], valid: ['01-1234567'] });
    test({ validator: 'isTaxID', args: ['bg-BG'], valid: ['7501010010'] });
    test({ validator: 'isCreditCard', valid: ['375556917985515'], invalid: ['5398228707871528'] });
    test({ validator: 'isISBN', valid: ['3836221195'] });
  });
});
"""


def _harvest_js() -> list[tuple[str, str, str]]:
    h = Harvest()
    validatorjs.FILES, saved = ("test/validators.test.js",), validatorjs.FILES
    try:
        validatorjs.harvest(h, lambda _path: VALIDATORS_JS)
    finally:
        validatorjs.FILES = saved
    return [(i["label"], i["value"], i.get("context", "")) for i in h.items]


def test_listings_take_validator_and_locale_from_object_or_it_block() -> None:
    got = list(validatorjs.listings(VALIDATORS_JS))
    assert ("isEmail", "", "valid", ["foo@bar.com", "Name <a@b.com>"]) in got  # ${} skipped
    assert ("isMobilePhone", "fr-FR", "valid", ["0612345678", "+33612345678"]) in got
    assert ("isTaxID", "en-US", "valid", ["01-1234567"]) in got


def test_validatorjs_labels_by_kind() -> None:
    # SPEC §4: phone numbers (international when written with +/00), e-mail, cards,
    # national identifiers; a company's tax id is not a person's; ISBNs are negatives.
    got = _harvest_js()
    assert ("EMAIL", "foo@bar.com", "") in got
    assert not any(v == "Name <a@b.com>" for _, v, _ in got)  # display name: span is not it
    assert ("NEGATIVE", "invalidemail@", "EMAIL") in got
    assert ("NEGATIVE", "@invalid.com", "EMAIL") in got
    assert not any(v == "foo@bar.com." for _, v, _ in got)  # holds an address
    assert ("PHONE_NATIONAL", "0612345678", "") in got
    assert ("PHONE_INTL", "+33612345678", "") in got
    assert not any(v == "061234" for _, v, _ in got)  # invalid phones: left out
    assert ("NOT_ASKED:COMPANY_ID", "01-1234567", "") in got
    assert ("NATIONAL_ID", "7501010010", "") in got
    assert ("CARD", "375556917985515", "") in got
    assert not any(v == "5398228707871528" for _, v, _ in got)  # a bad checksum is card-like
    assert ("NEGATIVE", "3836221195", "ISBN") in got


def test_company_tax_numbers_by_their_documented_format() -> None:
    # SPEC §4 asks for national identifiers of people; a company's tax number is not one.
    company = "NOT_ASKED:COMPANY_ID"
    assert validatorjs.label("isTaxID", "es-AR", "valid", "30678561165") == company
    assert validatorjs.label("isTaxID", "es-AR", "valid", "20271633638") == "NATIONAL_ID"
    assert validatorjs.label("isTaxID", "en-IN", "valid", "AAACC1111A") == company
    assert validatorjs.label("isTaxID", "en-IN", "valid", "ABCPE1234F") == "NATIONAL_ID"
    assert validatorjs.label("isTaxID", "pt-BR", "valid", "12ABC34501DE35") == company
    assert validatorjs.label("isTaxID", "pt-BR", "valid", "123.456.789-09") == "NATIONAL_ID"


def test_invalid_values_are_negatives_only_without_the_type_in_them() -> None:
    assert validatorjs.label("isJWT", "", "invalid", "eyJhbGciOiJIUzI1NiJ9") == "NEGATIVE:JWT"
    assert validatorjs.label("isJWT", "", "invalid", "a.b.c.d") is None
    assert validatorjs.label("isIP", "", "invalid", "256.1.1") == "NEGATIVE:IPV4"
    assert validatorjs.label("isIP", "", "invalid", "::ffff:1.2.3.4.5") is None
    assert validatorjs.label("isIBAN", "", "invalid", "FR14 2004 1010 0505 0001 3") is None


RULE_GO = """package ruledefine

var exampleRegex = generateSemiGenericRegex([]string{"example"}, AlphaNumeric("32"), true).String()

func Example() *Rule {
	return &Rule{
		RuleName: "Example-Access-Token",
		Regex:    exampleRegex,
	}
}

var uniqueRegex = generateUniqueTokenRegex(`exa_[a-z0-9]{20}`, false).String()

func Unique() *Rule {
	return &Rule{
		RuleName: "Unique-Token",
		Regex:    uniqueRegex,
	}
}
"""
RULE_TEST_GO = """package ruledefine
func TestExample(t *testing.T) {
	tests := []struct{}{
		{
			truePositives: []string{
				"example_token = \\"abcdefghij0123456789abcdefghij01\\"",
				"EXAMPLE_TOKEN=abcdefghij0123456789abcdefghij01",
				fmt.Sprintf("example=%s", x),
			},
			falsePositives: []string{
				"example_token = \\"short\\"",
			},
		},
	}
	rule := TwomsToGitleaksRule(Example())
}
"""


def test_2ms_rules_are_rebuilt_and_report_the_secret_group() -> None:
    rules = twoms._rules({"engine/rules/ruledefine/example.go": RULE_GO})
    name, pattern, _group = rules["Example"]
    assert name == "Example-Access-Token"
    import regex  # type: ignore[import-untyped]

    line = 'example_token = "abcdefghij0123456789abcdefghij01"'
    assert twoms._secret(regex.compile(pattern), 0, line) == "abcdefghij0123456789abcdefghij01"
    unique = regex.compile(rules["Unique"][1])
    assert twoms._secret(unique, 0, "t = exa_abcdefghij0123456789;") == "exa_abcdefghij0123456789"


def test_2ms_harvest_keeps_a_secret_once_and_false_positives_as_negatives() -> None:
    files = {
        "engine/rules/ruledefine/example.go": RULE_GO,
        "engine/rules/ruledefine/example_test.go": RULE_TEST_GO,
    }
    h = Harvest()
    twoms.harvest(h, lambda _folder: sorted(files), files.__getitem__)
    got = [(i["label"], i["value"], i.get("context", "")) for i in h.items]
    assert got == [
        ("TOKEN_CONTEXT", "abcdefghij0123456789abcdefghij01",
         'example_token = "abcdefghij0123456789abcdefghij01"'),
        ("NEGATIVE", 'example_token = "short"', "KEYWORD_SECRET"),
    ]  # fmt: skip


def test_2ms_labels_by_rule_kind() -> None:
    # SPEC §4: passwords in URLs; identifiers are not secrets (as the fourth set's).
    line = "https://user:s3cr3t-pw@example.com/x"
    assert twoms.item("Authenticated-Url", "user:s3cr3t-pw", line)[:2] == (
        "URL_PASSWORD",
        "s3cr3t-pw",
    )
    curl = "curl -u admin:pQ9wTxu4Fg https://x"
    assert twoms.item("Curl-Auth-User", "admin:pQ9wTxu4Fg", curl)[:2] == (
        "KEYWORD_SECRET",
        "pQ9wTxu4Fg",
    )
    assert twoms.item("Sumologic-Access-Id", "su9OL59biWiJu7", "id = su9OL59biWiJu7")[0] == (
        "NOT_ASKED:IDENTIFIER"
    )
    assert twoms.item("Age-Secret-Key", "AGE-X", "AGE-X") == ("TOKEN_PREFIXED", "AGE-X", "")


EMAIL_TESTS = """
@pytest.mark.parametrize('email_input,output', [("Abc@example.tld", MakeValidatedEmail(x=1))])
def test_email_valid(email_input, output): ...

@pytest.mark.parametrize('email_input,error_msg', [
    ('hello.world', 'An email address must have an @-sign.'),
    ('my@trailingdot.com.', 'An email address cannot end with a period.'),
])
def test_email_invalid_syntax(email_input, error_msg): ...

@pytest.mark.parametrize(('email_input', 'status'), [
    ['test@iana.org', 'ISEMAIL_VALID'], ['@iana.org', 'ISEMAIL_ERR_NOLOCALPART'],
    [' test@iana.org', 'ISEMAIL_CFWS_FWS'],
])
def test_pyisemail_tests(email_input, status): ...
"""


def test_email_validator_rows() -> None:
    h = Harvest()
    emailvalidator.harvest(h, lambda _path: EMAIL_TESTS)
    assert [(i["label"], i["value"]) for i in h.items] == [
        ("EMAIL", "Abc@example.tld"),
        ("NEGATIVE", "hello.world"),
        ("EMAIL", "test@iana.org"),
        ("NEGATIVE", "@iana.org"),
    ]


def test_values_jsonl_shape_and_provenance() -> None:
    check_shape_and_provenance(FIFTH, harvest.SEEN, values=1500, negatives=100)


def test_harvest_rewrites_values_jsonl(tmp_path: Path) -> None:
    h, _notes = harvest.collect(mirrors_or_skip(FIFTH))
    h.write_unseen(tmp_path / "values.jsonl", seen_values(harvest.SEEN))
    assert (tmp_path / "values.jsonl").read_bytes() == (FIFTH / "values.jsonl").read_bytes()
