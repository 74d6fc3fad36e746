"""Clean values and obfuscation transforms for :mod:`.obfuscation` (issue 16, SPEC §4).

Every value is our own, written for this benchmark (checksums computed here); none
comes from a benchmark set. A value is held as a list of pieces, one per original
character; a transform rewrites pieces (a character may become several, invisible
characters are appended after one), so that the piece of each original character
stays known and the benchmark can tell which of the value's characters a finding
covers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

Pieces = list[str]
Transform = Callable[[Pieces, "Value"], Pieces]


@dataclass(frozen=True, slots=True)
class Value:
    """A clean value; ``value[core_start:core_end]`` is what must not leak."""

    kind: str
    name: str
    text: str
    core_start: int = 0
    core_end: int = -1

    @property
    def core(self) -> tuple[int, int]:
        return self.core_start, len(self.text) if self.core_end < 0 else self.core_end


def _luhn(body: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return body + str((10 - total % 10) % 10)


def _iban(country: str, bban: str) -> str:
    digits = "".join(str(int(c, 36)) for c in bban + country + "00")
    check = 98 - int(digits) % 97
    raw = f"{country}{check:02d}{bban}"
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def _pesel(body: str) -> str:
    weights = (1, 3, 7, 9, 1, 3, 7, 9, 1, 3)
    return body + str((10 - sum(w * int(c) for w, c in zip(weights, body, strict=True)) % 10) % 10)


def _dni(number: int) -> str:
    return f"{number}{'TRWAGMYFPDXBNJZSQVHLCKE'[number % 23]}"


def _grouped(s: str, sep: str = " ") -> str:
    return sep.join(s[i : i + 4] for i in range(0, len(s), 4))


_JWT = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
    "eyJzdWIiOiJ1LTc3MjMxIiwibmFtZSI6IlJhdmkiLCJpYXQiOjE3MzM1MDAwMDB9."
    "Qm8Vn3Lp5Xz7Rt2Wk9Jc4uO1aB6dE8fG0hI2xYz7Tq4"
)
_PEM = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAAB"
_BCRYPT = "$2b$12$Kx9vQ2mL7pR4tN8wB3cZ1uhJ5fE0gYa6dS2kW8nV4rT7qP1mX3bLe"
_SHA512 = "$6$Qz8Lp2Vx$" + "Kx9vQ2mL7pR4tN8wB3cZ1uhJ5fE0gYa6dS2kW8nV4rT7qP1mX3bLe" * 2
_URL = "postgres://appuser:Vq8Ls3Rn7Xe2@db.internal.example:5432/orders"

VALUES: tuple[Value, ...] = (
    Value("EMAIL", "email", "noor.haddad@mailhost.net"),
    Value("EMAIL", "email-dotted", "k.osei-mensah@post.uni-example.de"),
    Value("PHONE", "phone-us", "+1 212-736-4410"),
    Value("PHONE", "phone-uk", "+44 20 7946 0321"),
    Value("PHONE", "phone-de", "+49 30 90182045"),
    Value("PHONE", "phone-fr", "+33 6 47 21 90 35"),
    Value("PHONE", "phone-in", "+91 98230 11457"),
    Value("PHONE", "phone-jp", "+81 3-5321-1234"),
    Value("PHONE", "phone-br", "+55 11 98765-4321"),
    Value("CARD", "card-visa", _grouped(_luhn("492938147702581"))),
    Value("CARD", "card-mc-dashed", _grouped(_luhn("542523343010127"), "-")),
    Value("IBAN", "iban-de", _iban("DE", "370400440532013071")),
    Value("IBAN", "iban-gb", _iban("GB", "NWBK60161331926812")),
    Value("SSN", "ssn", "536-22-4187"),
    Value("NATIONAL_ID", "es-dni", "DNI " + _dni(48213607), 4),
    Value("NATIONAL_ID", "pl-pesel", "PESEL: " + _pesel("0207080362"), 7),
    Value("IP", "ipv4", "84.17.203.96"),
    Value("IP", "ipv6", "2a02:8108:1c40:5e00:9d1:7be2:41f3:c0a8"),
    Value("JWT", "jwt", _JWT),
    Value("SECRET", "github", "ghp_Qm8Vn3Lp5Xz7Rt2Wk9Jc4uO1aB6dE8fG0hI2"),
    Value("SECRET", "aws", "AKIAZ7QK4M2X9VNB3LPE"),
    Value("SECRET", "stripe", "sk_live_51Hq8Zr2Lx7Vt4Nm9Kc3WbPq"),
    Value("SECRET", "slack", "xoxb-2841937465-5928374615-Zr7Qp2Lx9Vt4Nm8Kc3WbQe1F"),
    Value("SECRET", "gitlab", "glpat-Xq7Vb2Nr9Lt4Km8Wz3Pc"),
    Value("SECRET", "google", "AIzaSyD7vQ2xL9pR4tK8mN3wB6cZ1hJ5fE0gUa2"),
    Value("SECRET", "npm", "npm_Qm8Vn3Lp5Xz7Rt2Wk9Jc4uO1aB6dE8fG0hI2"),
    Value("SECRET", "keyword-api-key", 'api_key = "Zr7Qp2Lx9Vt4Nm8Kc3Wb"', 11, -2),
    Value("PASSWORD", "keyword-password", "password: Bl4ckP3pper!92", 10),
    Value("PASSWORD_HASH", "bcrypt", _BCRYPT),
    Value("PASSWORD_HASH", "sha512crypt", _SHA512),
    Value("PASSWORD", "url-password", _URL, 19, 31),
    Value("PRIVATE_KEY", "pem-header", _PEM, 0, 35),
)


def pieces_of(value: Value) -> Pieces:
    return list(value.text)


def _charwise(fn: Callable[[str], str]) -> Transform:
    def apply(pieces: Pieces, value: Value) -> Pieces:
        return ["".join(fn(c) for c in p) for p in pieces]

    return apply


def _fullwidth(c: str) -> str:
    if "!" <= c <= "~":
        return chr(ord(c) + 0xFEE0)
    return "\u3000" if c == " " else c


def _digits(zero: int, one: int | None = None) -> Callable[[str], str]:
    """Digits from a block whose 0 is at ``zero`` (or 1 at ``one``, 0 kept or at ``zero``)."""

    def fn(c: str) -> str:
        if not ("0" <= c <= "9"):
            return c
        if one is None:
            return chr(zero + int(c))
        return chr(one + int(c) - 1) if c != "0" else (chr(zero) if zero else c)

    return fn


def _math(digit0: int, upper_a: int, lower_a: int) -> Callable[[str], str]:
    def fn(c: str) -> str:
        if "0" <= c <= "9":
            return chr(digit0 + int(c))
        if "A" <= c <= "Z":
            return chr(upper_a + ord(c) - 65)
        if "a" <= c <= "z":
            return chr(lower_a + ord(c) - 97)
        return c

    return fn


_SUPERSCRIPT = dict(zip("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹", strict=True))
_CYRILLIC = dict(zip("aceopxyijsdhABEKMHOPCTXYSIJ", "асеорхуіјѕԁһАВЕКМНОРСТХУЅІЈ", strict=True))
_GREEK = dict(zip("ABEZHIKMNOPTYXoivk", "ΑΒΕΖΗΙΚΜΝΟΡΤΥΧοινκ", strict=True))
_OTHER_LOOKALIKES = dict(zip("oughnil", "օսɡհոıӏ", strict=True))


def _replace_sep(old: str, new: str) -> Transform:
    def apply(pieces: Pieces, value: Value) -> Pieces:
        return [p.replace(old, new) if value.text[i] == old else p for i, p in enumerate(pieces)]

    return apply


def _insert_every(mark: str, step: int = 3) -> Transform:
    def apply(pieces: Pieces, value: Value) -> Pieces:
        start, end = value.core
        out = list(pieces)
        for i in range(start + step - 1, end - 1, step):
            out[i] += mark
        return out

    return apply


def _after_each(mark: str, which: Callable[[str], bool]) -> Transform:
    def apply(pieces: Pieces, value: Value) -> Pieces:
        start, end = value.core
        return [p + mark if start <= i < end and which(value.text[i]) else p
                for i, p in enumerate(pieces)]  # fmt: skip

    return apply


def _lookalikes(table: dict[str, str], *, prefix_only: bool) -> Transform:
    def apply(pieces: Pieces, value: Value) -> Pieces:
        out = list(pieces)
        for i, c in enumerate(value.text):
            if prefix_only and not c.isalpha() and i > 0:
                break
            out[i] = "".join(table.get(x, x) for x in out[i])
        return out

    return apply


def _line_break(brk: str) -> Transform:
    """A break in the middle of the core: in place of the separator nearest it, else inserted."""

    def apply(pieces: Pieces, value: Value) -> Pieces:
        start, end = value.core
        mid = (start + end) // 2
        seps = [i for i in range(start + 1, end - 1) if value.text[i] in " -"]
        out = list(pieces)
        if seps:
            at = min(seps, key=lambda i: abs(i - mid))
            out[at] = brk
        else:
            out[mid] += brk
        return out

    return apply


def _mail(at: str | None, dot: str | None) -> Transform:
    def apply(pieces: Pieces, value: Value) -> Pieces:
        if "@" not in value.text:
            return pieces
        at_i = value.text.index("@")
        out = list(pieces)
        if at is not None:
            out[at_i] = at
        if dot is not None:
            for i in range(at_i + 1, len(value.text)):
                if value.text[i] == "." and value.text[i - 1].isalnum():
                    out[i] = dot
        return out

    return apply


def _escaped(template: str) -> Transform:
    """The value's punctuation and spaces written as escapes (``%40``, ``&#64;``, ``\\u0040``),
    as URLs, HTML and JSON carry them."""

    def apply(pieces: Pieces, value: Value) -> Pieces:
        return [template.format(ord(c)) if c in _ESCAPED else p
                for c, p in zip(value.text, pieces, strict=True)]  # fmt: skip

    return apply


_ESCAPED = frozenset("@+-.:=/ ")


def _is_digit(c: str) -> bool:
    return "0" <= c <= "9"


def _is_alnum(c: str) -> bool:
    return c.isascii() and c.isalnum()


SPACES = {
    "nbsp": "\u00a0", "thin-space": "\u2009", "hair-space": "\u200a",
    "figure-space": "\u2007", "ideographic-space": "\u3000", "narrow-nbsp": "\u202f",
    "en-space": "\u2002", "em-space": "\u2003", "punctuation-space": "\u2008",
    "math-space": "\u205f", "ogham-space": "\u1680",
}  # fmt: skip
DASHES = {
    "en-dash": "\u2013", "em-dash": "\u2014", "minus-sign": "\u2212",
    "nb-hyphen": "\u2011", "hyphen": "\u2010", "figure-dash": "\u2012",
    "horizontal-bar": "\u2015", "small-hyphen-minus": "\ufe63",
    "fullwidth-hyphen-minus": "\uff0d", "hyphen-bullet": "\u2043",
}  # fmt: skip
INVISIBLES = {
    "zwsp": "\u200b", "zwnj": "\u200c", "zwj": "\u200d", "word-joiner": "\u2060",
    "soft-hyphen": "\u00ad", "bom": "\ufeff", "lrm": "\u200e", "rlm": "\u200f",
    "lre": "\u202a", "rlo": "\u202e", "lri": "\u2066", "pdi": "\u2069", "alm": "\u061c",
    "vs16": "\ufe0f", "vs1": "\ufe00", "vs17": "\U000e0100", "tag-a": "\U000e0061",
    "cgj": "\u034f", "mongolian-vs": "\u180e", "invisible-times": "\u2062",
}  # fmt: skip
OTHER_DIGITS = {
    "arabic-indic": 0x0660, "ext-arabic-indic": 0x06F0, "devanagari": 0x0966,
    "bengali": 0x09E6, "gurmukhi": 0x0A66, "gujarati": 0x0AE6, "tamil": 0x0BE6,
    "telugu": 0x0C66, "kannada": 0x0CE6, "malayalam": 0x0D66, "thai": 0x0E50,
    "lao": 0x0ED0, "tibetan": 0x0F20, "myanmar": 0x1040, "khmer": 0x17E0,
    "mongolian": 0x1810, "nko": 0x07C0, "adlam": 0x1E950,
}  # fmt: skip


def transforms() -> dict[str, Transform]:
    """Every transform by name; the family is the part of the name before ``:``."""
    t: dict[str, Transform] = {
        "width:fullwidth": _charwise(_fullwidth),
        "width:fullwidth-digits": _charwise(lambda c: _fullwidth(c) if _is_digit(c) else c),
        "math:bold": _charwise(_math(0x1D7CE, 0x1D400, 0x1D41A)),
        "math:monospace": _charwise(_math(0x1D7F6, 0x1D670, 0x1D68A)),
        "math:double-struck-digits": _charwise(_digits(0x1D7D8)),
        "math:sans-bold": _charwise(_math(0x1D7EC, 0x1D5D4, 0x1D5EE)),
        "enclosed:circled": _charwise(_digits(0x24EA, 0x2460)),
        "enclosed:negative-circled": _charwise(_digits(0x24FF, 0x2776)),
        "enclosed:parenthesised": _charwise(_digits(0, 0x2474)),
        "enclosed:full-stop": _charwise(_digits(0, 0x2488)),
        "script:superscript": _charwise(lambda c: _SUPERSCRIPT.get(c, c)),
        "script:subscript": _charwise(_digits(0x2080)),
    }
    for name, zero in OTHER_DIGITS.items():
        t[f"digits:{name}"] = _charwise(_digits(zero))
    for name, ch in SPACES.items():
        t[f"space:{name}"] = _replace_sep(" ", ch)
    for name, ch in DASHES.items():
        t[f"dash:{name}"] = _replace_sep("-", ch)
    for name, ch in INVISIBLES.items():
        t[f"invisible:{name}"] = _insert_every(ch)
    t["invisible:zwsp-every-char"] = _insert_every("\u200b", 1)
    t["invisible:tag-run"] = _insert_every("\U000e0074\U000e0061\U000e0067", 4)
    t["lookalike:cyrillic"] = _lookalikes(_CYRILLIC, prefix_only=False)
    t["lookalike:cyrillic-prefix"] = _lookalikes(_CYRILLIC, prefix_only=True)
    t["lookalike:greek"] = _lookalikes(_GREEK, prefix_only=False)
    t["lookalike:greek-prefix"] = _lookalikes(_GREEK, prefix_only=True)
    t["lookalike:other-scripts"] = _lookalikes(_OTHER_LOOKALIKES, prefix_only=False)
    t["mail:fullwidth-at"] = _mail("\uff20", None)
    t["mail:small-at"] = _mail("\ufe6b", None)
    t["mail:(at)"] = _mail(" (at) ", None)
    t["mail:[at]"] = _mail("[at]", None)
    t["mail:[at][dot]"] = _mail("[at]", "[dot]")
    t["mail:(at)(dot)"] = _mail("(at)", "(dot)")
    t["mail:_at_dot_"] = _mail(" at ", " dot ")
    t["mail:small-full-stop"] = _mail(None, "\ufe52")
    t["mail:fullwidth-full-stop"] = _mail(None, "\uff0e")
    t["dot:ideographic-full-stop"] = _replace_sep(".", "\u3002")
    t["dot:halfwidth-ideographic-full-stop"] = _replace_sep(".", "\uff61")
    t["dot:fullwidth-full-stop"] = _replace_sep(".", "\uff0e")
    t["dot:one-dot-leader"] = _replace_sep(".", "\u2024")
    t["combining:acute-on-digits"] = _after_each("\u0301", _is_digit)
    t["combining:enclosing-circle"] = _after_each("\u20dd", _is_digit)
    t["combining:low-line"] = _after_each("\u0332", _is_alnum)
    t["combining:long-stroke"] = _after_each("\u0336", _is_alnum)
    t["escape:percent"] = _escaped("%{:02X}")
    t["escape:html-decimal"] = _escaped("&#{};")
    t["escape:html-hex"] = _escaped("&#x{:x};")
    t["escape:json-unicode"] = _escaped("\\u{:04x}")
    t["linebreak:lf"] = _line_break("\n")
    t["linebreak:crlf"] = _line_break("\r\n")
    t["linebreak:line-separator"] = _line_break("\u2028")
    t["linebreak:nel"] = _line_break("\u0085")
    # UTF-16 text read one byte a character: a NUL after (little-endian) or before each.
    # Singles only, never in PAIR_SET: read so, another transform's non-ASCII characters
    # would be two bytes each, not themselves with a NUL, so a pair models no real text.
    t["utf16:le-bytewise"] = _charwise(lambda c: c + "\x00")
    t["utf16:be-bytewise"] = _charwise(lambda c: "\x00" + c)
    return t


# Transforms of every family for the pairs.
PAIR_SET = (
    "width:fullwidth", "math:bold", "enclosed:circled", "script:superscript",
    "digits:arabic-indic", "digits:devanagari", "space:nbsp", "space:ideographic-space",
    "dash:en-dash", "dash:minus-sign", "dot:ideographic-full-stop", "invisible:zwsp",
    "invisible:soft-hyphen", "invisible:rlo", "invisible:vs16", "invisible:tag-a",
    "lookalike:cyrillic-prefix", "lookalike:greek", "mail:small-at", "mail:[at][dot]",
    "combining:acute-on-digits",
)  # fmt: skip
