"""Regional retention periods (docs/rules.md P21) on the lake: the accounts' regions.

The Spark rules give each consumer activity the periods of the rule set of its
account's region (:func:`consentry.spark.rules.region_days`), read from the lake's
``accounts.region``. An ``accounts`` table exported before it carried the column reads
every region as none, that is the default rule set's periods, which would keep a
shortened region's content too long: under a policy whose rule sets shorten retention,
run-create, audit and sweep refuse such a lake (``region_not_in_lake``) until the next
``consentry lake export`` rewrites the table (:data:`consentry.lake.schema.ACCOUNTS_SCHEMA`).
"""

from __future__ import annotations

import json

from consentry.domain.errors import ConsentryError
from consentry.domain.policy import Policy
from consentry.lake import schema as ls
from consentry.lake.catalog import open_table


class RegionNotInLake(ConsentryError):
    """P21: the lake's ``accounts`` were exported before they carried the region, and the
    policy's rule sets shorten retention by region."""

    code = "region_not_in_lake"


def recorded_accounts_version(lake: str, run_id: str) -> int | None:
    """The ``accounts`` version a Spark run read (its ``run.json``); None when the run
    recorded none or is not there (the audit then says so itself)."""
    from consentry.spark.runs import run_dir

    path = run_dir(lake, run_id) / "run.json"
    if not path.is_file():
        return None
    version = json.loads(path.read_text()).get("versions", {}).get("accounts")
    return None if version is None else int(version)


def refuse_regionless_accounts(lake: str, policy: Policy, version: int | None = None) -> None:
    """Raise :class:`RegionNotInLake` when `policy` sets regional retention periods and
    the ``accounts`` table (at `version`; None: the current one) has no ``region``."""
    if not policy.jurisdictions.regional_retention:
        return
    state = open_table(lake, ls.ACCOUNTS.name).snapshot(version).state
    if int(state.get("schema", 1)) < ls.ACCOUNTS_SCHEMA:
        raise RegionNotInLake(
            "the policy's rule sets shorten retention by region (docs/rules.md P21), but the"
            " lake's accounts were exported before they carried their region: run"
            " `consentry lake export` once, which rewrites the table with it, then run this"
            " again"
        )


def refuse_regionless_lake(lake: str, policy: Policy, *, audited_run: str | None = None) -> None:
    """:func:`refuse_regionless_accounts` for a job command: over the current ``accounts``
    (run-create, sweep), or the version the `audited_run` read (audit)."""
    version = recorded_accounts_version(lake, audited_run) if audited_run else None
    refuse_regionless_accounts(lake, policy, version)
