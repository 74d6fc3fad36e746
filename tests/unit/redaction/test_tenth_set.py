"""The tenth set's harvest (issue 16) reads its source's expected answers right.

SPEC §4 asks the filter for the secrets coding sessions leak: provider API keys and
tokens, private-key blocks, JWTs, passwords in URLs and connection strings, high-entropy
tokens next to key words, password hashes. The tenth set takes them from the examples
of SonarSource/sonar-text's secrets rules. Pinned here on small rules of our own shape
(not on the mirror): the label rules by kind (a token alone, in its snippet, after a
password word; a URL's password; a key block whole), a rejected snippet a negative only
with nothing secret-shaped in it, and the committed ``values.jsonl``'s shape and
provenance, and (where the mirror is here) that the harvest rewrites it byte for byte.
"""

from __future__ import annotations

from pathlib import Path

from benchmarks.redaction.outside.harvest import Harvest
from benchmarks.redaction.tenth import harvest, sonartext
from tests.outside_sets import check_shape_and_provenance, mirrors_or_skip, seen_values

TENTH = Path(harvest.__file__).parent
RULE = {
    "detection": {
        "pre": {"include": {"content": ["zq_"]}},
        "matching": {"pattern": r"\b(zq_(?<rand>[A-Za-z0-9]{20}))\b"},
        "post": {"patternNot": [r"(\w)\1{5}", r"^\$\{?\w+\}?$"]},
    }
}
TOKEN = "zq_Hk29Lm4Qp7Rt1Vx8Wz3B"


def _example(text: str, match: str | None = None) -> dict[str, object]:
    out: dict[str, object] = {"text": text + "\n", "containsSecret": True}
    if match is not None:
        out["match"] = match
    return out


def test_secret_examples_by_kind() -> None:
    # SPEC §4 provider tokens: alone TOKEN_PREFIXED (the rule's pre-filter word starts
    # it), in code TOKEN_CONTEXT, after a password word KEYWORD_SECRET; no match given:
    # the one value the rule's own pattern takes.
    pos = sonartext.positive
    assert pos(RULE, _example(TOKEN, TOKEN)) == ("TOKEN_PREFIXED", TOKEN, "")
    code = f'client.auth("{TOKEN}")'
    assert pos(RULE, _example(code)) == ("TOKEN_CONTEXT", TOKEN, code)
    conf = f"user: ci\npassword: {TOKEN}"
    assert pos(RULE, _example(conf, TOKEN)) == ("KEYWORD_SECRET", TOKEN, conf)
    bare = "Qm7x2Lp9Kd4Wz8Rt"
    assert pos(RULE, _example(bare, bare))[0] == "NOT_ASKED:HIGH_ENTROPY"


def test_urls_keys_and_jwts_by_kind() -> None:
    # SPEC §4 passwords in URLs (a match of login:password is the password), private-key
    # blocks (the match is the BEGIN line; the value is the whole block), JWTs.
    pos = sonartext.positive
    url = 'DSN = "amqp://ops:Vb8kLq2w@queue.internal:5672/"'
    assert pos(RULE, _example(url, "ops:Vb8kLq2w")) == ("URL_PASSWORD", "Vb8kLq2w", url)
    assert pos(RULE, _example(url, "Vb8kLq2w")) == ("URL_PASSWORD", "Vb8kLq2w", url)
    block = "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIFq2w8Lm\n-----END EC PRIVATE KEY-----"
    got = pos(RULE, _example(f"key = '''\n{block}\n'''", "-----BEGIN EC PRIVATE KEY-----"))
    assert got == ("PRIVATE_KEY", block, "")
    jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJoMjEifQ.c2lnbmF0dXJl"
    assert pos(RULE, _example(f"Bearer {jwt}", jwt)) == ("JWT", jwt, "")
    # a short secret also standing elsewhere in its snippet is skipped: the harness
    # scores a value's first occurrence, here the login
    twice = "postgres://app:app@db:5432/app"
    assert pos(RULE, _example(twice, "app")) is None


def test_rejected_snippets_clean_only_without_secret_shapes() -> None:
    # SPEC §4 asks for secrets, not their placeholders: a variable, a template, a run of
    # one character the rule's patternNot rejects, a class name are clean; a near-miss
    # token, a short bearer credential, a digit password after a password word are not.
    nots = RULE["detection"]["post"]["patternNot"]
    clean = sonartext.clean
    assert clean(RULE, nots, 'token = os.environ["ZQ_TOKEN"]')
    assert clean(RULE, nots, "zq_token: zq_aaaaaaaaaaaaaaaaaaaa")
    assert clean(RULE, nots, 'url = "redis://cache:{{vault_pass}}@host:6379"')
    assert clean(RULE, nots, "class CompletionRequestViewModel:")
    assert not clean(RULE, nots, "zq_token: zq_Hk29Lm4Qp7Rt1Vx8W")  # a char short
    assert not clean(RULE, nots, "Authorization: Bearer k3.9xLq2")
    assert not clean(RULE, nots, "-pwd '987654' -port 22")
    assert not clean(RULE, nots, 'url = "redis://cache:Tq8mZ1@host:6379"')
    # an IPv4 or e-mail address is a kind SPEC §4 asks for too: not a clean snippet
    assert not clean(RULE, nots, 'url = "redis://cache:{{vault_pass}}@10.2.3.4:6379"')
    assert not clean(RULE, nots, 'mail_from = "ops.h21@mail.example.org"')
    assert clean(RULE, nots, 'url = "redis://cache:pass@db.example:6379"')


YAML = f"""provider:
  rules:
    - id: zq-token
      detection:
        pre: {{include: {{content: [zq_]}}}}
        matching: {{pattern: "\\\\b(zq_[A-Za-z0-9]{{20}})\\\\b"}}
        post: {{patternNot: ["(\\\\w)\\\\1{{5}}"]}}
      examples:
        - text: |
            props.set("zq-token", "{TOKEN}")
          containsSecret: true
          match: {TOKEN}
        - text: |
            props.set("zq-token", "{TOKEN}")
          fileName: Doc.md
          containsSecret: false
        - text: |
            props.set("zq-token", System.getenv("ZQ_TOKEN"))
          containsSecret: false
        - text: |
            props.set("zq-token", "zq_Hk29Lm4Qp7Rt1Vx8")
          containsSecret: false
"""


def test_harvest_reads_rules_examples() -> None:
    # SPEC §4 provider tokens in their code; a rejected example with a file name (the rule
    # rejects the file, not the text) and a near-miss are left out.
    h = Harvest()
    path = f"{sonartext.CONFIG}/zq.yaml"
    skipped = sonartext.harvest(h, lambda _d: [path, f"{sonartext.CONFIG}/x.json"], lambda _p: YAML)
    got = [(i["label"], i["value"]) for i in h.items]
    assert got == [
        ("TOKEN_CONTEXT", TOKEN),
        ("NEGATIVE", 'props.set("zq-token", System.getenv("ZQ_TOKEN"))'),
    ]
    assert skipped == {"rejected for its file name": 1, "rejected near-miss (secret-shaped)": 1}


def test_values_jsonl_shape_and_provenance() -> None:
    check_shape_and_provenance(TENTH, harvest.SEEN, values=300, negatives=180)


def test_harvest_rewrites_values_jsonl(tmp_path: Path) -> None:
    collected, _skipped = harvest.collect(mirrors_or_skip(TENTH))
    collected.write_unseen(tmp_path / "values.jsonl", seen_values(harvest.SEEN))
    assert (tmp_path / "values.jsonl").read_bytes() == (TENTH / "values.jsonl").read_bytes()
