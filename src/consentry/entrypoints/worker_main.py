"""``python -m consentry.entrypoints.worker_main [--once] [--database-url URL]``: the
delivery worker as its own process, the same as ``consentry deliver``."""

from __future__ import annotations

import sys

import typer

from consentry.entrypoints.cli_common import private_umask, refuse_frozen_clock
from consentry.entrypoints.cli_outbox import app


def main() -> None:
    private_umask()
    try:
        refuse_frozen_clock("deliver")  # as `consentry deliver` does (issue 17 item 6)
    except typer.Exit as refused:
        sys.exit(refused.exit_code)
    app(["deliver", *sys.argv[1:]], prog_name="consentry")


if __name__ == "__main__":
    main()
