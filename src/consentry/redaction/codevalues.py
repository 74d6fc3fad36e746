"""Values after a token-like key word that are code or public by design (SPEC §4).

SPEC §4 asks for "high-entropy tokens next to key words": a token-like key word
(``token``, ``key``, ``auth``, ...) names a secret only when its value looks generated
(:func:`.keyvalues.looks_generated`, a mix of letters, digits and symbols). These
shapes have that mix and are still not secrets (issue 16, the fourth set's negatives):

* code: two or more dot-separated identifiers, a member access, a message key or a
  file name (``this._cacheKey2.name``, ``ui.keyCode.ESCAPE``, ``checkout.PAYMENT.title``,
  ``deploy2.yaml``), with at most three digits in all and no generated run of 16+
  letters and digits (a JWT's parts, a dotted provider token);
* a version: numbers joined by dots, the last may be ``x`` or ``*``, an optional
  ``v``, package name before and pre-release or build after (``node-18.2.x``,
  ``v1.2.3-beta.1``);
* an abbreviated value: an ellipsis (three dots, or ``…``) inside, the display of a token
  masked in the middle (``Kq9mZ2wX...8Tz1Lm3K``): the secret is not in the text;
* a client token public by design: Datadog's (``pub`` and 32 hex digits), which its
  documentation says are meant for browser and mobile code;
* a constant's name: words of capitals joined by ``_``, a number of at most three digits
  after the last (``CKV_SECRET_9``, ``ERROR_TOKEN_EXPIRED``; the ninth set's checkov
  negatives): a generated token does not spell words between underscores.

After a password-like key word any quoted literal is a secret, but for a form's text
(:func:`form_text`): a label or sentence under a message key (``"repeat_password":
"Gjenta passord"``, ``"password_hint": "Minst 6 tegn."``; the ninth set's checkov
negatives). A lower-case passphrase (``'open sesame'``) is still a password.

:mod:`.keyvalues` asks :func:`code_shape` when it decides (a generated run in a member
path is its own check there). The compiled scan reads the same patterns
(:data:`NATIVE_PATTERNS`, passed with ``keywords.NATIVE_GATE_PATTERNS``), so both scans
decide alike (``code_shape`` in _native.cpp).
"""

from __future__ import annotations

import re

_MEMBER_PATH = re.compile(rb"[A-Za-z_$][A-Za-z0-9_$]*(?:\.[A-Za-z_$][A-Za-z0-9_$]*)+")
# The name's words and separators are disjoint classes, so no input backtracks more than
# linearly (SPEC §4: linear time); the compiled scan runs it in RE2.
_VERSION = re.compile(
    rb"(?:[A-Za-z][A-Za-z0-9]*(?:[-_.][A-Za-z][A-Za-z0-9]*)*[-_@/])?[vV]?[0-9]{1,5}"
    rb"(?:\.(?:[0-9]{1,5}|[xX*])){1,3}(?:[-+][0-9A-Za-z]{1,20}(?:\.[0-9A-Za-z]{1,20}){0,3})?"
)
# Names are words (``utf8``, ``sha256``); a generator's pieces hold digits throughout
# (``acme.v1.QX83_TK9.d41f7c2903ab``, a token whose parts are each too short to judge).
_MAX_PATH_DIGITS = 3
_PUBLIC_TOKEN = re.compile(rb"pub[0-9a-f]{32}")
_CONSTANT_NAME = re.compile(rb"[A-Z]{2,}(?:_[A-Z]{2,})+(?:_[0-9]{1,3})?")
# Three dots exactly: crypt's and bcrypt's alphabets hold ``.``, and a longer run of them
# (``$7$C6..../....``) is a hash's, not an ellipsis.
_ELLIPSIS = re.compile(rb"(?<!\.)\.\.\.(?!\.)|\xe2\x80\xa6")

# For _native.cpp's KeyTables, after keywords.NATIVE_GATE_PATTERNS' own eight entries.
NATIVE_PATTERNS = (
    _MEMBER_PATH.pattern,
    _VERSION.pattern,
    _PUBLIC_TOKEN.pattern,
    _CONSTANT_NAME.pattern,
)


def code_shape(value: bytes) -> str | None:
    """``"path"`` for dot-separated identifiers (code, unless a generated run rides in
    it: the caller's check), ``"code"`` for a version, an abbreviated value, a public
    client token or a constant's name, None otherwise."""
    if _VERSION.fullmatch(value) or _PUBLIC_TOKEN.fullmatch(value):
        return "code"
    if _CONSTANT_NAME.fullmatch(value):
        return "code"
    if _ELLIPSIS.search(value):
        return "code"
    if _MEMBER_PATH.fullmatch(value) is None:
        return None
    digits = sum(48 <= c <= 57 for c in value)
    return "path" if digits <= _MAX_PATH_DIGITS else None


def _lower(word: bytes) -> bool:
    return all(97 <= c <= 122 or c >= 0x80 for c in word)  # a byte of UTF-8 counts as one


def form_text(value: bytes) -> bool:
    """A form's label or sentence: two or more words between single spaces, each ending
    in at most one of ``,.!?:;``; the first a capital then lower-case letters, the others
    lower-case letters or a number, or capitalised after a sentence's end, or an
    abbreviation (2 to 5 capitals) among three words or more: ``Gjenta passord``,
    ``Feil passord. Prøv igjen.``, ``Kode fra SMS`` (bytes of UTF-8 count as lower-case
    letters); not ``Mrs Bloggs``."""
    words = value.split(b" ")
    if len(words) < 2:
        return False
    ended = True  # the text starts a sentence
    for word in words:
        core = word[:-1] if word[-1:] in (b",", b".", b"!", b"?", b":", b";") else word
        if not core:
            return False
        capital = 65 <= core[0] <= 90 and len(core) > 1 and _lower(core[1:])
        abbreviation = 2 <= len(core) <= 5 and all(65 <= c <= 90 for c in core)
        if ended and not capital:
            return False
        if not (ended or _lower(core) or core.isdigit() or (abbreviation and len(words) > 2)):
            return False
        ended = word[-1:] in (b".", b"!", b"?")
    return True
