"""The value after a key word: where it ends, and whether it is a secret (SPEC §4).

:mod:`.keywords` and :mod:`.commands` find a key word; the functions here read the
value after it (or before it, for ``"…" == x``), at most :data:`MAX_VALUE` bytes so
the scan stays linear, and judge it: a placeholder, a template or a reference to
something else is not a secret; a password-like key word's literal is; a token-like
key word's value is only when it looks generated (:func:`looks_generated`).
"""

from __future__ import annotations

import re

from .checksums import entropy_at_least, looks_random
from .codevalues import code_shape, form_text
from .letterruns import generated_letters
from .model import PASSWORD
from .tokenstandins import slack_stand_in_value
from .urlstandins import holds_password

MAX_VALUE = 300  # bytes of a value read after or before a match
MAX_QUOTED = 4096  # bytes searched for the closing quote of a quoted value
_PLACEHOLDER_WORDS = (
    b"your", b"example", b"placeholder", b"changeme", b"change_me", b"redacted", b"dummy",
    b"fake", b"sample", b"insert", b"replace", b"todo", b"fixme", b"secret_here",
    b"password_here", b"token_here", b"key_here", b"xxxx", b"****", b"....", b"[redacted",
    b"[secret", b"[password", b"[filtered",
)  # fmt: skip
# A value its writer masked already: a bracketed marker no generated value can hold.
_MASKED = (b"[redacted", b"<redacted", b"(redacted", b"[filtered", b"[masked", b"<masked")
# Reads of a secret from somewhere else: never the secret itself.
_REFERENCE_WORDS = (
    b"getenv", b"environ", b"process.env", b"secrets.", b"vault(", b"settings.", b"config.",
    b"config[", b"env(", b"env[", b"env.", b"params[", b"request.", b"args.", b"options.",
    # a dict of secrets, PHP's request arrays, CloudFormation's intrinsic functions
    b"secrets[", b"$_post[", b"$_get[", b"$_request[", b"$_server[", b"!ref ", b"!importvalue",
    b"!getatt", b"!sub ", b"fn::",
)  # fmt: skip
# A whole value that is a template or a variable: ${X}, {{ x }}, %(x)s, <token>, $X, %X%.
# Also ${{ x }} (CI expressions), { x } and $$X (an escaped $), and $(command): a shell's
# command substitution computes the value when it runs (``$(openssl rand -hex 16)``).
_TEMPLATE = re.compile(
    rb"\$\{\{[^{}]{1,80}\}\}|\$\$[A-Za-z_]\w{0,60}|\{ ?[A-Za-z_][\w.]{0,60} ?\}"
    rb"|\$\{[^{}]{1,80}\}|\{\{[^{}]{1,80}\}\}|\{[A-Za-z_][\w.]{0,60}\}|%\(\w{1,60}\)[sdr]"
    rb"|<[^<>]{1,60}>|#\{[^{}]{1,60}\}|\$[A-Za-z_]\w{0,60}|%[A-Za-z_]\w{0,60}%|%[sdr]|\?{1,3}"
    rb"|\[[A-Z_ ]{1,40}\]|\$\([^()\n]{1,200}\)"
)
_PLACEHOLDER_VALUES = frozenset(
    b"none null nil true false undefined password passwd pass secret changeme token key "
    b"empty default string str required optional test admin root user username value "
    b"hidden masked unset not-set not_set notset yes no on off api_key apikey api_secret "
    b"api_token auth_token access_token access_key secret_key client_secret private_key".split()
)
_OPENERS = frozenset(b"({[")
_CLOSERS = frozenset(b")}]")
_TOKEN_CHARS = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/_.~=-")
_ALNUM_TEXT = re.compile(r"[^\W_]")  # a letter or digit of any script
_VALUE_END = frozenset(b" \t\r\n,;)}]")
_QUERY_NEXT = re.compile(rb"&[A-Za-z_][A-Za-z0-9_.-]{0,40}=")
_QUOTES = frozenset(b"\"'`")
# Pieces of a string built at run time: ``{}``/``{0}`` (str.format; not inside a brace run,
# ``q{{7}x``), ``${NAME}`` (shells, CI), ``{{ name }}`` (Jinja, Helm), ``%(name)s``; a stricter
# set than _TEMPLATE's, since a real secret may hold braces (``m{{h}o)p${e]…``) and these
# are matched anywhere in the value.
_TEMPLATE_PIECE = re.compile(
    rb"(?<!\{)\{[0-9]{0,2}\}(?!\})|\$\{[A-Za-z_][A-Za-z0-9_]{0,60}\}"
    rb"|\{\{ ?[A-Za-z_][\w.]{0,60} ?\}\}|%\([A-Za-z0-9_]{1,60}\)[sdr]"
)
_CALL = re.compile(rb"[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+\(")  # obj.method(, Buffer.from(
_URL = re.compile(rb"(?i)[a-z][a-z0-9+.-]{1,15}://|arn:")
_ALNUM_RUN = re.compile(rb"[A-Za-z0-9]{16,}")
# The names a key is made of alone: a value equal to one of these is _PLACEHOLDER_VALUES'.
_BARE_KEYS = frozenset(
    b"password passwd pwd pass passphrase secret token key apikey auth credential credentials "
    b"privatekey accesskey secretkey".split()
)


