"""The fresh set's harvest (issue 16) reads its sources' expected answers right.

Pinned on small copies of the sources' shapes, not on the mirrors: Trivy's masked
``Match`` lined up with its testdata line, its Go string expressions and test cases,
secretlint's message data, Recognizers-Text's labels.
"""

from __future__ import annotations

from benchmarks.redaction.fresh import harvest, trivy

GO_TEST = """
func TestSecretScanner(t *testing.T) {
\twantFindingPAT := types.SecretFinding{
\t\tRuleID:    "github-pat",
\t\tStartLine: 2,
\t\tEndLine:   2,
\t\tMatch:     "GITHUB_PAT=" + strings.Repeat("*", 10),
\t}
\twantFindingKey := types.SecretFinding{
\t\tRuleID:    "aws-secret-access-key",
\t\tStartLine: 1,
\t\tEndLine:   1,
\t\tMatch:     masked,
\t}
\tmasked := `key="******"`
\ttests := []struct{}{
\t\t{
\t\t\tname:          "found",
\t\t\tconfigPath:    filepath.Join("testdata", "skip-test.yaml"),
\t\t\tinputFilePath: filepath.Join("testdata", "a.txt"),
\t\t\twant: types.Secret{
\t\t\t\tFindings: []types.SecretFinding{wantFindingPAT, wantFindingKey},
\t\t\t},
\t\t},
\t\t{
\t\t\t// no finding: a negative
\t\t\tname:          "clean",
\t\t\tconfigPath:    filepath.Join("testdata", "skip-test.yaml"),
\t\t\tinputFilePath: "testdata/clean.txt",
\t\t\twant:          types.Secret{},
\t\t},
\t\t{
\t\t\tname:          "skipped by path",
\t\t\tconfigPath:    filepath.Join("testdata", "skip-test.yaml"),
\t\t\tinputFilePath: "testdata/example.txt",
\t\t\twant:          types.Secret{},
\t\t},
\t}
}

func TestOther(t *testing.T) {}
"""
ALLOW_RULES = """
\t{
\t\tID:          "tests",
\t\tPath:        MustCompile(`(^(?i)test|\\/test)`),
\t},
\t{
\t\tID:          "examples",
\t\tPath:        MustCompile(`example`),
\t},
"""


def test_trivy_match_unmasked_against_its_line() -> None:
    files = {
        "a.txt": 'key="s3cr3t"\nGITHUB_PAT=ghp_abc1234 tail\n',
        "clean.txt": "nothing here\n",
        "example.txt": "AKIA0000000000000000\n",
    }
    found, negatives, unread = trivy.values(GO_TEST, files, ALLOW_RULES)
    assert ("TOKEN_CONTEXT", "ghp_abc123", "a.txt", "GITHUB_PAT=ghp_abc1234 tail") in found
    assert ("TOKEN_CONTEXT", "s3cr3t", "a.txt", 'key="s3cr3t"') in found
    assert unread == 0
    # the clean file is a negative; the one a builtin allow rule skips by path is not
    assert negatives == [("clean.txt", "nothing here")]


def test_trivy_unmask_keeps_only_masked_runs() -> None:
    line = "aaaa GITHUB_PAT=ghp_0123456789 bbbb"
    assert trivy._unmask(line, "GITHUB_PAT=**************") == [(16, 30)]
    assert trivy._unmask(line, "OTHER=****") == []


def test_secretlint_secret_is_the_named_data_not_a_wrong_range() -> None:
    source = "AWS_SECRET_ACCESS_KEY = wJalrXUtnFEMI/K7MDENG\n"
    message = {"range": [0, 20], "data": {"KEY": "wJalrXUtnFEMI/K7MDENG"}}
    assert harvest._secret(message, source) == (24, 45)


def test_secretlint_url_password_runs_to_the_last_at() -> None:
    m = harvest._URL_PASSWORD.search('"mongodb+srv://app:myR3alP@ssw0rd@cluster0.net/db";')
    assert m is not None
    assert m.group(1) == "myR3alP@ssw0rd"


def test_recognizers_labels() -> None:
    assert harvest._recognizers_label("PHONE_NATIONAL", "+1 541-754-3010") == "PHONE_INTL"
    assert harvest._recognizers_label("PHONE_NATIONAL", "0049 176 12345678") == "PHONE_INTL"
    assert harvest._recognizers_label("PHONE_NATIONAL", "(541) 754-3010") == "PHONE_NATIONAL"
    assert harvest._recognizers_label("PHONE_NATIONAL", "112") == "NOT_ASKED:SHORT_NUMBER"
    assert harvest._recognizers_label("IPV4", "fe80::1") == "IPV6"
    assert harvest._OTHER_KIND.search("Her credit card is: Visa 5111 1111 1111 1111")
