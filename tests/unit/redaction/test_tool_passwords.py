"""Passwords given to tools in their own argument syntax (issue 16, SPEC §4).

SPEC §4 names "passwords in URLs and connection strings" and the secrets coding sessions
leak; issue 16 lists "secrets in commands" (``curl -u``, ``mysql -p``). Other tools take a
password in a syntax of their own: registry logins' ``-p``, ``sqlcmd -P``, Samba's
``-U user%pass``, FreeRDP's ``/p:``, ``ldapsearch -w``, ``net user NAME PASS``. The
passwords here are our own.
"""

from __future__ import annotations

import pytest

from consentry.redaction import Redactor

PW = "Qe7#vLx2Rm"


@pytest.mark.parametrize("native", [True, False], ids=["compiled", "python"])
@pytest.mark.parametrize(
    "command",
    [
        f"docker login -u ci -p {PW} registry.example.com",
        f"podman login --username ci -p {PW} quay.example.com",
        f"helm registry login r.example.com -u ci -p {PW}",
        f"az login -u ops -p {PW}",
        f"mongosh mongodb://db.internal -u admin -p {PW}",
        f"sqlcmd -S db01 -U sa -P {PW} -Q 'select 1'",
        f"smbclient //files/share -U alice%{PW}",
        f"xfreerdp /v:desk01 /u:alice /p:{PW}",
        f"ldapsearch -x -D cn=admin,dc=example -w {PW} -b dc=example",
        f"lftp -u alice,{PW} ftp.example.com",
        f"net user alice {PW} /add",
        f"rabbitmqctl add_user alice {PW}",
        f"htpasswd -bc /etc/nginx/.htpasswd alice {PW}",
        f"htpasswd -nbB alice {PW}",
        f"keytool -importkeystore -srckeystore a.p12 -storepass {PW}",
    ],
)
def test_tool_password_is_found(native: bool, command: str) -> None:
    """SPEC §4: the password argument is a PASSWORD, whole; the command stays readable."""
    result = Redactor(native=native).redact(command)
    assert PW not in result.text
    assert "[PASSWORD]" in result.text
    assert result.text.split()[0] == command.split()[0]


@pytest.mark.parametrize("native", [True, False], ids=["compiled", "python"])
@pytest.mark.parametrize(
    "command",
    [
        "docker login -p $DOCKER_PASSWORD registry.example.com",
        "docker login --password-stdin registry.example.com",
        "net user alice /domain",
        "net user alice *",
        "msbuild app.sln /p:Configuration=Release",
        "sqlcmd -S db01 -E -Q 'select 1'",
        "psql -U postgres -d app",
        "smbclient -L files -U%",
    ],
)
def test_references_and_other_arguments_are_left(native: bool, command: str) -> None:
    """SPEC §4 (false positives): a variable, a prompt, another tool's /p:, no password."""
    assert Redactor(native=native).redact(command).findings == ()
