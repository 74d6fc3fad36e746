"""Provider tokens the holdout found missed (issue 16, round eleven).

SPEC §4: "provider API keys and tokens". The holdout (benchmarks/redaction/holdout)
showed four providers' shapes unknown, Doppler's service tokens cut short where they
name their config (``dp.st.<config>.<token>``), and private keys missed where their PEM
block is base64-encoded whole. The shapes are the ones public rule sets state; the
values below are my own, made to the shape. Both scans read the same table.
"""

from __future__ import annotations

import base64

import pytest

from consentry.redaction import Redactor

PYTHON = Redactor(native=False)
COMPILED = Redactor()

BODY = "Zq8wM2xR7vLp4nKs9TyBh3JdQ1cV5bN0aF6gH2jK7mP4"  # 44 characters, my own

TOKENS = [
    "odt_" + BODY[:32],  # Dependency-Track API key
    "ion_" + BODY[:42],  # Ionic
    "mdb_sa_sk_" + BODY[:40],  # MongoDB Atlas service account secret
    "dp.st." + BODY[:42],  # Doppler service token
    "dp.st.prd_eu." + BODY[:42],  # Doppler service token naming its config
    "https://outlook.office.com/webhook/1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d"
    "@6e7f8a9b-0c1d-4e2f-8a3b-4c5d6e7f8a9b/IncomingWebhook/" + BODY[:32],  # Teams
]


@pytest.mark.parametrize("token", TOKENS)
@pytest.mark.parametrize("template", ["{}", "export TOKEN={}\n", "it fails with {} - why?"])
def test_provider_tokens_are_found_whole(token: str, template: str) -> None:
    """SPEC §4: each token is found, all of it, by both scans."""
    text = template.format(token)
    for redactor in (PYTHON, COMPILED):
        assert [text[f.start : f.end] for f in redactor.redact(text).findings] == [token]


@pytest.mark.parametrize(
    "text",
    [
        "odt_" + BODY[:20],  # too short for a Dependency-Track key (and for test_loose_prefixes)
        "ion_" + BODY[:22],  # too short for an Ionic token
        "see https://outlook.office.com/webhook/ for the setup",
    ],
)
def test_prefixes_without_their_body_are_left(text: str) -> None:
    """A prefix followed by too short a body is not one of these tokens."""
    for redactor in (PYTHON, COMPILED):
        assert redactor.redact(text).findings == (), text


def _b64_pem(kind: str) -> str:
    body = "MIIEowIBAAKCAQEAx7Qz" + "Kx8fQ2mZ9pLr4tW7vB3n" * 12  # my own, not a real key
    pem = f"-----BEGIN {kind}-----\n{body}\n-----END {kind}-----\n"
    return base64.b64encode(pem.encode()).decode()


@pytest.mark.parametrize(
    "kind",
    ["RSA PRIVATE KEY", "PRIVATE KEY", "EC PRIVATE KEY", "OPENSSH PRIVATE KEY",
     "ENCRYPTED PRIVATE KEY", "DSA PRIVATE KEY", "PGP PRIVATE KEY BLOCK"],
)  # fmt: skip
def test_base64_encoded_private_keys_are_found_whole(kind: str) -> None:
    """SPEC §4 "private-key blocks", here base64-encoded whole (a Kubernetes secret's
    ``tls.key`` pasted alone, with no key word before it): found, all of it, by both scans."""
    encoded = _b64_pem(kind)
    text = f"I copied this from the cluster, is it the right one?\n\n{encoded}\n"
    for redactor in (PYTHON, COMPILED):
        assert [text[f.start : f.end] for f in redactor.redact(text).findings] == [encoded]


def test_base64_encoded_certificates_are_left() -> None:
    """A certificate or public key, base64-encoded, is not a secret."""
    for kind in ("CERTIFICATE", "PUBLIC KEY"):
        text = f"I copied this from the cluster:\n\n{_b64_pem(kind)}\n"
        for redactor in (PYTHON, COMPILED):
            assert redactor.redact(text).findings == (), kind
