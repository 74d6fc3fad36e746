"""The compiled scan (native.py, _native.cpp) finds exactly what the Python scan finds.

The Python detectors are the reference (SPEC §4); the compiled scan is a port of
them. These tests compare the two on the labelled benchmark corpus and on text
generated from the fragments the detectors care about, including the edges
the compiled scan adds (regions of the text, the provider-prefix finder, JWT
headers checked without Python).
"""

from __future__ import annotations

import base64
import json
import pickle

import pytest
from benchmarks.redaction.corpus import build_corpus
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consentry.redaction import GazetteerNer, Redactor, native
from consentry.redaction.detector import PatternDetector, compile_pattern
from consentry.redaction.engine import DEFAULT_DETECTORS

KEY = b"native-test-key"


pytestmark = pytest.mark.usefixtures("compiled_scan")


def _pair(**kwargs: object) -> tuple[Redactor, Redactor]:
    compiled = Redactor(**kwargs)  # type: ignore[arg-type]
    reference = Redactor(native=False, **kwargs)  # type: ignore[arg-type]
    assert compiled.compiled and not reference.compiled
    return reference, compiled


PLAIN = _pair() if native.available() else None
KEYED = _pair(pseudonym_key=KEY) if native.available() else None


def _assert_same(text: str) -> None:
    assert PLAIN is not None and KEYED is not None
    for reference, compiled in (PLAIN, KEYED):
        assert compiled.redact(text) == reference.redact(text), text
    data = text.encode("utf-8", "surrogatepass")
    found: list[tuple[int, int, str, int]] = []
    PLAIN[0]._plan.collect(data, found)
    assert PLAIN[1]._native is not None
    assert PLAIN[1]._native.candidates(data) == found, text


def test_same_findings_on_the_labelled_corpus() -> None:
    for record in build_corpus(1500):
        _assert_same(record.text)


def test_same_findings_on_the_outside_suite() -> None:
    # Issue 16: the compiled and the Python scans agree on other projects' data too.
    from benchmarks.redaction.outside.corpus import build

    for record in build():
        _assert_same(record.text)


def test_detectors_without_a_port_run_compiled_with_their_validator_called_back() -> None:
    # A built-in PatternDetector whose validator has no C++ port (issue 16's new
    # ones) no longer sends the whole filter back to Python.
    scan = native.build(DEFAULT_DETECTORS)
    assert scan is not None
    specs = [native._spec(d) for d in DEFAULT_DETECTORS]
    called_back = [s for s in specs if s is not None and s[0] == "pattern" and s[5] == "python"]
    assert called_back and all(callable(s[7]) for s in called_back)


def test_same_findings_on_session_sized_texts() -> None:
    texts = [r.text for r in build_corpus(400, seed=11)]
    for i in range(0, len(texts), 20):
        _assert_same("\n".join(texts[i : i + 20]))


