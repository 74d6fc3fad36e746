"""The fourth set's harvest (issue 16) reads its sources' expected answers right.

Pinned on small copies of the sources' shapes, not on the mirrors: semgrep's test
annotations and the secret its rule's regex marks, security-utilities' literal test
cases, ggshield's recorded API answers. The values are the kinds SPEC §4 asks the
filter to find (provider tokens, passwords in URLs, key-word secrets); the label
corrections are those the harvest writes for whole kinds.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import yaml  # type: ignore[import-untyped]
from benchmarks.redaction.fourth import ggshield, harvest, secutils
from benchmarks.redaction.outside.harvest import Harvest

GENERIC_API_KEY = {
    "_path": "generic/secrets/security/detected-generic-api-key.yaml",
    "patterns": [
        {"pattern-regex": "[aA][pP][iI]_?[kK][eE][yY][=_:\\s-]+['|\"]?"
                          "(?<SECRET>[0-9a-zA-Z]{32,45})"},
        {"metavariable-analysis": {"analyzer": "entropy", "metavariable": "$SECRET"}},
    ],
}  # fmt: skip
AWS_SECRET = {
    "_path": "generic/secrets/security/detected-aws-secret-access-key.yaml",
    "patterns": [
        {"pattern-regex": "((?i)aws)_?\\w*((?i)secret)_?\\w*\\s*(:|=)\\s*[A-Za-z0-9/+=]{40}"},
        {"pattern-not-regex": "(?i)example"},
    ],
}
CLOJARS = {
    "_path": "generic/secrets/gitleaks/clojars-api-token.yaml",
    "patterns": [{"pattern-regex": "(?i)(CLOJARS_)[a-z0-9]{60}"}],
}
ADAFRUIT = {
    "_path": "generic/secrets/gitleaks/adafruit-api-key.yaml",
    "patterns": [
        {"pattern-regex": "(?i)(?:adafruit)(?:[0-9a-z\\-_\\t .]{0,20})(?:=|:)(?:'|\"|\\s){0,5}"
                          "([a-z0-9_-]{32})(?:['|\"\\n]|$)"},
    ],
}  # fmt: skip
GITHUB = {
    "_path": "generic/secrets/security/detected-github-token.yaml",
    "patterns": [
        {"pattern-either": [{"pattern": "$VAR = $SECRET"}]},
        {"metavariable-regex": {"metavariable": "$SECRET",
                                "regex": "gh[pousr]_[A-Za-z0-9_]{36,251}"}},
    ],
}  # fmt: skip
NPM = {
    "_path": "generic/secrets/security/detected-npm-registry-auth-token.yaml",
    "patterns": [{"pattern": "$AUTHTOKEN = $VALUE"}],
}
TOKEN = "ghp_" + "aB3dE6gH9jK2mN5pQ8sT1vW4yZ7bC0eF3hJ6"


def _secret(rule_id: str, rule: dict[str, Any], text: str, line: int = 1) -> str | None:
    start = sum(len(x) + 1 for x in text.split("\n")[:line])
    return harvest.semgrep_secret(rule_id, rule, text, start)


def test_annotation_points_at_the_next_line_that_is_no_annotation() -> None:
    lines = ["# ruleid: a", "# ok: b", "value one", "", "// ok: c", "value two", "# ruleid: d"]
    notes: Counter[str] = Counter()
    assert harvest.annotated_lines(lines, notes) == [
        ("ruleid", "a", 2),
        ("ok", "b", 2),
        ("ok", "c", 5),
    ]
    assert notes["annotation without a line"] == 1


def test_secret_is_the_rules_named_group_or_the_value_after_its_name() -> None:
    # SPEC §4: a high-entropy token next to a key word is the secret, not its name.
    text = "# ruleid: x\napi_key=9Hq2xZ7vT4mK1pL8sD3fG6jN0bV5cX2qW7e"
    assert _secret("detected-generic-api-key", GENERIC_API_KEY, text) == (
        "9Hq2xZ7vT4mK1pL8sD3fG6jN0bV5cX2qW7e"
    )
    text = "# ruleid: x\naws_secret_access_key = Lq3R8vN2tX5kM9pZ1wC7yB4hJ6dF0gS2aE8uT5o"
    assert _secret("detected-aws-secret-access-key", AWS_SECRET, text) == (
        "Lq3R8vN2tX5kM9pZ1wC7yB4hJ6dF0gS2aE8uT5o"
    )


def test_gitleaks_secret_group_is_not_a_prefix_group() -> None:
    body = "q" * 20 + "3cfm6mdqhe9hjkysxiem57yb6mznbxdnx94gd62r"
    text = f'# ruleid: x\nclojars_api_token = "CLOJARS_{body}"'
    assert _secret("clojars-api-token", CLOJARS, text) == f"CLOJARS_{body}"
    text = '// ruleid: x\nadafruit_api_token = "9zu9r6idf9c0tfcc4w26l66ij7visb8n"'
    assert _secret("adafruit-api-key", ADAFRUIT, text) == "9zu9r6idf9c0tfcc4w26l66ij7visb8n"


def test_generic_rules_give_the_value_part_of_the_line() -> None:
    text = f"# ruleid: x\nGITHUB_TOKEN={TOKEN}"
    assert _secret("detected-github-token", GITHUB, text) == TOKEN
    text = "# ruleid: x\n//registry.npmjs.org/:_authToken=27dfe8d8-889b-4380-92ff-9c3c6ea5d478"
    assert _secret("detected-npm-registry-auth-token", NPM, text) == (
        "27dfe8d8-889b-4380-92ff-9c3c6ea5d478"
    )
    text = "# ruleid: x\nsshpass -p 'hunter22'"
    assert _secret("detected-ssh-password", {}, text) == "hunter22"


def test_labels_and_whole_kind_corrections() -> None:
    assert harvest.semgrep_item("detected-stripe-api-key", "sk_live_x", "sk_live_x") == (
        "TOKEN_PREFIXED",
        "sk_live_x",
    )
    assert harvest.semgrep_item("snyk-api-token", "uuid", 'SNYK_TOKEN = "uuid"')[0] == (
        "TOKEN_CONTEXT"
    )
    # Client ids are identifiers, not secrets (as the holdout's and the fresh set's).
    line = "const DEFAULT_CLIENT_ID = 'aebc6443-996d-45c2-90f0-388ff96faa56';"
    assert harvest.semgrep_item("generic-api-key", "aebc6443", line)[0] == "NOT_ASKED:IDENTIFIER"
    assert harvest.semgrep_label("discord-client-id") == "NOT_ASKED:IDENTIFIER"
    # SPEC §4, passwords in URLs: a token in a URL's password field is that password.
    line = f"git clone https://someone:{TOKEN}@github.com/x/y"
    assert harvest.semgrep_item("detected-github-token", TOKEN, line) == ("URL_PASSWORD", TOKEN)
    assert harvest.semgrep_context("detected-private-key", "-----BEGIN", "-----BEGIN") == ""


MASKER = """
    [DataTestMethod]
    [DataRow("npm_deaddeaddeaddeaddeaddeaddeaddeaddead", "SEC101/050:bUOMn/+Dx0jUK71D+nHu")]
    public void SecretMasker_PlaceholderTestSecretsAreMasked(string input, string expected)
    {
    }

    [DataTestMethod]
    [DataRow("The password is knock knock knock")]
    public void SecretMasker_FalsePositiveValuesAreNotMasked(string input)
    {
    }

    [TestMethod]
    public void SecretMasker_UrlCredentialsAreMasked()
    {
        string input = "https://user:s3cr3t-Pw@example.com";
        string expected = "https://+++@example.com";
    }

    [TestMethod]
    public void SecretMasker_UrlNotMasked()
    {
        string input = "https://simpledomain@example.com";
        Assert.AreEqual(input, output);
    }
