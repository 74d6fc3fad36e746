"""The thirteenth set's harvest (issue 16) reads its sources' expected answers right.

SPEC §4 asks the filter for the secrets coding sessions leak: provider API keys and
tokens, private-key blocks, JWTs, passwords in URLs and after their key words, card
numbers. The thirteenth set takes them from thoughtworks/talisman's detector tests and
americanexpress/earlybird's rule examples and post-process tests. Pinned here on small
Go tests and rules of our own shape (not on the mirrors): the Go read (literals, ``+``,
byte slices, table cases, the loop over key words), the label rules by kind, a snippet
not flagged a negative only with nothing secret-shaped in it, and the committed
``values.jsonl``'s shape and provenance, and (where the mirrors are here) that the
harvest rewrites it byte for byte.
"""

from __future__ import annotations

from pathlib import Path

from benchmarks.redaction.outside.harvest import Harvest
from benchmarks.redaction.thirteenth import earlybird, golit, harvest, talisman
from tests.outside_sets import check_shape_and_provenance, mirrors_or_skip, seen_values

THIRTEENTH = Path(harvest.__file__).parent
TABLE = """
func TestCheck(t *testing.T) {
\ttests := []struct {
\t\tname   string
\t\tinput  string
\t\tisSecret bool
\t}{
\t\t{"kept", "passwd: Lq8#vZ2mW", true},
\t\t{
\t\t\tname:  "dropped",
\t\t\tinput: `"passwd": "$DB_PASS"`,
\t\t\tisSecret: false,
\t\t},
\t\t{"bytes", []byte{45, 75, 69, 89}, true},
\t}
\tfor _, tt := range tests {
\t\tt.Errorf("not a case %v", "x")
\t}
}
"""


def test_go_literals_and_table_cases() -> None:
    # the Go read the harvest's labels rest on: escapes, raw strings, a concatenation
    # across lines, a byte slice; a variable is no literal
    assert golit.expression('"a\\tb" +\n\t\t"c\\u00e9"') == "a\tbc\u00e9"
    assert golit.expression("`raw\\n`") == "raw\\n"
    assert golit.expression("[]byte{104, 105}") == "hi"
    assert golit.expression('hex + "\\n"') is None
    assert golit.cases(TABLE) == [
        (["kept", "passwd: Lq8#vZ2mW"], True),
        (["dropped", '"passwd": "$DB_PASS"'], False),
        (["bytes", "-KEY"], True),
    ]


def test_kinds_of_flagged_contents() -> None:
    # SPEC §4: a password after its key word (in code, config, XML, a Basic header), a
    # key-shaped run in code, a URL's password, a JWT, a key block whole, a card alone
    kind = golit.kind
    assert kind("db_pass = 'Tz7!kq2Wm'") == ("KEYWORD_SECRET", "Tz7!kq2Wm", "db_pass = 'Tz7!kq2Wm'")
    assert kind("<pwd kind=1> hunter-Blue9 </pwd>")[:2] == ("KEYWORD_SECRET", "hunter-Blue9")
    basic = "Authorization: Basic aDI0OnMzY3JldA=="
    assert kind(basic) == ("KEYWORD_SECRET", "aDI0OnMzY3JldA==", basic)
    code = 'cfg.put("apiKey", "Qm7x2Lp9Kd4Wz8Rt5Vb1")'
    assert kind(code) == ("TOKEN_CONTEXT", "Qm7x2Lp9Kd4Wz8Rt5Vb1", code)
    url = "redis://ops:Vb8kLq2w@cache.internal:6379/0"
    assert kind(url) == ("URL_PASSWORD", "Vb8kLq2w", url)
    jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJoMjQifQ.c2lnbmF0dXJl"
    assert kind(jwt) == ("JWT", jwt, "")
    block = "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIFq2w8Lm\n-----END EC PRIVATE KEY-----"
    assert kind(f"key = '''{block}'''") == ("PRIVATE_KEY", block, "")
    assert kind("4000056655665556") == ("CARD", "4000056655665556", "")
    assert kind("ASIAZ7Q4LMN2PQR8STUV") == ("TOKEN_PREFIXED", "ASIAZ7Q4LMN2PQR8STUV", "")
    assert kind("Zx81bQ") == ("NOT_ASKED:HIGH_ENTROPY", "Zx81bQ", "")
    # unsure: a placeholder, a format's template, no key and nothing key-shaped, the
    # password word alone
    assert kind("pwd='xxxx'") is None
    assert kind("token: 'aA0aaA0a-0000-aaAA-A0a0-aAA0aaA0aA00'") is None
    assert kind("api_key = test") is None
    assert kind('"password"') is None


def test_clean_only_without_secret_shapes() -> None:
    # SPEC §4 asks for secrets, not their references: a variable, a name after the key
    # word, text are clean; a password-like value, a key run, a long digit run are not
    assert golit.clean("DB_PASSWORD : $db.password")
    assert golit.clean("secret: app.clientSecret")
    assert golit.clean("Random text, no pem here")
    assert not golit.clean("secret: Tz7!kq2Wm")
    assert not golit.clean('"passwd": "Bärchen$$42"')
    assert not golit.clean("Qm7x2Lp9Kd4Wz8Rt5Vb1")
    assert not golit.clean("call 212 555 0147 99")