def looks_generated(value: bytes) -> bool:
    """True for values that look machine-made: tokens, keys, random strings.

    Digits and letters mixed with entropy >= 3.0 bits per character (>= 8 long),
    mixed-case letters only with entropy >= 4.0 (>= 16 long), or three kinds of
    characters (lower, upper, digit, symbol) with entropy >= 3.3 (>= 12 long).
    """
    core = value.strip(b"=")
    n = len(core)
    if n < 8:
        return False
    if looks_random(core) and entropy_at_least(core, 3.0):
        return True
    if n >= 16 and core.lower() != core and core.upper() != core and core.isalpha():
        return entropy_at_least(core, 4.0)
    if n >= 12:
        kinds = (
            any(97 <= c <= 122 for c in core)
            + any(65 <= c <= 90 for c in core)
            + any(48 <= c <= 57 for c in core)
            + any(not (48 <= c <= 57 or 65 <= c <= 90 or 97 <= c <= 122) for c in core)
        )
        return kinds >= 3 and entropy_at_least(core, 3.3)
    return False


def is_placeholder(value: bytes) -> bool:
    """Empty, symbols only, a template, an obvious stand-in, or a repeated character."""
    low = value.lower().strip()
    if not low or _ALNUM_TEXT.search(low.decode("utf-8", "replace")) is None:
        return True
    if low in _PLACEHOLDER_VALUES or len(set(low.replace(b"-", b"").replace(b"_", b""))) <= 2:
        return True
    inner = value.strip()
    if len(inner) > 2 and inner[0] == inner[-1] and inner[0] in _QUOTES:
        inner = inner[1:-1]  # quoted twice: ``"'$PRECOMPILE_PASSWORD'"``
    if _TEMPLATE.fullmatch(inner) or any(word in low for word in _REFERENCE_WORDS):
        return True
    if _built_or_located(value, low) or slack_stand_in_value(inner):
        return True
    if any(marker in low for marker in _MASKED):
        return True  # ``ops_eyJz…..[Redacted]``: its writer masked it; no token holds brackets
    # "your_api_key_here", "somefakekey"; a generated value that happens to hold
    # such a word (AWS's documented ...EXAMPLEKEY) is still a secret.
    return any(word in low for word in _PLACEHOLDER_WORDS) and not looks_generated(value)


def _built_or_located(value: bytes, low: bytes) -> bool:
    """A string built at run time, code, a repeated pattern, a URL or a path: not a secret.

    ``"prefix_{}"``, ``f"…{name}"``, ``"pre${SUFFIX}"``; ``obj.method()``; ``asdfasdf…``;
    ``https://…``, ``s3://{bucket}/…``, ``arn:aws:…``, ``/en/docs/auth``,
    ``cms/sites/passwords#edit`` (a path in lower case: base64 holds upper-case letters);
    unless a generated run of 16+ letters and digits rides in it (a webhook's token) or a
    URL holds ``user:password@`` (found whole), a password that is not a stand-in
    (:func:`.urlstandins.holds_password`)."""
    if _TEMPLATE_PIECE.search(value) or (value[:2] in (b'f"', b"f'", b'$"') and b"{" in value):
        return True
    if _CALL.match(value) or _repeats(low):
        return True
    if _URL.match(value):
        located = not holds_password(value)
    else:
        located = low.count(b"/") >= 2 and value == low and b" " not in value
    return bool(located) and not _generated_run(value)