# The edges of the compiled scan's shortcuts: the least a region rule lets through
# (a 13-digit card, exactly 9 digits after "SSN"), what \b rules out (a prefix
# glued to a word), the folds RE2 applies under (?i), matches without a digit.
EDGES = [
    "4222222222222", "visa 4222222222222.", "4222 2222 22222", "1 4222222222222 2",
    "SSN: 078051120", "ssn078051120", "social security number 078051120", "SSN 0780511201",
    "ghp_" + "aB3" * 12, "xghp_" + "aB3" * 12, "_ghp_" + "aB3" * 12, "-ghp_" + "aB3" * 12,
    "9ghp_" + "aB3" * 12, "xoxb-1234567890", "axoxb-1234567890", "_xoxb-1234567890",
    "AKIAIOSFODNN7EXAMPLE", "xAKIAIOSFODNN7EXAMPLE", "sk-proj-" + "Ab1" * 10,
    "DE89370400440532013000", "XDE89370400440532013000", "DE89 3704 0044 0532 0130 00x",
    "+44 20 7946 0958", "(0)20 7946 0958", "020 7946 0958", "1-415-555-2671", "(415) 555-2671",
    "fe:ab:cd:ef:ab:cd:ef:01", "aa:bb:cc:dd:ee:ff:aa:bb", "::1", "a::b", "fe80::", "1::2:3",
    "jöhn@exämple.de", "a@b.co", "x@y.png", "..a@b.co", "a@b.co.", "mailto:a@b.co",
    "xeyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln",
    "\u017fecret=abcdefghijklmnop1234", "api\u212aey: Zx9yW8vU7tS6rQ5p",
    "pa\u017f\u017fword: hunter2",
    "redis://:secretpass@host", "https://user:p4ss@example.com/x", "bearer abcdefghijklmnopq12",
    "mysql://u:p@ss@db@host:1/x", "ftp://u:a@b?c@d", "a://u:p@@h#x@y", "s://:q@r s@t",
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln.aXY.dGFn", "eyJhbGciOiJkaXIifQ..aXY.Y3Q.dGFn",
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln..x", 'k = "b3BlbnNzaC1rZXktdjEAAA" +\n "QUJD";',
    "\\r\\nb3BlbnNzaC1rZXktdjEAAA\\r\\nQUJD\\r\\n", "b3BlbnNzaC1rZXktdjE\nAb\n\nCd",
    "DB_PASSWORD=bluejay", "export SMTP_PASS=a.b", "x\nAPP_SECRET=owl\n", "APP_SECRET==owl",
    "ex DB_PASSWORD=jay", "port DB_PASSWORD=jay", "db_PASSWORD=jay", "\nexport X_PWD=k=",
    "# DB_PASSWORD=jay", "#DB_PASSWORD=jay", "x# DB_PASSWORD=jay", "\n#export Y_PASS=jay",
    "203.0.113.7", "1.2.3.4.5", "version 10.0.0.1", "12.34.56.78:8080", "123-45-6789",
    "123 45 6789",
]  # fmt: skip


FRAGMENTS = [
    # digits and what joins them (cards, SSNs, phones, IPs, IBANs, dates)
    "4111", "1111", "5555555555554444", "123", "45", "6789", "078-05-1120", "0", "01", "07",
    "123456789", "1234567890", "(415)", "555", "2671", "+", "+44", "+1", "20 7946 0958",
    "203.0.113.7", "10.0.0.1", "1.2.3.4.5", "v1.2.3.4", "2024-01-15", "12:30:45",
    "DE89 3704 0044 0532 0130 00", "DE89370400440532013000", "GB82WEST12345698765432", "NO93",
    "2001:db8::8a2e:370:7334", "fe80::1", "::", ":", "a:b:c:d:e:f:1:2", "::ffff:192.0.2.1",
    # key words, separators and values
    "password", "PASSWORD", "passwd", "pwd", "secret", "Token", "api_key", "apiKey",
    "access-key", "credentials", "sharedaccesskey", "Bearer ", "bearer", "ssn", "SSN: ",
    "social security number ", "=", ": ", ":=", "=>", '"', "'", "hunter2",
    "s3cr3tV4lu3xyzABC", "AbCdEfGhIjKlMnOpQrSt", "${PW}", "%(password)s", "make_token(",
    # provider tokens, URLs, e-mail, JWTs, PEM
    "ghp_", "aB3" * 12, "AKIA", "IOSFODNN7EXAMPLE", "sk-", "sk_live_", "xoxb-", "SK", "hf_",
    "glpat-", "npm_", "AIza", "https://hooks.slack.com/services/", "T000/B000/XXXX",
    "postgres://user:pa55word@db/x", "https://", "://", "@", "jane.doe@example.org",
    "a@b.co", "x@y.png", "eyJhbGciOiJIUzI1NiJ9", "eyJzdWIiOiIxIn0", ".", "-", "_",
    "-----BEGIN RSA PRIVATE KEY-----", "MIIEow", "-----END RSA PRIVATE KEY-----",
    "b3BlbnNzaC1rZXktdjE", "AAAA", '" +\n"', "' + '", "\\r\\n", "\\n",
    "DB_PASSWORD", "APP_SECRET", "export ", "bluejay",
    "[EMAIL]", "[SECRET_1a2b3c4d]", *EDGES[:12],
    # text around them, including what RE2 folds (ſ, K) and other non-ASCII
    " ", "\n", "\t", "\r\n", "the ", "word", "ſ", "K", "é", "日本", "Ünïcode", "\ud800",
]  # fmt: skip

