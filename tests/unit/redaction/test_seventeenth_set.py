"""The seventeenth set's harvest (issue 16) reads its sources' expected answers right.

SPEC §4 asks the filter for the secrets coding sessions leak: provider API keys and
tokens, private-key blocks, high-entropy values next to key words. The seventeenth set
takes them from awslabs/git-secrets' bats tests, deepfence/SecretScanner's sample of keys
and Bearer/bearer's gitleaks and secrets tests. Pinned here on small texts of our own
shape (not on the mirrors): the label rules by kind (a secret access key's value a
secret, an access key id an identifier, a token in its line, a CSV row's secret under
its header, a key block whole), the lines the tests assert pass as negatives (and a
harvest that stops where one is gone), and the committed ``values.jsonl``'s shape and
provenance, and (where the mirrors are here) that the harvest rewrites it byte for byte.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from benchmarks.redaction.outside.harvest import Harvest
from benchmarks.redaction.seventeenth import gitsecrets, harvest, scanners
from tests.outside_sets import check_shape_and_provenance, mirrors_or_skip, seen_values

SEVENTEENTH = Path(harvest.__file__).parent
BATS = """@test "Scans using keys from credentials file" {
  echo 'aws_access_key_id = zq17id' > $BATS_TMPDIR/test.ini
  echo 'aws_secret_access_key= "Qm7x2Lp9"' >> $BATS_TMPDIR/test.ini
  echo 'aws_access_key_id= Ab+cd' >> $BATS_TMPDIR/test.ini
  echo 'unrelated' > $BATS_TMPDIR/other.txt
  run git secrets --aws-provider $BATS_TMPDIR/test.ini
}
"""


def _clean_files(_path: str) -> str:
    """Every file of our shape: the credentials test and each passing line, quoted."""
    return BATS + " ".join(f"'{line}'" for _p, line in gitsecrets.CLEAN)


def test_credentials_file_values_by_key() -> None:
    # SPEC §4 secrets next to key words: a secret access key's value (quotes and spaces
    # gone, as --aws-provider prints it) in its line; an access key id is no secret.
    h = Harvest()
    gitsecrets.credentials(h, BATS)
    got = [(i["label"], i["value"], i["context"]) for i in h.items]
    assert got == [
        ("NOT_ASKED:IDENTIFIER", "zq17id", "aws_access_key_id = zq17id"),
        ("KEYWORD_SECRET", "Qm7x2Lp9", 'aws_secret_access_key= "Qm7x2Lp9"'),
        ("NOT_ASKED:IDENTIFIER", "Ab+cd", "aws_access_key_id= Ab+cd"),
    ]


def test_passing_lines_are_negatives_while_the_tests_hold_them() -> None:
    # SPEC §4 asks for secrets only: lines the tests assert pass are clean look-alikes;
    # a line the pinned file no longer quotes stops the harvest rather than guess.
    h = Harvest()
    gitsecrets.harvest(h, _clean_files)
    negatives = [i["value"] for i in h.items if i["label"] == "NEGATIVE"]
    assert negatives == [line for _p, line in gitsecrets.CLEAN]
    with pytest.raises(ValueError, match="no longer holds"):
        gitsecrets.harvest(Harvest(), lambda path: BATS)


def test_key_sample_lines_by_kind() -> None:
    # SPEC §4 provider tokens in their line, a secret access key in a CSV row under the
    # header naming it; an OAuth client id is an identifier, not asked.
    header = "Access key ID,Secret access key"
    text = "\n".join([
        "stripe key sk_live_9Tq4Lm2Vx8Rw1Zk7Hp3Bn5Cd",
        "app 1234-abcDEF567.apps.googleusercontent.com",
        header,
        "AKIAZQ17EXAMPLEKEY01,Kp2/+Vx8Lm4Qw9Rt1Zs7Bn3Hd6Fj0Gc5Ye2Ua8Ti",
        "key=>AKIAZQ17EXAMPLEKEY023",
    ])  # fmt: skip
    h = Harvest()
    scanners.keys(h, text)
    got = [(i["label"], i["value"]) for i in h.items]
    assert got == [
        ("TOKEN_CONTEXT", "sk_live_9Tq4Lm2Vx8Rw1Zk7Hp3Bn5Cd"),
        ("NOT_ASKED:IDENTIFIER", "1234-abcDEF567.apps.googleusercontent.com"),
        ("KEYWORD_SECRET", "Kp2/+Vx8Lm4Qw9Rt1Zs7Bn3Hd6Fj0Gc5Ye2Ua8Ti"),
        ("TOKEN_CONTEXT", "AKIAZQ17EXAMPLEKEY01"),
        ("TOKEN_CONTEXT", "AKIAZQ17EXAMPLEKEY023"),
    ]
    assert h.items[2]["context"] == f"{header}\nAKIAZQ17EXAMPLEKEY01,{h.items[2]['value']}"


def test_bearer_reported_lines_by_kind() -> None:
    # SPEC §4 provider tokens in code; a private-key block is the whole block.
    block = "-----BEGIN RSA PRIVATE KEY-----zq17-----END RSA PRIVATE KEY-----"
    files = {
        scanners.AWS_JS: 'const k = "AKIAZQ17EXAMPLEKEY01";\nhello\n',
        scanners.LEAKED: f"  def k\n    @k ||= '{block}'\n  end\n",
    }
    h = Harvest()
    scanners.bearer(h, files.__getitem__)
    got = [(i["label"], i["value"], i["context"]) for i in h.items]
    assert got == [
        ("TOKEN_CONTEXT", "AKIAZQ17EXAMPLEKEY01", 'const k = "AKIAZQ17EXAMPLEKEY01";'),
        ("PRIVATE_KEY", block, f"@k ||= '{block}'"),
    ]


def test_values_jsonl_shape_and_provenance() -> None:
    check_shape_and_provenance(SEVENTEENTH, harvest.SEEN, values=8, negatives=6)


def test_harvest_rewrites_values_jsonl(tmp_path: Path) -> None:
    collected = harvest.collect(mirrors_or_skip(SEVENTEENTH))
    collected.write_unseen(tmp_path / "values.jsonl", seen_values(harvest.SEEN))
    assert (tmp_path / "values.jsonl").read_bytes() == (SEVENTEENTH / "values.jsonl").read_bytes()