def _repeats(low: bytes) -> bool:
    """A unit of at most 8 bytes repeated 3 times or more over the whole value."""
    n = len(low)
    return n >= 8 and any(low[p:] == low[:-p] for p in range(1, min(8, n // 3) + 1))


def is_reference(value: bytes) -> bool:
    """A name rather than a literal: ``settings.local.py``, ``os.environ``, ``$VAR``, ``cfg[x]``."""
    if value[:1] in (b"$", b"%", b"&", b"*", b"@", b"!", b"[", b"{", b"<") or value[-1:] in (
        b"(",
        b")",
    ):
        return True
    stripped = value.replace(b".", b"").replace(b"_", b"").replace(b"-", b"")
    if stripped.isalpha():
        return True  # identifiers, dotted names, kebab-case words
    # settings.local.py, a.b2.c
    return b"." in value and all(part[:1].isalpha() for part in value.split(b".") if part)


# size: one reader, ported line by line to _native.cpp's read_value; the two read alike
def _read_value(data: bytes, pos: int) -> tuple[int, int, bool] | None:
    """The value starting at ``pos`` (after spaces, ``@``): (start, end, quoted)."""
    n = len(data)
    limit = min(n, pos + MAX_VALUE)
    quote_limit = min(n, pos + MAX_QUOTED)
    spaced = pos
    while spaced > max(0, pos - 4) and data[spaced - 1] in (0x20, 0x09):
        spaced -= 1  # spaces the key word's match took
    while pos < limit and data[pos] in (0x20, 0x09):
        pos += 1
    if pos > spaced and _flag_before(data, spaced):
        return None  # ``--password= https://…``: the flag's value is empty, the next argument
    if pos < limit and data[pos] == 0x40 and pos + 1 < n and data[pos + 1] in _QUOTES:  # @"..."
        pos += 1
    if pos >= limit:
        return None
    quote = data[pos]
    if quote in _QUOTES:
        if _closes_a_string(data, pos):
            return None  # ``"Password: " + x``, ``'password = '.$p[…]``: the key is text
        close = data.find(bytes([quote]), pos + 1, quote_limit)
        newline = data.find(b"\n", pos + 1, quote_limit)
        if close < 0 or (0 <= newline < close):
            # An unclosed quote (a truncated paste): the token-like run after it.
            end = pos + 1
            while end < limit and data[end] in _TOKEN_CHARS:
                end += 1
            while end > pos + 1 and data[end - 1] == 0x2E:  # a sentence's full stop
                end -= 1
            return (pos + 1, end, False) if end > pos + 1 else None
        words = data[pos + 1 : close].split(None, 1)  # [] for "" and for "   "
        first = words[0].rstrip(b".,:;") if words else b""
        if len(first) >= 16 and close - pos - 1 > len(first) and looks_generated(first):
            # 'Kx8…Q2. Then more prose …': an unclosed quote met a later one; the token
            # is the value, not the sentence up to that quote.
            return pos + 1, pos + 1 + len(first), False
        if data.startswith(b".format(", close + 1) or _names_its_key(data, pos, pos + 1, close):
            return None  # ``"…{}".format(x)``; ``"API_KEY": "API_KEY"``, ``"#add-password"``
        if quote == 0x60 and len(words) > 1:
            return None  # ``KEY=`etcdctl get /k` ``: a shell command substitution, run later
        return pos + 1, close, True
    if quote in b"\r\n":
        return None  # the value is on the next line: not this key's value
    end = pos
    depth = 0  # brackets opened inside the value: their closers belong to it
    while end < limit:
        b = data[end]
        if b in _OPENERS:
            depth += 1
        elif b in _CLOSERS and depth > 0:
            depth -= 1
        elif b in _VALUE_END or (b == 0x3C and data[end + 1 : end + 2] == b"/"):
            break  # a space, a separator, a closer of the code around, or </key>
        elif b == 0x26 and _QUERY_NEXT.match(data, end):
            break  # ?password=VALUE&next=...: the next query parameter
        end += 1
    # A trailing quote, backquote or comma closes the value ("Last character is ignored"),
    # and a full stop or colon ends the sentence or clause around it.
    while end > pos and data[end - 1] in b"\"'`,;.:":
        end -= 1
    if end <= pos or _names_its_key(data, pos, pos, end):
        return None
    return pos, end, False


def _closes_a_string(data: bytes, pos: int) -> bool:
    """The quote at ``pos`` closes a string opened before it on its line (an odd count of
    that quote there, within MAX_VALUE bytes; escaped quotes and apostrophes between
    letters not counted) and code follows it (``+``, ``.``, ``,``, ``;``, ``)``, ``&``,
    ``|``, after spaces): the key and its operator are that string's text. A literal
    after it (``"cfg appSecret = "ce3f…"``, a paste whose quotes nest) is still a value."""
    quote = data[pos]
    after = pos + 1
    while after < len(data) and data[after] in (0x20, 0x09):
        after += 1
    if after >= len(data) or data[after] not in b"+.,;)&|":
        return False
    floor = max(0, pos - MAX_VALUE)
    line = data.rfind(b"\n", floor, pos) + 1
    if line == 0 and floor > 0:
        return False  # the line starts before the window
    count = 0
    for i in range(line, pos):
        if data[i] == quote and not (
            i > 0 and (data[i - 1] == 0x5C or (_is_letter(data[i - 1]) and _is_letter(data[i + 1])))
        ):
            count += 1
    return count % 2 == 1


def _is_letter(b: int) -> bool:
    return 65 <= b <= 90 or 97 <= b <= 122


def _flag_before(data: bytes, at: int) -> bool:
    """``--name=`` (a command-line flag, after a space or at a line's start) ends at ``at``."""
    if at == 0 or data[at - 1] != 0x3D:
        return False
    start = at - 1
    while start > max(0, at - 42) and (data[start - 1] in b"_.-" or _is_alnum(data[start - 1])):
        start -= 1
    return data[start : start + 1] == b"-" and (start == 0 or data[start - 1] in b" \t\n")


def _is_alnum(b: int) -> bool:
    return 48 <= b <= 57 or _is_letter(b)


def _names_its_key(data: bytes, key_end: int, vstart: int, vend: int) -> bool:
    """The value ends with the name of the key before it (letters and digits compared,
    case ignored), a name longer than a bare key word: ``"TRAVEL_API_KEY": "TRAVEL_API_KEY"``,
    ``addPassword = "#add-password"``, ``ChangePassword = "arn:…:policy/ChangePassword"``."""
    at = key_end
    while at > max(0, key_end - 16) and data[at - 1] in b" \t\"'`:=>,([]@":
        at -= 1
    start = at
    while start > max(0, at - 40) and (data[start - 1] in b"_.-" or _is_alnum(data[start - 1])):
        start -= 1
    key = bytes(b for b in data[start:at].rsplit(b".", 1)[-1].lower() if _is_alnum(b))
    if len(key) < 6 or key in _BARE_KEYS:
        return False
    value = bytes(b for b in data[vstart:vend].lower() if _is_alnum(b))
    return value.endswith(key)


_CALLED = re.compile(rb"[A-Za-z_$][A-Za-z0-9_.$]*\(")  # makeToken(, a call's name


def _decide(kind: str, value: bytes, quoted: bool, after: int, literal: bool = False) -> bool:
    """Whether ``value`` after a key word of ``kind`` is a secret; ``literal`` when the
    line's shape makes a bare value a literal (an env file's ``NAME=value``), not a name."""
    if is_placeholder(value) or (not quoted and value[:1] in (b"[", b"{", b"<", b"$", b"%", b"(")):
        return False  # ``(char *) p``: a cast, an expression
    if kind == PASSWORD or kind.endswith(":strong"):
        if quoted or literal:
            return not form_text(value)  # ``"Gjenta passord"``: a form's text
        if after in b"([" or is_reference(value):
            return looks_generated(value) and not is_reference(value)
        return True
    if not looks_generated(value) or (not quoted and (after in b"(" or _CALLED.match(value))):
        return False  # ``token = makeToken("…")``: a call, whose arguments follow
    shape = code_shape(value)  # a version, a member path: code (a token's run is not)
    return shape is None or (shape == "path" and _generated_run(value))


def _generated_run(value: bytes) -> bool:
    """A run of 16+ letters and digits in ``value`` that looks generated."""
    return any(looks_generated(r) for r in _ALNUM_RUN.findall(value))


def env_assignment(data: bytes, start: int, key_end: int) -> bool:
    """``NAME=`` at a line's start (or after ``export ``, ``#`` or ``# ``: a line commented
    out), NAME in upper case: an env file's or a shell's assignment, whose bare value is a
    literal (``DB_PASSWORD=hunter2``), where ``password = hunter2`` in code names a variable."""
    name = data[start:key_end]
    if not name[:1].isupper() or not all(b == 0x5F or 65 <= b <= 90 or 48 <= b <= 57 for b in name):
        return False
    if start >= 7 and data[start - 7 : start] == b"export ":
        start -= 7
    if start >= 2 and data[start - 2 : start] == b"# ":
        start -= 2
    elif start >= 1 and data[start - 1] == 0x23:
        start -= 1
    return start == 0 or data[start - 1] == 0x0A


# Annotations look like YAML's mapping lines (``password: str`` in a Python class body).
_TYPE_NAMES = frozenset((b"str", b"string", b"bytes", b"int", b"bool", b"any", b"object", b"text"))


def config_literal(data: bytes, start: int, tail: bytes, vstart: int, vend: int) -> bool:
    """A key alone at its line's start (indented, or after YAML's ``- ``) and a bare value
    that is the rest of the line, in a YAML mapping line (``key: value``) or an INI entry
    under a ``[section]`` line (``Key=value``): the value is a literal, not a name."""
    if vend < len(data) and data[vend] not in b"\r\n":
        return False  # more on the value's line: code, or a comment
    value = data[vstart:vend]
    if (
        b"_" in value
        and (value.isupper() or value.islower())
        and value.replace(b"_", b"").isalnum()
    ):
        return False  # ``password: DB_PASSWORD``, ``real_key``: a constant's or variable's name
    line = start
    while line > 0 and data[line - 1] in b" \t":
        line -= 1
    if line > 0 and data[line - 1] == 0x2D and line < start:  # YAML's list item
        line -= 1
        while line > 0 and data[line - 1] in b" \t":
            line -= 1
    if line > 0 and data[line - 1] != 0x0A:
        return False
    if tail[:1] == b":" and len(tail) > 1 and not tail[1:].strip(b" \t"):
        # not a type: ``str``, ``Optional[str]``, ``int | None``, ``SecretStr`` (PascalCase)
        pascal = value.isalpha() and value[:1].isupper() and not value[1:].islower()
        pascal = pascal and not (generated_letters(value) and looks_generated(value))
        return (
            value.lower() not in _TYPE_NAMES
            and not pascal
            and not any(c in b"[]()<>|" for c in value)
        )
    return tail.strip(b" \t") == b"=" and _ini_section_before(data, line)


def _ini_section_before(data: bytes, line: int) -> bool:
    """A ``[section]`` line among the lines before ``line`` (4 KB back at most)."""
    floor, end = max(0, line - 4096), line - 1
    while end > 0:
        nl = data.rfind(b"\n", floor, end)
        if nl < 0 and floor > 0:
            return False  # the line starts before the window
        text = data[nl + 1 : end].rstrip(b" \t\r")
        if text[:1] == b"[" and text[-1:] == b"]" and b"]" not in text[1:-1] and len(text) > 2:
            return True
        end = nl
    return False


def extend_value(data: bytes, vend: int, quoted: bool, limit: int) -> int:
    """A bare value read up to the limit goes on through its token characters.

    Long tokens (OAuth refresh tokens, Fly.io macaroons) exceed MAX_VALUE; the
    whole run is the secret (no partial leak). Only an accepted value is extended
    and the search resumes after it, so the scan stays linear.
    """
    if quoted or vend < limit:
        return vend
    n = len(data)
    while vend < n and data[vend] in _TOKEN_CHARS:
        vend += 1
    return vend
