"""Phone numbers from Faker's locales in ordinary sentences (issue 16's target: recall >= 0.99).

    .venv/bin/python -m benchmarks.redaction.outside.faker_phones

Every locale of ``harvest.FAKER_LOCALES`` that has a phone provider, 40 numbers
each (seeded), each in one of a few sentences that a person would write. A
number counts as found when findings cover all of it. Prints recall overall
and per locale below 0.99, and some misses.
"""

from __future__ import annotations

import random

from faker import Faker

from consentry.redaction import Redactor

from .harvest import FAKER_LOCALES

SENTENCES = [
    "You can call me on {p} after six.",
    "My number is {p}, text me when you land.",
    "Reach the front desk at {p} if the door is locked.",
    "Phone: {p}",
    "ring {p} and ask for Sam",
]


def main() -> None:
    """Print the recall."""
    redactor = Redactor()
    rng = random.Random(16)
    total = found = 0
    misses: list[str] = []
    per_locale: dict[str, tuple[int, int]] = {}
    for i, locale in enumerate(FAKER_LOCALES):
        fake = Faker(locale)
        fake.seed_instance(7000 + i)
        try:
            numbers = [fake.phone_number() for _ in range(40)]
        except AttributeError:
            continue
        hit = 0
        for number in numbers:
            text = rng.choice(SENTENCES).format(p=number)
            at = text.index(number)
            spans = [(f.start, f.end) for f in redactor.redact(text).findings]
            pos = at
            for s, e in sorted(spans):
                if s <= pos < e:
                    pos = e
            ok = pos >= at + len(number)
            hit += ok
            if not ok and len(misses) < 15:
                misses.append(f"{locale}: {text!r}")
        per_locale[locale] = (hit, len(numbers))
        total += len(numbers)
        found += hit
    print(f"Faker phone numbers in sentences: {found}/{total} = {found / total:.4f} recall")
    low = {k: f"{h}/{n}" for k, (h, n) in per_locale.items() if h / n < 0.99}
    print(f"locales below 0.99: {low or 'none'}")
    for m in misses:
        print("  miss", m)


if __name__ == "__main__":
    main()
