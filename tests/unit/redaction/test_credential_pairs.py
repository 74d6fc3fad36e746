"""A password passed after the user name to a call that signs in (issue 16, SPEC §4).

SPEC §4: passwords are among "the secrets coding sessions leak". ``HTTPBasicAuth(user,
"…")`` names no key word before the password; the call's name says what its second
argument is. A call is not a secret either: ``auth = HTTPBasicAuth(…)`` once made the
class name and the user name the "value" of ``auth`` and left the password. Passwords
here are our own.
"""

from __future__ import annotations

import pytest

from consentry.redaction import Redactor

PW = "Qe7vLx2Rm99"


@pytest.mark.parametrize("native", [True, False], ids=["compiled", "python"])
@pytest.mark.parametrize(
    "code",
    [
        f'auth = HTTPBasicAuth("alice", "{PW}")',
        f'requests.get(url, auth=("alice", "{PW}"))',
        f'var cred = new NetworkCredential(user, "{PW}");',
        f'server.login(sender, "{PW}")',
        f"imap.login('ops@example.com', '{PW}')",
        f'new UsernamePasswordCredentials("svc", "{PW}")',
        f'client.authenticate("svc", password="{PW}")',
    ],
)
def test_second_argument_is_a_password(native: bool, code: str) -> None:
    """SPEC §4: the password argument is found whole; the user name is not a secret."""
    result = Redactor(native=native).redact(code)
    assert PW not in result.text
    assert "alice" not in code or "alice" in result.text


@pytest.mark.parametrize("native", [True, False], ids=["compiled", "python"])
@pytest.mark.parametrize(
    "code",
    [
        "auth = HTTPBasicAuth(user, password)",
        'HTTPBasicAuth("alice", os.environ["PW"])',
        'HTTPBasicAuth("alice", "<password>")',
        'ftp.login("anonymous", "")',
        'useAuth("token", "dark")',
        'login("Sign in", "Please try again")',
        'author("Jane", "Doe42x")',
        'token = makeToken("scope")',
    ],
)
def test_names_words_and_calls_are_left(native: bool, code: str) -> None:
    """SPEC §4 (false positives): names, references, stand-ins, words, prose, another
    call's arguments, and a call as a key word's value."""
    assert Redactor(native=native).redact(code).findings == ()