"""


def test_security_utilities_masker_rows_and_url_tests() -> None:
    h = Harvest()
    secutils._masker_tests(h, MASKER)
    got = {(i["label"], i["value"], i.get("context", "")) for i in h.items}
    assert got == {
        ("TOKEN_PREFIXED", "npm_deaddeaddeaddeaddeaddeaddeaddeaddead", ""),
        ("NEGATIVE", "The password is knock knock knock", "TOKEN_PREFIXED"),
        ("URL_PASSWORD", "s3cr3t-Pw", "https://user:s3cr3t-Pw@example.com"),
        ("NEGATIVE", "https://simpledomain@example.com", "URL_PASSWORD"),
    }


def test_ggshield_takes_password_and_apikey_matches_in_their_line() -> None:
    document = 'host = db.example.com\n+sg_key = "SG.aaaa.bbbb";\n'
    start = document.index("SG.")
    answer = [
        {
            "policy_breaks": [
                {
                    "type": "SendGrid Key",
                    "matches": [
                        {"type": "apikey", "match": "SG.aaaa.bbbb", "index_start": start,
                         "index_end": start + 11},
                        {"type": "host", "match": "db.example.com", "index_start": 7,
                         "index_end": 20},
                    ],
                }
            ]
        }
    ]  # fmt: skip
    cassette = {
        "interactions": [
            {
                "request": {"body": json.dumps([{"filename": "a", "document": document}])},
                "response": {"body": {"string": json.dumps(answer)}},
            }
        ]
    }
    h = Harvest()
    path = "tests/unit/cassettes/single_add.yaml"
    ggshield.harvest(h, [path, "tests/unit/cassettes/hmsl_x.yaml"], lambda _: yaml.dump(cassette))
    assert [(i["label"], i["value"], i.get("context")) for i in h.items] == [
        ("TOKEN_CONTEXT", "SG.aaaa.bbbb", '+sg_key = "SG.aaaa.bbbb";')
    ]
