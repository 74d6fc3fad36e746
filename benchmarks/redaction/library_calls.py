"""Which phonenumbers and python-stdnum calls a pass on text not seen before makes.

    .venv/bin/python -m benchmarks.redaction.library_calls [--records 3000]

Issue 16 (speed, text the filter has not seen; docs/bench/redaction.md, round ten).
Builds the installed compiled scan with counting wrappers around the library calls its
phone and national-id ports make back into Python, makes one pass over the labelled
corpus to load everything, clears the validators' lru caches, and makes one counted pass:
per call made back (``_valid_internationally``, ``_valid_national_id``, ...) the calls
and CPU ms; per library function (``phonenumbers.parse``, each stdnum module's
``is_valid``) the calls, how many said yes (for ``parse``: returned a number) and ms.
The wrappers add their own time (≈ 1 µs a call), so the ms are for ranking, not speed.
"""

from __future__ import annotations

import argparse
import collections
import time
from collections.abc import Callable
from typing import Any

import phonenumbers
from stdnum import ean, isbn, issn

from consentry.redaction import nationalids, native

from .builds_ab import _engine, _engine_args
from .corpus import build_corpus
from .scan_callgrind import clear_library_caches

Counts = collections.defaultdict[str, list[float]]


def _counted(function: Callable[..., Any], name: str, counts: Counts) -> Callable[..., Any]:
    def counted(*args: Any) -> Any:
        start = time.process_time()
        try:
            result = function(*args)
        finally:
            entry = counts[name]
            entry[0] += 1
            entry[2] += time.process_time() - start
        entry[1] += result is not False and result is not None
        return result

    return counted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=3000)
    args = parser.parse_args()
    calls: Counts = collections.defaultdict(lambda: [0, 0, 0.0])
    library: Counts = collections.defaultdict(lambda: [0, 0, 0.0])
    specs, tables = _engine_args([])
    phone, national = tables.get("phone_library"), tables.get("national_library")
    if not isinstance(phone, tuple) or not isinstance(national, tuple):
        raise SystemExit("a port is not current: the library calls are not made back")
    wrapped = [_counted(f, f.__name__, calls) for f in phone[1:-1]]
    tables["phone_library"] = (phone[0], *wrapped, phone[-1])
    tables["national_library"] = (national[0], *(_counted(f, "id " + f.__name__, calls)
                                                 for f in national[1:]))  # fmt: skip
    if native._native is None:
        raise SystemExit("the compiled scan is not built")
    engine = _engine(native._native, specs, tables)
    datas = [r.text.encode("utf-8", "surrogatepass") for r in build_corpus(args.records)]
    for d in datas:
        engine.candidates(d)
    for name in ("parse", "is_valid_number", "is_possible_number"):
        setattr(phonenumbers, name, _counted(getattr(phonenumbers, name), name, library))
    for module in (*nationalids._modules(), isbn, ean, issn):
        module.is_valid = _counted(module.is_valid, module.__name__[7:], library)  # type: ignore[attr-defined]
    clear_library_caches()  # also the per-shape tables, which now hold the counted is_valid
    calls.clear()
    start = time.process_time()
    for d in datas:
        engine.candidates(d)
    print(f"cold pass {(time.process_time() - start) * 1000:.1f} ms (with the wrappers)")
    for title, counts in (("made back", calls), ("library", library)):
        total = sum(int(c[0]) for c in counts.values())
        print(f"{title}: {total} calls")
        for name, (n, yes, cpu) in sorted(counts.items(), key=lambda kv: -kv[1][2]):
            print(f"  {name:34s} {int(n):6d} calls {int(yes):5d} yes {cpu * 1000:7.1f} ms")


if __name__ == "__main__":
    main()