PATTERN_TEST = """
func TestPatterns(t *testing.T) {
\tvalues := [2]string{"pwd", "token"}
\tfor i := 0; i < len(values); i++ {
\t\tshouldPassDetectionOfSecretPattern(filename, []byte(strings.ToTitle(values[i])+"=Fq2#x"), t)
\t}
\tshouldPassDetectionOfSecretPattern(filename, []byte(`pass: Hx9-w` +
\t\t"Q"), t)
\tshouldFailDetectionOfSecretPattern(filename, []byte("pass: ${PASS}"), t)
}
"""
FUNCS = """
func TestShouldFlagKeyInCode(t *testing.T) {
\tconst code string = "token = \\"Qm7x2Lp9Kd4Wz8Rt5Vb1\\""
\tfilename := "filename"
}

func TestShouldNotFlagPlainWords(t *testing.T) {
\tadditions := []gitrepo.Addition{gitrepo.NewAddition(filename, []byte("plain words"))}
}

func TestShouldNotFlagCardIfAboveThreshold(t *testing.T) {
\tconst card string = "4000056655665556"
}
"""


def test_talisman_cases_read_and_expanded() -> None:
    # SPEC §4 secrets after key words: the loop's calls once per key word; a function's
    # answer from its name, a configuration's function (``If``) skipped
    assert talisman.pattern_contents(PATTERN_TEST) == [
        ("PWD=Fq2#x", True),
        ("TOKEN=Fq2#x", True),
        ("pass: Hx9-wQ", True),
        ("pass: ${PASS}", False),
    ]
    assert talisman.function_contents(FUNCS) == [
        ('token = "Qm7x2Lp9Kd4Wz8Rt5Vb1"', True),
        ("plain words", False),
    ]
    h = Harvest()
    files = {talisman.PATTERN: PATTERN_TEST, f"{talisman.FILECONTENT}/x_test.go": FUNCS}
    skipped = talisman.harvest(h, lambda _d: list(files)[1:], files.__getitem__)
    got = [(i["label"], i["value"]) for i in h.items]
    assert got == [
        ("KEYWORD_SECRET", "Fq2#x"),
        ("KEYWORD_SECRET", "Hx9-wQ"),
        ("NEGATIVE", "pass: ${PASS}"),
        ("TOKEN_CONTEXT", "Qm7x2Lp9Kd4Wz8Rt5Vb1"),
        ("NEGATIVE", "plain words"),
    ]
    assert skipped == {"flagged, value unsure (no key, placeholder)": 1}  # TOKEN=Fq2#x


RULES = """rules:
  - Code: 1
    Pattern: "(?i)(zq_[0-9a-z]{20})"
    Caption: Potential zq token in file
    Category: password-secret
    Example: zq_hk29lm4qp7rt1vx8wz3b
  - Code: 2
    Pattern: "(?i)hunter[1-3]"
    Caption: Potential default password in file
    Category: password-secret
    Example: hunter2
  - Code: 3
    Pattern: "x"
    Caption: Potential email address in file
    Category: infrastructure
    Example: ops.h24@mail.example.org
"""


def test_earlybird_rules_and_checks() -> None:
    # SPEC §4 tokens (a literal prefix with more pattern after it) and passwords; a
    # default password alone is not asked; a PII rule's example is another set's kind;
    # a check's kept case by kind, a dropped one a negative only where clean
    h = Harvest()
    files = {
        earlybird.RULES[0]: RULES,
        earlybird.RULES[1]: "rules: []",
        earlybird.RULES[2]: "rules: []",
    }
    files[f"{earlybird.POSTPROCESS}/pem_test.go"] = TABLE.replace("passwd: Lq8#vZ2mW", "x")
    files[f"{earlybird.POSTPROCESS}/validatePassword_test.go"] = TABLE
    skipped = earlybird.harvest(h, lambda _d: list(files)[3:], files.__getitem__)
    got = [(i["label"], i["value"]) for i in h.items]
    assert got == [
        ("TOKEN_PREFIXED", "zq_hk29lm4qp7rt1vx8wz3b"),
        ("NOT_ASKED:PASSWORD", "hunter2"),
        ("NOT_ASKED:HIGH_ENTROPY", "x"),
        ("NEGATIVE", '"passwd": "$DB_PASS"'),
        ("NOT_ASKED:HIGH_ENTROPY", "-KEY"),
        ("NEGATIVE", "-KEY"),
    ]
    # validatePassword's answer is wantIgnore: its true drops the finding, so there the
    # password is a dropped near-miss and the variable a kept placeholder, both left out
    assert skipped == {
        "example of a rule of no secret": 1,
        "dropped, near-miss (secret-shaped)": 1,
        "kept, value unsure (no key, placeholder, length)": 1,
    }


def test_values_jsonl_shape_and_provenance() -> None:
    check_shape_and_provenance(THIRTEENTH, harvest.SEEN, values=90, negatives=25)


def test_harvest_rewrites_values_jsonl(tmp_path: Path) -> None:
    collected, _skipped = harvest.collect(mirrors_or_skip(THIRTEENTH))
    collected.write_unseen(tmp_path / "values.jsonl", seen_values(harvest.SEEN))
    assert (tmp_path / "values.jsonl").read_bytes() == (THIRTEENTH / "values.jsonl").read_bytes()
