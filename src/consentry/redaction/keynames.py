"""The key words of secrets and what an identifier holding one names (SPEC §4).

"high-entropy tokens next to key words": :mod:`.keywords` (assignments), :mod:`.spacedkeys`
(a value after spaces, or glued on), :mod:`.commands` and :mod:`.xmlpairs` read an
identifier around a key word and ask :func:`_identifier_kind` what it names: a password
(``password``, ``pwd``, ...), a secret whose literal counts (a strong key word: ``secret``,
``api_key``, ...), a secret only when its value looks generated (``token``, ``key``, ...),
or something about a secret (``password_hint``, ``token_url``, ``credentialsId``: None).
The C++ port of :func:`_identifier_kind` is ``identifier_kind`` in _native.cpp.
"""

from __future__ import annotations

import functools

from .model import PASSWORD, SECRET

RANK = {PASSWORD: 30, SECRET: 31}

_PASSWORD_WORDS = "password|passwd|passwort|passphrase|passcode|pwd|pword|pass"  # noqa: S105
_STRONG = (
    _PASSWORD_WORDS + "|secret|credential|apikey|api_key|api-key|privatekey|private_key"
    "|private-key|accesskey|access_key|access-key|authkey|auth_key|auth-key"
)
_WEAK = "token|key|auth|bearer|signature|sig|salt|cookie|session"
# Identifiers that name something about a secret, not the secret itself.
_NOT_SECRET_SUFFIXES = (
    "id", "ids", "name", "names", "type", "types", "url", "uri", "urls", "path", "file", "dir",
    "length", "len", "size", "count", "hint", "hints", "field", "fields", "label", "prompt",
    "placeholder", "format", "policy", "expiry", "expires", "expiration", "ttl", "timeout",
    "header", "endpoint", "version", "required", "enabled", "min", "max", "regex", "pattern",
    "strength", "reset", "confirm", "confirmation", "changed", "updated", "at", "mode",
    "algorithm", "alg", "scope", "scopes", "prefix", "suffix", "template", "validator",
    "error", "errors", "message", "description", "text", "input", "button", "icon", "class",
    "style", "index", "idx", "store", "manager", "provider", "service", "client", "handler",
    "env", "var", "variable", "ref", "reference", "location", "source", "kind", "list",
    "map", "set", "params", "param", "arg", "args", "option", "options", "config", "method",
    "function", "fn", "callback", "bytes", "bits", "encoding", "usage", "used", "needed",
    # words that hold a key word but name something else
    "secretary", "secretaries", "passenger", "passengers", "passthrough", "passage",
)  # fmt: skip
_KEY_BOUNDARY = frozenset(b"_.-")
# Identifiers ending in these (separators dropped) name public material: a key pair's
# public key (``publicKey``, ``DOTENV_PUBLIC_KEY``, ``"pubkey"``), .NET's strong-name
# ``PublicKeyToken`` (a hash of a public key), a publishable key (Stripe's, shipped to
# browsers). ``flutterPubKey_api_token`` ends in ``token``: still a key word.
_PUBLIC_NAMES = (b"publickey", b"pubkey", b"publickeytoken", b"publishablekey")


@functools.lru_cache(maxsize=4096)
def _identifier_kind(identifier: bytes) -> str | None:
    """What a key names (identifiers repeat, so the answer is cached)."""
    ident = identifier.strip(b"\"'`[] \t").lower()
    ident = ident.lstrip(b"-")  # --password
    parts = [p for p in ident.replace(b"-", b"_").replace(b".", b"_").split(b"_") if p]
    if not parts:
        return None
    last = parts[-1].decode("ascii", "replace")
    # camelCase: credentialsId -> "id"
    raw = identifier.strip(b"\"'`[] \t")
    tail = _camel_tail(raw)
    if last in _NOT_SECRET_SUFFIXES or (tail and tail in _NOT_SECRET_SUFFIXES):
        return None
    if b"".join(parts).endswith(_PUBLIC_NAMES):
        return None  # the public half of a key pair, or a key published by design
    for word in (b"password", b"passwd", b"passwort", b"passphrase", b"passcode", b"pwd"):
        if word in ident:
            return PASSWORD
    for part in parts:
        if part in (b"pass", b"pw", b"pword"):
            return PASSWORD
    for word in (b"secret", b"credential", b"apikey", b"api_key", b"privatekey",
                 b"private_key", b"accesskey", b"access_key", b"authkey", b"auth_key"):  # fmt: skip
        if word in ident.replace(b"-", b"_"):
            return SECRET + ":strong"
    for word in (b"token", b"key", b"auth", b"bearer", b"signature", b"sig", b"salt",
                 b"cookie", b"session"):  # fmt: skip
        if word in ident:
            return SECRET
    return None


def _camel_tail(raw: bytes) -> str:
    """The last camelCase word of an identifier, lower-cased (``credentialsId`` -> ``id``)."""
    i = len(raw)
    while i > 0 and 97 <= raw[i - 1] <= 122:
        i -= 1
    if 0 < i < len(raw) and 65 <= raw[i - 1] <= 90 and i - 1 > 0:
        return raw[i - 1 :].decode("ascii", "replace").lower()
    return ""


def _is_alnum(b: int) -> bool:
    return 48 <= b <= 57 or 65 <= b <= 90 or 97 <= b <= 122


def _name_start(data: bytes, at: int) -> int | None:
    """Where the identifier ending at ``at`` starts (at most 40 bytes back), or None."""
    start = at
    while start > max(0, at - 40) and (
        data[start - 1] in _KEY_BOUNDARY or _is_alnum(data[start - 1])
    ):
        start -= 1
    if start > 0 and (
        data[start - 1] in _KEY_BOUNDARY or _is_alnum(data[start - 1]) or data[start - 1] >= 0x80
    ):
        return None  # longer than 40 bytes, or in another script
    return start
