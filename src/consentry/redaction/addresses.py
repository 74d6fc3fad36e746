"""Street addresses by pattern, per locale: a model-free part of the NER stage (SPEC §4).

A street address is a house number next to a street-type word in the order the locale
writes it ("12 Baker Street", "12 rue des Lilas", "Hauptstraße 5", "Calle de Alcalá 42",
"Via Roma 10", "Keizersgracht 123"), optionally followed by a postal code and a
capitalised city ("…, 75011 Paris"). Postal codes stand alone only in formats that are
specific enough to be validated by their structure: a UK postcode (``SW1A 1AA``), a US
``City, ST 12345`` with a real state code, a Dutch ``1234 AB City``.

Every pattern is one RE2 alternation (linear in the text, no backtracking); a hit counts
only when the characters around it are not letters or digits.
"""

from __future__ import annotations

from collections.abc import Iterable

import re2

from .model import ADDRESS, Finding

LOCALES = ("en", "fr", "de", "es", "it", "nl")

_CAP = r"\p{Lu}[\p{L}'’.-]*"  # a capitalised word ("Baker", "O'Connell", "St.")
_NUM = r"\d{1,5}[a-zA-Z]?"  # a house number ("12", "12b")
_CITY = r"\p{Lu}[\p{L}'’-]*(?:[ -]\p{Lu}[\p{L}'’-]*){0,2}"
_US_STATES = (
    "AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|"
    "NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY"
)
# "…, 75011 Paris", "…, 10115 Berlin-Mitte", "…, 1016 GV Amsterdam", "…, London SW1A 1AA"
_POSTAL_TAIL = rf"(?:,?\s{{1,3}}(?:\d{{4,5}}|\d{{4}} ?[A-Z]{{2}})\s{{1,3}}{_CITY})?"
_UK_POSTCODE = r"[A-Z]{1,2}\d[A-Z\d]? \d[ABD-HJLNP-UW-Z]{2}"

_STREET_TYPES_EN = (
    "Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Place|Pl|"
    "Square|Sq|Terrace|Way|Close|Crescent|Highway|Hwy|Parkway|Pkwy|Row|Gardens|Mews|Hill"
)
_DE_SUFFIX = "straße|strasse|str\\.|weg|gasse|platz|allee|ring|damm|ufer|chaussee|steig"
_NL_SUFFIX = "straat|laan|weg|plein|gracht|kade|singel|dijk|steeg|hof|markt"

PATTERNS: dict[str, tuple[str, ...]] = {
    "en": (
        # 221B Baker Street, 1600 Pennsylvania Avenue NW, 10 Downing St.
        rf"{_NUM}\s{{1,3}}(?:{_CAP}\s{{1,3}}){{1,4}}(?:{_STREET_TYPES_EN})\b\.?"
        rf"(?:\s(?:NW|NE|SW|SE|N|S|E|W)\b)?{_POSTAL_TAIL}",
        rf"{_CITY},\s(?:{_US_STATES})\s\d{{5}}(?:-\d{{4}})?",
        _UK_POSTCODE,
    ),
    "fr": (
        # 12 rue des Lilas, 5 bis avenue de la République, 3, place d'Italie
        rf"{_NUM}(?:\s(?:bis|ter))?,?\s{{1,3}}"
        r"(?i:rue|avenue|av\.|boulevard|bd|place|chemin|allée|allee|impasse|quai|route|cours|"
        r"passage|square)"
        rf"\s{{1,3}}(?:(?:de la|de l['’]|des|du|de|d['’]|la|le|l['’])\s{{0,3}})?{_CAP}"
        rf"(?:[\s-](?:(?:de la|des|du|de|d['’]|la|le|l['’])\s{{0,3}})?{_CAP}){{0,4}}{_POSTAL_TAIL}",
    ),
    "de": (
        # Hauptstraße 5, Unter den Linden 77 (street word apart), Berliner Straße 12a
        rf"\p{{Lu}}[\p{{L}}-]*?(?:{_DE_SUFFIX})\s{{1,3}}{_NUM}{_POSTAL_TAIL}",
        rf"{_CAP}\s(?:Straße|Strasse|Str\.|Weg|Platz|Allee|Gasse|Ring|Damm)\s{{1,3}}{_NUM}"
        rf"{_POSTAL_TAIL}",
    ),
    "es": (
        # Calle de Alcalá 42, Avenida de la Constitución, 3, C/ Mayor nº 5
        r"(?i:calle|c/|avenida|avda\.|plaza|pza\.|paseo|camino|carretera|ronda|travesía)"
        rf"\s{{0,3}}(?:(?:de la|de los|de las|del|de|la|el)\s{{1,3}})?{_CAP}"
        rf"(?:\s(?:(?:de la|de los|del|de|la|el)\s{{1,3}})?{_CAP}){{0,3}},?\s{{1,3}}"
        rf"(?:n[º°o]\.?\s?)?{_NUM}{_POSTAL_TAIL}",
    ),
    "it": (
        # Via Roma 10, Piazza della Signoria, 5, Corso Vittorio Emanuele II 21
        r"(?i:via|viale|piazza|piazzale|corso|largo|vicolo|strada|lungomare)"
        rf"\s{{1,3}}(?:(?:della|delle|dello|degli|dei|del|di|de['’])\s{{0,3}})?{_CAP}"
        rf"(?:\s(?:(?:della|dei|del|di)\s{{1,3}})?{_CAP}){{0,3}},?\s{{1,3}}(?:n\.\s?)?{_NUM}"
        rf"{_POSTAL_TAIL}",
    ),
    "nl": (
        # Keizersgracht 123, Damstraat 5hs, Lange Voorhout 34
        rf"\p{{Lu}}[\p{{L}}-]*?(?:{_NL_SUFFIX})\s{{1,3}}{_NUM}(?:-?hs)?{_POSTAL_TAIL}",
        rf"\d{{4}} ?[A-Z]{{2}}\s{{1,3}}{_CITY}",
    ),
}


class AddressNer:
    """Finds street addresses (type ``ADDRESS``) in the given locales' formats."""

    def __init__(self, locales: Iterable[str] = LOCALES) -> None:
        chosen = tuple(dict.fromkeys(locales))
        unknown = sorted(set(chosen) - set(PATTERNS))
        if unknown:
            raise ValueError(f"no address patterns for locales {unknown}; known: {list(LOCALES)}")
        if not chosen:
            raise ValueError("address patterns need at least one locale")
        options = re2.Options()
        options.max_mem = 64 << 20
        patterns = [p for locale in chosen for p in PATTERNS[locale]]
        self._regex = re2.compile("|".join(f"(?:{p})" for p in patterns), options)
        self.locales = chosen

    def __getstate__(self) -> dict[str, object]:
        return {"locales": self.locales}  # a compiled RE2 does not pickle

    def __setstate__(self, state: dict[str, tuple[str, ...]]) -> None:
        self.__init__(state["locales"])  # type: ignore[misc]

    @property
    def stages(self) -> tuple[str, ...]:
        """This stage as a run's manifest records it."""
        return (f"addresses:{','.join(self.locales)}",)

    def find(self, text: str) -> list[Finding]:
        """Whole-word address hits in ``text`` (str offsets)."""
        if _HAS_DIGIT.search(text) is None:  # every pattern needs a digit
            return []
        found = []
        for match in self._regex.finditer(text):
            start, end = match.span()
            if start > 0 and text[start - 1].isalnum():
                continue
            if end < len(text) and text[end].isalnum():
                continue
            found.append(Finding(ADDRESS, start, end))
        return found


_HAS_DIGIT = re2.compile(r"\d")