TEXTS = st.lists(
    st.one_of(
        st.sampled_from(FRAGMENTS),
        st.text(alphabet="0123456789 -.:@abcXYZ_+/=", max_size=12),
    ),
    max_size=30,
).map("".join)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS)
def test_same_findings_on_generated_text(text: str) -> None:
    _assert_same(text)


@pytest.mark.parametrize("text", EDGES)
def test_same_findings_at_the_edges(text: str) -> None:
    for around in ("{}", " {} ", "x{}x", "({})", "{}\n{}"):
        _assert_same(around.format(text, text))


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=6),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=6,
)


@settings(max_examples=300, deadline=None)
@given(
    header=st.dictionaries(
        st.sampled_from(["alg", "typ", "kid", "\u00e5lg", "x"]), JSON_VALUES, max_size=3
    ),
    ascii_only=st.booleans(),
    spaced=st.booleans(),
    raw=st.binary(max_size=24),
)
def test_same_jwt_decisions(
    header: dict[str, object], ascii_only: bool, spaced: bool, raw: bytes
) -> None:
    separators = (", ", ": ") if spaced else (",", ":")
    encoded_json = json.dumps(header, ensure_ascii=ascii_only, separators=separators).encode()
    for head in (encoded_json, b"{" + raw, raw):
        b64 = base64.urlsafe_b64encode(head).rstrip(b"=").decode()
        _assert_same(f"token {b64}.eyJzdWIiOiIxIn0.c2lnbmF0dXJl end")


def test_ner_stage_gets_the_compiled_candidates() -> None:
    ner = GazetteerNer(["Jane Doe"])
    reference, compiled = _pair(ner=ner)
    text = "Jane Doe <jane.doe@example.org>, card 4111 1111 1111 1111, Jane Doe again"
    assert compiled.redact(text) == reference.redact(text)
    assert [f.type for f in compiled.redact(text).findings] == ["PERSON", "EMAIL", "CARD", "PERSON"]


def test_a_subset_of_the_built_in_detectors_runs_compiled() -> None:
    six = [d for d in DEFAULT_DETECTORS if getattr(d, "type", None) in {"EMAIL", "CARD", "IP"}]
    reference, compiled = _pair(detectors=six)
    text = "mail a@b.co from 10.0.0.1, card 4111-1111-1111-1111, key ghp_" + "aB3" * 12
    assert compiled.redact(text) == reference.redact(text)


def test_a_detector_of_ones_own_keeps_the_python_scan() -> None:
    own = PatternDetector("TICKET", 55, compile_pattern(r"\bTCK-[0-9]{6}\b"))
    redactor = Redactor(detectors=[*DEFAULT_DETECTORS, own])
    assert not redactor.compiled
    assert redactor.redact("see TCK-123456").text == "see [TICKET]"


def test_switched_off_by_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(native.ENV_SWITCH, "0")
    assert not Redactor().compiled


def test_a_pickled_redactor_scans_compiled_again() -> None:
    copy = pickle.loads(pickle.dumps(Redactor(pseudonym_key=KEY)))
    assert copy.compiled
    assert copy.redact("a@b.co").text.startswith("[EMAIL_")


def test_every_region_rule_holds_for_its_pattern() -> None:
    """A changed pattern turns its region rule off (whole-text search) until the
    rule in _native.cpp is checked against it and REGION_RULES is updated."""
    for detector in DEFAULT_DETECTORS:
        spec = native._spec(detector)
        assert spec is not None, detector
        if spec[0] != "pattern" or spec[5] not in native.REGION_RULES:
            continue
        assert spec[6], (
            f"the {spec[5]} pattern changed (digest {native.pattern_digest(str(spec[3]))}): "
            "check its region rule in _native.cpp, then update native.REGION_RULES"
        )


WIDE_TEXTS = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=6)), max_size=30).map(
    "".join
)


@pytest.mark.slow
@settings(max_examples=20_000, deadline=None, suppress_health_check=list(HealthCheck))
@given(WIDE_TEXTS)
def test_same_findings_soak(text: str) -> None:
    """--run-slow: 20,000 texts mixing the fragments with arbitrary code points."""
    _assert_same(text)


def test_status_says_whether_the_compiled_scan_is_active_and_why(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    active, why = native.status()
    assert active and "active" in why
    monkeypatch.setenv(native.ENV_SWITCH, "0")
    active, why = native.status()
    assert not active and native.ENV_SWITCH in why
