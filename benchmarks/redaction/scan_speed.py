"""CPU per pass of the compiled scan over the labelled corpus, for A/B runs across trees.

    PYTHONPATH=<tree>/src:<tree> .venv/bin/python -m benchmarks.redaction.scan_speed --passes 5

``native.build(DEFAULT_DETECTORS).candidates`` on every record, one warm-up pass, then
the median of ``--passes`` passes in process CPU time (corpus building not counted).
Run it alternately with two trees' ``PYTHONPATH`` (a copy at the commit before a change,
with ``_native`` built the same way, and the checkout) to compare them on the same load.
"""

from __future__ import annotations

import argparse
import time

from consentry.redaction import native
from consentry.redaction.engine import DEFAULT_DETECTORS

from .corpus import build_corpus


def main() -> None:
    """Print the median CPU per pass and MB/s."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--passes", type=int, default=5)
    parser.add_argument("--records", type=int, default=3000)
    args = parser.parse_args()
    datas = [r.text.encode("utf-8", "surrogatepass") for r in build_corpus(args.records)]
    scan = native.build(DEFAULT_DETECTORS)
    if scan is None:
        raise SystemExit("the compiled scan is not built")
    for d in datas:
        scan.candidates(d)
    times = []
    for _ in range(args.passes):
        start = time.process_time()
        for d in datas:
            scan.candidates(d)
        times.append(time.process_time() - start)
    median = sorted(times)[len(times) // 2]
    size = sum(map(len, datas)) / 1e6
    print(f"{median * 1000:.1f} ms {size / median:.1f} MB/s")


if __name__ == "__main__":
    main()
