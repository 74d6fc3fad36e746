"""The ninth set's harvest (issue 16) reads its sources' expected answers right.

SPEC §4 asks the filter for the secrets coding sessions leak: provider API keys and
tokens, private-key blocks, JWTs, passwords in URLs and connection strings, high-entropy
tokens next to key words, password hashes. The ninth set takes them from
octarinesec/secret-detector's detector tests, checkov's secrets sanity fixtures and
repo-supervisor's fixtures. Pinned here on small copies of those shapes (not on the
mirrors): the label rules by kind (a token alone, in its syntax, after a key word; a bare
high-entropy string not asked; a rejected input a negative only with nothing secret-shaped
in it), and the committed ``values.jsonl``'s shape and provenance, and (where the mirrors
are here) that the harvest rewrites it byte for byte.
"""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.redaction.ninth import checkov, harvest, reposupervisor, secretdetector
from benchmarks.redaction.outside.harvest import Harvest
from tests.outside_sets import check_shape_and_provenance, mirrors_or_skip, seen_values

NINTH = Path(harvest.__file__).parent
GO = r"""
var testCases = []tests.TestCase{
	{"valid", "zz_live_Q2w9Er7tY4uI1oP6aS3d", true},
	{"raw", `zz_live_Q2w9Er7tY4uI1oP6a\S3d`, true},
	{"too long", "zz_live_Q2w9Er7tY4uI1oP6aS3dX", false},
	{"bare prefix", "zz_live", false},
	{"built", "zz_live_" + random(), true},
	{"empty input", "", false},
}
"""


def test_secretdetector_rows_and_labels_by_kind() -> None:
    # SPEC §4 provider tokens: a token alone is TOKEN_PREFIXED; a rejected near-miss (one
    # character too long) is a look-alike, left out; a bare prefix is a clean negative;
    # a row built by a call is not a literal and is skipped.
    assert list(secretdetector.rows(GO)) == [
        ("valid", "zz_live_Q2w9Er7tY4uI1oP6aS3d", True),
        ("raw", "zz_live_Q2w9Er7tY4uI1oP6a\\S3d", True),
        ("too long", "zz_live_Q2w9Er7tY4uI1oP6aS3dX", False),
        ("bare prefix", "zz_live", False),
        ("empty input", "", False),
    ]
    h = Harvest()
    path = "pkg/detectors/stripe/stripe_detector_test.go"
    secretdetector.harvest(h, lambda _root: [path, "pkg/x/helpers.go"], lambda _p: GO)
    got = [(i["label"], i["value"]) for i in h.items]
    assert got == [
        ("TOKEN_PREFIXED", "zz_live_Q2w9Er7tY4uI1oP6aS3d"),
        ("TOKEN_PREFIXED", "zz_live_Q2w9Er7tY4uI1oP6a\\S3d"),
        ("NEGATIVE", "zz_live"),
    ]


def test_secretdetector_values_in_their_syntax() -> None:
    # SPEC §4 key-word secrets, URL passwords, tokens in their syntax; bare high-entropy
    # strings are not asked (only next to key words).
    pos = secretdetector.positive
    assert pos("keyword", 'DB_PASS := "h7Qm2vK9"') == (
        "KEYWORD_SECRET", "h7Qm2vK9", 'DB_PASS := "h7Qm2vK9"'
    )  # fmt: skip
    url = "redis://ops:Tq8mZ1@cache.local:6379/0"
    assert pos("url_password", url) == ("URL_PASSWORD", "Tq8mZ1", url)
    bearer = "Authorization: Bearer Zm9vOmJhcg=="
    assert pos("bearer_auth", bearer) == ("TOKEN_CONTEXT", "Zm9vOmJhcg==", bearer)
    aws = "aws'Ab12+Cd34/Ef56'"
    assert pos("aws_secret_key", aws) == ("TOKEN_CONTEXT", "Ab12+Cd34/Ef56", aws)
    npm = "//npm.acme.io/:_authToken=Kx91-Lm"
    assert pos("npm_token", npm) == ("TOKEN_CONTEXT", "Kx91-Lm", npm)
    assert pos("high_entropy_string", "9fQ2x7Lm1Zp4Tt8w") == (
        "NOT_ASKED:HIGH_ENTROPY", "9fQ2x7Lm1Zp4Tt8w", ""
    )  # fmt: skip
    # a rejected input is clean only with nothing token-, hex- or credential-shaped in it
    assert secretdetector.clean("token: $API_TOKEN")
    assert secretdetector.clean("https://ops@cache.local")
    assert not secretdetector.clean("https://:Tq8mZ1@cache.local")
    assert not secretdetector.clean("zz.key.deadbeefcafe")
    assert not secretdetector.clean("Bearer Zm9vOmJh")


