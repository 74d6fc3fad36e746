"""National identifiers from Faker's locales after an ID word (issue 16, SPEC §4).

    .venv/bin/python -m benchmarks.redaction.outside.faker_ids

Faker's ``ssn()`` of every locale that has one, 40 values each (seeded), in a sentence
that names it. Faker's authors wrote each locale's generator from that country's rules,
so the values are outside evidence of what a national identifier looks like; they are
not all checksummed (the UK's NINO and Venezuela's cédula have no check digit, and
locales without a generator of their own fall back to US-style numbers, some in the
ITIN range), so a locale's rate says how many the filter finds, not that the rest
should be found. Prints each locale below 1.00 with an example missed value, and the
count of locales at 1.00.
"""

from __future__ import annotations

import warnings

from faker import Faker
from faker.config import AVAILABLE_LOCALES

from consentry.redaction import Redactor


def _found(redactor: Redactor, value: str) -> bool:
    text = f"my national ID number is {value}, thanks"
    start = text.index(value)
    end = start + len(value)
    spans = redactor.redact(text).findings
    return sum(max(0, min(end, f.end) - max(start, f.start)) for f in spans) >= len(value)


def main() -> None:
    """Print the locales below 1.00."""
    redactor = Redactor()
    whole = 0
    warnings.simplefilter("ignore")  # deprecated locales (fr_QC) warn on use
    for locale in sorted(AVAILABLE_LOCALES):
        fake = Faker(locale)
        fake.seed_instance(7)
        try:
            values = [fake.ssn() for _ in range(40)]
        except AttributeError:
            continue
        missed = [v for v in values if not _found(redactor, v)]
        if missed:
            print(f"{locale:8s} {40 - len(missed):2d}/40  e.g. {missed[0]}")
        else:
            whole += 1
    print(f"locales with every value found: {whole}")


if __name__ == "__main__":
    main()
