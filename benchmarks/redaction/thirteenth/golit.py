"""Go test files read without Go, and a secret's kind in its snippet, for the thirteenth
set (issue 16).

Both sources' expected answers sit in Go tests: a table of cases (``tests := []struct{
...}{{"name", "input", true}, ...}``) or a call per case (``shouldPass...([]byte("..."))``).
``cases`` reads a table's cases as (strings, answer); ``expression`` reads a Go
string expression (literals, ``+``, ``[]byte{45, 45, ...}``); nothing is run.

``kind`` labels a value the other project flags, by kind, as the tenth set does: a JWT
alone ``JWT``; a key block (``BEGIN ... PRIVATE KEY`` to its ``END``) whole
``PRIVATE_KEY``; a card number alone (13 to 19 digits) ``CARD``; an AWS access key id
alone ``TOKEN_PREFIXED``; a URL's password ``URL_PASSWORD``; another bare string
``NOT_ASKED:HIGH_ENTROPY`` (or ``NOT_ASKED:PASSWORD`` where the source calls it one);
in its snippet after a password word (``pass``, ``pwd``, ``pw``, ``secret``,
``credential``, ``Basic``) ``KEYWORD_SECRET``, else a key-shaped run (16 or more key
characters with a letter and a digit) ``TOKEN_CONTEXT``.
``clean`` says whether a snippet the project does not flag is a negative: nothing
secret-shaped in it (the tenth set's ``token_shaped``), no run of ten digits or more (a
phone or card look-alike), and after a password word only a name or a reference
(``db_password``, ``$db.password``, ``api.Secret``), never a password-like value.
"""

from __future__ import annotations

import ast
import json
import re

from ..tenth.sonartext import _URL_AUTH, token_shaped

_LITERAL = re.compile(r'"(?:[^"\\\n]|\\.)*"|`[^`]*`')
_BYTES = re.compile(r"\[\]byte\{([\d,\s]+)\}")
_TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"|`[^`]*`|\[\]byte\{[\d,\s]+\}|\btrue\b|\bfalse\b')
_TABLE = re.compile(r"\[\]struct\s*\{(.*?)(?=for _, tt := range|\nfunc )", re.S)
_JWT = re.compile(r"eyJ[\w-]+\.eyJ[\w-]+\.[\w-]*")
_KEY_BLOCK = re.compile(
    r"(?:-----)?BEGIN[A-Z ]*PRIVATE KEY.*?END[A-Z ]*PRIVATE KEY(?:-----)?", re.S
)
_AWS_ID = re.compile(r"(?:AKIA|ASIA)[A-Z0-9]{16}")
_WORD = re.compile(r"(?i)pass|pwd|pword|secret|credential|basic\b|(?<![a-z])pw(?![a-z])")
_RUN = re.compile(r"[^\s'\"=:,;<>{}()\[\]`]+")
_KEY_RUN = re.compile(r"[A-Za-z0-9+/=_\-.]{16,}")
_DIGITS = re.compile(r"\d(?:[\d\s\-./]*\d){9,}")
_NAME = re.compile(r"^[$%{<]|^[A-Za-z_.]+$")
_SHAPE = re.compile(r"[Aa0_.-]+")  # a format's template: A a letter, 0 a digit
_HOLDER = re.compile(r"^[$%]|^(?:x+|\.+|pass(?:word|wd)?)$", re.I)


def literal(token: str) -> str:
    """A Go string literal's value (``\"...\"`` read as JSON, a raw string as it is)."""
    if token.startswith("`"):
        return token[1:-1]
    try:
        return str(json.loads(token))
    except json.JSONDecodeError:
        return str(ast.literal_eval(token))  # \x.. and other escapes JSON lacks


def expression(src: str) -> str | None:
    """A Go string expression's value: literals joined by ``+`` (across lines) or a byte
    slice; None where a part is not a literal (a variable, a call)."""
    parts = re.split(r"\s*\+\s*", src.strip())
    out = []
    for part in parts:
        b = _BYTES.fullmatch(part.strip())
        if b:
            out.append(bytes(int(n) for n in b.group(1).split(",") if n.strip()).decode())
        elif _LITERAL.fullmatch(part.strip()):
            out.append(literal(part.strip()))
        else:
            return None
    return "".join(out)


def cases(src: str) -> list[tuple[list[str], bool]]:
    """Every table case in a Go test file: its strings (the name first where it has
    two or more) and its last boolean (the expected answer)."""
    out = []
    for table in _TABLE.finditer(src):
        strings: list[str] = []
        for tok in _TOKEN.findall(table.group(1)):
            if tok in ("true", "false"):
                if strings:
                    out.append((strings, tok == "true"))
                strings = []
            else:
                strings.append(expression(tok) or "")
    return out


def key_shaped(run: str) -> bool:
    """16 or more key characters with a letter and a digit."""
    return bool(_KEY_RUN.fullmatch(run) and re.search(r"\d", run) and re.search(r"[A-Za-z]", run))


def after_word(text: str) -> str | None:
    """The longest run after the first run holding a password word that holds none
    itself (nor a closing tag), or None where no password word is in ``text``."""
    runs = _RUN.findall(text)
    first = next((i for i, r in enumerate(runs) if _WORD.search(r)), None)
    if first is None:
        return None
    rest = [r for r in runs[first + 1 :] if not _WORD.search(r) and not r.startswith("/")]
    if not rest:
        return ""
    value = max(rest, key=len)
    pad = re.search(re.escape(value) + r"(={1,2})(?=$|[\s'\"<,;])", text)
    return value + pad.group(1) if pad else value


def kind(text: str, bare: str = "NOT_ASKED:HIGH_ENTROPY") -> tuple[str, str, str] | None:
    """(label, value, context) of a flagged ``text`` by kind (see the module doc), or
    None where its value is unsure (no value after the word, a placeholder, a format's
    template such as ``A0aa-0A``, no key, a password word alone)."""
    text = text.strip()
    block = _KEY_BLOCK.search(text)
    if block:
        return "PRIVATE_KEY", block.group(0), ""
    auth = _URL_AUTH.search(text)
    if auth and not _HOLDER.search(auth.group(1)):
        return "URL_PASSWORD", auth.group(1), text
    one = text.strip("'\"")
    if _RUN.fullmatch(one):
        if _WORD.fullmatch(one) or (_WORD.match(one) and one.isalpha()):
            return None
        if _JWT.fullmatch(one):
            return "JWT", one, ""
        if re.fullmatch(r"\d{13,19}", one):
            return "CARD", one, ""
        return ("TOKEN_PREFIXED" if _AWS_ID.fullmatch(one) else bare), one, ""
    value = after_word(text)
    if value:
        return None if _HOLDER.search(value) else ("KEYWORD_SECRET", value, text)
    if value is None:
        runs = [r for r in _RUN.findall(text) if key_shaped(r)]
        if len(runs) == 1 and not _SHAPE.fullmatch(runs[0]):
            return "TOKEN_CONTEXT", runs[0], text
    return None


def clean(text: str) -> bool:
    """A snippet with nothing secret-shaped in it (see the module doc)."""
    if token_shaped(text) or _DIGITS.search(text) or _KEY_BLOCK.search(text):
        return False
    value = after_word(text)
    return not value or bool(_NAME.search(value)) or bool(_WORD.search(value))