TP = '{\n  "db_password": "Rk4!vq9Lz",\n  "api_secret": "xJ3\\u003dk"\n}'
TN = '{\n  "password": "Passord",\n  "password_hint": "Minst seks tegn",\n  "key": "Q9z+Lk2"\n}'


def test_checkov_lines_by_kind() -> None:
    # SPEC §4 high-entropy tokens and passwords next to key words: the true positives in
    # their line (an escaped value is skipped); a true negative is a negative only where
    # its value is prose or a word, not where it is key-shaped.
    files = {checkov.POSITIVES: TP, checkov.NEGATIVES: TN}
    files |= dict.fromkeys(checkov.FP_FILES, 'name = "example_secret_name"\n}')
    h = Harvest()
    checkov.harvest(h, lambda p: files[p])
    got = [(i["label"], i["value"], i.get("context", "")) for i in h.items]
    assert got == [
        ("KEYWORD_SECRET", "Rk4!vq9Lz", '"db_password": "Rk4!vq9Lz"'),
        ("NEGATIVE", '"password": "Passord"', "KEYWORD_SECRET"),
        ("NEGATIVE", '"password_hint": "Minst seks tegn"', "KEYWORD_SECRET"),
        ("NEGATIVE", 'name = "example_secret_name"', "KEYWORD_SECRET"),
    ]


def test_reposupervisor_expected_secrets_by_their_line() -> None:
    # SPEC §4: a value after a key word is asked (TOKEN_CONTEXT; a password, also on a
    # Kubernetes value: line under its name, KEYWORD_SECRET); one with no key word is not.
    lines = [
        "const SIGNING_KEY = 'p9Xk2-Lq7Zt';",
        "  env:",
        "    - name: SMTP_PASSWORD",
        '      value: "w7!Kd92x"',
        '  "FOO": "Zq81-Lm0p"',
        "run: [sh, -c, export, API_TOKEN=Hx81Kq.92Lm]",
    ]
    label = reposupervisor.label
    assert label("p9Xk2-Lq7Zt", lines) == ("TOKEN_CONTEXT", "p9Xk2-Lq7Zt", lines[0].strip())
    assert label("w7!Kd92x", lines) == (
        "KEYWORD_SECRET", "w7!Kd92x", '- name: SMTP_PASSWORD\n  value: "w7!Kd92x"'
    )  # fmt: skip
    assert label("Zq81-Lm0p", lines)[0] == "NOT_ASKED:HIGH_ENTROPY"
    assert label("API_TOKEN=Hx81Kq.92Lm", lines)[:2] == ("TOKEN_CONTEXT", "Hx81Kq.92Lm")
    answer = {"result": [{"filepath": "./a/b.yml", "secrets": ["x"]}]}
    cli = f"const msg = '{json.dumps(answer, separators=(',', ':'))}';"
    assert reposupervisor.expected(cli) == {"a/b.yml": ["x"]}


def test_values_jsonl_shape_and_provenance() -> None:
    check_shape_and_provenance(NINTH, harvest.SEEN, values=100, negatives=150)


def test_harvest_rewrites_values_jsonl(tmp_path: Path) -> None:
    collected = harvest.collect(mirrors_or_skip(NINTH))
    collected.write_unseen(tmp_path / "values.jsonl", seen_values(harvest.SEEN))
    assert (tmp_path / "values.jsonl").read_bytes() == (NINTH / "values.jsonl").read_bytes()
