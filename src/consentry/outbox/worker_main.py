"""``python -m consentry.outbox.worker_main [--once] [--database-url URL]``: the delivery
worker as its own process, the same as ``consentry deliver``."""

from __future__ import annotations

import sys

from consentry.outbox.cli import app


def main() -> None:
    app(["deliver", *sys.argv[1:]], prog_name="consentry")


if __name__ == "__main__":
    main()
