"""The PHONE findings on the labelled corpus that are not phone numbers (issue 16, SPEC §4).

    python -m benchmarks.redaction.phone_fps --records 3000 [--python]

Each line: the finding's text and the 48 characters before it.
"""

from __future__ import annotations

import argparse

from consentry.redaction import Redactor

from .corpus import build_corpus


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=3000)
    parser.add_argument("--python", action="store_true", help="the Python scan")
    args = parser.parse_args()
    redactor = Redactor(native=not args.python)
    findings = fps = 0
    for rec in build_corpus(args.records):
        for f in redactor.redact(rec.text).findings:
            if f.type != "PHONE":
                continue
            findings += 1
            if any(t == "PHONE" and f.start < e and s < f.end for t, s, e in rec.labels):
                continue
            fps += 1
            before = rec.text[max(0, f.start - 48) : f.start]
            print(f"{rec.text[f.start : f.end]!r:32} after {before!r}")
    print(f"{fps} of {findings} PHONE findings are not phone numbers")


if __name__ == "__main__":
    main()
