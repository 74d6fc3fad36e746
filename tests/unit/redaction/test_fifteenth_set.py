"""The fifteenth set's harvest (issue 16) reads its sources' expected answers right.

SPEC §4 asks the filter for e-mail addresses, phone numbers, payment card numbers
(Luhn-checked), US SSNs, IP addresses, provider tokens, JWTs, passwords in URLs and
high-entropy values next to key words. The fifteenth set takes them from
protectai/llm-guard's scanner tests (chat prompts and the sanitized text the scanner must
give back) and newrelic/rusty-hog's scanner unit tests. Pinned here on small tests of
our own shape (not on the mirror): the placeholder alignment, the label rules by kind,
a prompt kept by configuration never a negative, rusty-hog's rows only where the rule
gives the test's count, and the committed ``values.jsonl``'s shape and provenance, and
(where the mirrors are here) that the harvest rewrites it byte for byte.
"""

from __future__ import annotations

from pathlib import Path

from benchmarks.redaction.fifteenth import harvest, llmguard, run, rustyhog
from benchmarks.redaction.outside.harvest import Harvest
from tests.outside_sets import check_shape_and_provenance, mirrors_or_skip, seen_values

FIFTEENTH = Path(harvest.__file__).parent
ANONYMIZE = """
_pre = "Redacted below. Prompt: "


@pytest.mark.parametrize(
    "settings,prompt,expected_prompt,expected_valid,expected_score",
    [
        ({}, "Nothing here at all", "Nothing here at all", True, -1.0),
        (
            {"preamble": _pre, "recognizer_conf": SOME_CONF},
            "Mail ada.h26@mx.example.net or call 415-555-0163, card 4929-1234-5678-9015.",
            "Redacted below. Prompt: Mail [REDACTED_EMAIL_ADDRESS_1] or call "
            "[REDACTED_PHONE_NUMBER_1], card [REDACTED_CREDIT_CARD_RE_1].",
            False,
            1.0,
        ),
        (
            {},
            "Full Name: Ada Quill Byron.",
            "Full Name: [REDACTED_PERSON_1][REDACTED_PERSON_2].",
            False,
            1.0,
        ),
        ({"allowed_names": "Ada"}, "Name: Ada.", "Name: Ada.", True, -1.0),
    ],
)
def test_scan(settings, prompt, expected_prompt, expected_valid, expected_score):
    pass
"""
SECRETS = """
@pytest.mark.parametrize(
    "prompt,expected_prompt,expected_valid,expected_score",
    [
        ("my key is secret_key='Zq8vR2mT6wY1pL4s'", "my key is secret_key='******'", False, 1.0),
        ("open https://ops:Hunter26x@db.example.org", "open https://ops:******@db.example.org",
         False, 1.0),
    ],
)
def test_scan(prompt, expected_prompt, expected_valid, expected_score):
    pass
"""
EMPTY = '@pytest.mark.parametrize("output,expected_output", [("a", "a")])\ndef test_x(): pass\n'


def test_placeholders_line_up_with_the_prompt() -> None:
    # SPEC §4: each placeholder's text in the prompt; two side by side of one entity are
    # one value; literal parts that do not line up give nothing.
    got = llmguard.replaced("Hi Ada Byron, bye", "Hi [REDACTED_PERSON_1][REDACTED_PERSON_2], bye",
                            llmguard._REDACTED)  # fmt: skip
    assert got == [("PERSON", "Ada Byron")]
    assert llmguard.replaced("a x b", "c [REDACTED_X_1] b", llmguard._REDACTED) == []
    assert llmguard.replaced("k='abc'", "k='******'", llmguard._STARS) == [("SECRET", "abc")]


def test_labels_by_kind() -> None:
    # SPEC §4: cards only where Luhn holds, phones with + international, IPs where they
    # parse, names and places apart; secrets by their shape.
    label = llmguard.label
    assert label("CREDIT_CARD_RE", "4929-1234-5678-9015") == "CARD"
    assert label("CREDIT_CARD", "4929-1234-5678-9012") == "NOT_ASKED:CARD_NO_LUHN"
    assert label("PHONE_NUMBER", "+44 20 7946 0321") == "PHONE_INTL"
    assert label("PHONE_NUMBER_ZH", "13512345678") == "PHONE_NATIONAL"
    assert label("EMAIL_ADDRESS_RE", "a[AT]b[DOT]org") == "EMAIL"
    assert label("US_SSN_RE", "536-22-4187") == "SSN"
    assert label("IP_ADDRESS", "2001:db8::26") == "IPV6"
    assert label("PERSON", "Ada") == "NOT_ASKED:NAME"
    assert label("CUSTOM", "Acme") == "NOT_ASKED:HIDDEN_NAME"
    assert label("PRICE_RE", "$3") == "NOT_ASKED:CURRENCY"
    sl = llmguard.secret_label
    assert sl("ghp_" + "a1B2" * 9, "token ghp_...") == "TOKEN_PREFIXED"
    assert sl("Hunter26x", "https://ops:Hunter26x@db") == "URL_PASSWORD"
    assert sl("Zq8vR2mT6wY1pL4s", "secret_key='Zq8vR2mT6wY1pL4s'") == "KEYWORD_SECRET"
    assert sl("Zq8vR2mT6wY1pL4s", "see Zq8vR2mT6wY1pL4s") == "NOT_ASKED:HIGH_ENTROPY"


def test_scanner_rows_values_negatives_and_kept_prompts() -> None:
    # SPEC §4: each value in its prompt, the preamble stripped; an unchanged prompt a
    # negative unless its settings keep a value on purpose (allowed_names).
    files = {llmguard.ANONYMIZE: ANONYMIZE, llmguard.SECRETS: SECRETS, llmguard.SENSITIVE: EMPTY}
    h = Harvest()
    llmguard._scanner_rows(h, files.__getitem__, ("Redacted below. Prompt: ",))
    got = [(i["label"], i["value"]) for i in h.items]
    assert got == [
        ("NEGATIVE", "Nothing here at all"),
        ("EMAIL", "ada.h26@mx.example.net"),
        ("PHONE_NATIONAL", "415-555-0163"),
        ("CARD", "4929-1234-5678-9015"),
        ("NOT_ASKED:NAME", "Ada Quill Byron"),
        ("KEYWORD_SECRET", "Zq8vR2mT6wY1pL4s"),
        ("URL_PASSWORD", "Hunter26x"),
        ("NEGATIVE", "a"),
    ]
    assert h.items[1]["context"].startswith("Mail ada.h26@")


RUST = """
    #[test]
    fn generic_secret_regex_test() {
        let test_string = String::from(
            r#"
            secret: Qm7TnV2xLp9RwK4s
            my_secret_is_not_here_at_all
        "#,
        );
        assert_eq!(findings.len(), 1);
    }

    #[test]
    fn email_address_regex_test() {
        let test_string = String::from(
            r#"
            ops.h26@example.org
            git@gitlab.example.com:team/repo.git
            user@host:path
        "#,
        );
        assert_eq!(f.1, "            ops.h26@example.org");
    }

    #[test]
    fn test_check_entropy() {
        let output = ss.check_entropy("Generic Secret", "secret: Qm7TnV2xLp9RwK4sZ".as_bytes());
        assert!(output);
        let output2 = ss.check_entropy("Generic Secret", "secret: XXXXXXXXYYYYYYYYYY".as_bytes());
        assert!(!output2);
    }
"""


def test_rusty_hog_rows() -> None:
    # SPEC §4 high-entropy values next to key words, e-mail addresses: rows used where the
    # rule gives the asserted count; e-mail-shaped look-alikes left out, never negatives.
    h = Harvest()
    for name, body in rustyhog.tests(RUST):
        {"generic_secret_regex_test": rustyhog.generic_secret,
         "email_address_regex_test": rustyhog.email,
         "test_check_entropy": rustyhog.entropy}[name](h, body)  # fmt: skip
    got = [(i["label"], i["value"]) for i in h.items]
    assert got == [
        ("KEYWORD_SECRET", "Qm7TnV2xLp9RwK4s"),
        ("NEGATIVE", "my_secret_is_not_here_at_all"),
        ("EMAIL", "ops.h26@example.org"),
        ("NEGATIVE", "user@host:path"),
        ("KEYWORD_SECRET", "Qm7TnV2xLp9RwK4sZ"),
        ("NEGATIVE", "secret: XXXXXXXXYYYYYYYYYY"),
    ]
    h2 = Harvest()
    rustyhog.generic_secret(h2, RUST.replace("len(), 1)", "len(), 2)"))
    assert h2.items == []  # the rule does not give the test's count: nothing taken


def test_records_score_values_in_their_own_text() -> None:
    # SPEC §4: a value with its prompt is scored in it, where its text occurs.
    recs, not_asked, _paths = run.records()
    prompts = [r for r in recs if r.text != r.text[r.start : r.end] and r.label != "NEGATIVE"]
    assert prompts and all(r.text.find(r.text[r.start : r.end]) == r.start for r in prompts)
    assert not_asked and all(r.label.startswith("NOT_ASKED:") for r in not_asked)


def test_values_jsonl_shape_and_provenance() -> None:
    check_shape_and_provenance(FIFTEENTH, harvest.SEEN, values=25, negatives=8)


def test_harvest_rewrites_values_jsonl(tmp_path: Path) -> None:
    collected = harvest.collect(mirrors_or_skip(FIFTEENTH))
    collected.write_unseen(tmp_path / "values.jsonl", seen_values(harvest.SEEN))
    assert (tmp_path / "values.jsonl").read_bytes() == (FIFTEENTH / "values.jsonl").read_bytes()
