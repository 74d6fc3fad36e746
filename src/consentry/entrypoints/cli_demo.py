"""`consentry demo`: seed a database with a synthetic population.

Small populations go through the service layer (every rule applies, the outbox fills,
accounts get real tokens); ``--bulk`` writes large ones straight into the tables.
Registered with ``app.command("demo")(demo)`` in the main CLI. Faker writes the texts: the
population modules are imported only when the command runs, and without the ``demo``
extra the command says which to install.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    TimeElapsedColumn,
)

from consentry.adapters.sql.engine import make_engine, upgrade
from consentry.bootstrap import App, build
from consentry.config.policy_file import load_policy
from consentry.config.settings import Settings, crypto_shredding_on
from consentry.domain.clock import TestClock, iso, parse_iso
from consentry.domain.errors import ConsentryError
from consentry.extras import require
from consentry.service import accounts as account_service

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from consentry.demo.bulk import LoadStats
    from consentry.demo.population import Mix
    from consentry.domain.policy import Policy

out = Console()
err = Console(stderr=True)


Accounts = Annotated[int, typer.Option("--accounts", min=1, help="Accounts to create.")]
Seed = Annotated[int, typer.Option("--seed", help="Random seed; same seed, same data.")]
DatabaseUrl = Annotated[
    str | None,
    typer.Option("--database-url", envvar="CONSENTRY_DATABASE_URL", help="SQLAlchemy URL."),
]
PolicyPath = Annotated[
    str | None, typer.Option("--policy", envvar="CONSENTRY_POLICY", help="TOML policy file.")
]
Bulk = Annotated[
    bool, typer.Option("--bulk", help="Write rows directly (fast; for large populations).")
]
Until = Annotated[
    str | None,
    typer.Option("--until", help="End of the simulated history (ISO; default: now)."),
]
Sessions = Annotated[float, typer.Option(help="Mean sessions per account.")]
Messages = Annotated[float, typer.Option(help="Mean messages per session.")]
ShortTexts = Annotated[
    bool, typer.Option("--short-texts", help="Short message texts (benchmarks).")
]
PendingNotices = Annotated[
    int,
    typer.Option(
        "--pending-notices",
        min=0,
        help="Existing users to import at the end with no choice yet, so the notice shows.",
    ),
]


def demo(
    accounts: Accounts = 50,
    seed: Seed = 1,
    database_url: DatabaseUrl = None,
    policy: PolicyPath = None,
    bulk: Bulk = False,
    until: Until = None,
    sessions: Sessions = 10.0,
    messages: Messages = 10.0,
    short_texts: ShortTexts = False,
    pending_notices: PendingNotices = 0,
) -> None:
    """Seed a synthetic population: sign-ups, notices, choices, chats, deletions, holds."""
    # Plans and surfaces, sign-ups before and after the deadline, imported users who defer
    # then choose (or stay blocked), opt-ins and opt-outs, chats and coding sessions with
    # sensitive values, feedback, deletions, incognito sessions and holds, from 2025-06-01
    # to `--until`.
    settings = Settings.from_env(database_url=database_url, policy_path=policy)
    try:
        require("demo", command="consentry demo")  # Faker writes the texts
        from consentry.demo.population import Mix

        loaded = load_policy(settings.policy_path)
        end = parse_iso(until) if until else datetime.now(UTC).replace(microsecond=0)
        mix = Mix(until=end, sessions=sessions, messages=messages)
        if mix.until - mix.start < timedelta(days=2):
            raise typer.BadParameter("--until must be at least two days after 2025-06-01")
        population = _Population(accounts, seed, mix, loaded, short_texts)
        if bulk:
            _load_in_bulk(settings, population)
        else:
            _seed_through_the_service(settings, population, pending_notices)
    except ConsentryError as error:
        err.print(
            f"[bold red]error[/] [red]{error.code}[/]: {escape(error.message)}", soft_wrap=True
        )
        raise typer.Exit(2) from error


@dataclass(frozen=True)
class _Population:
    """What to seed: how many accounts, from which seed, over which history and policy."""

    accounts: int
    seed: int
    mix: Mix
    policy: Policy
    short_texts: bool


def _columns() -> tuple[ProgressColumn, ...]:
    return (*Progress.get_default_columns(), MofNCompleteColumn(), TimeElapsedColumn())


def _load_in_bulk(settings: Settings, population: _Population) -> None:
    """`--bulk`: rows written straight into the tables, then the totals."""
    from consentry.demo.bulk import load_population

    upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    columns = _columns()
    with Progress(*columns[:2], BarColumn(), *columns[3:], console=err) as bar:
        task = bar.add_task("bulk load (accounts)", total=population.accounts)

        def step(stats: LoadStats) -> None:
            bar.update(task, completed=stats.accounts)

        stats = load_population(
            engine,
            accounts=population.accounts,
            seed=population.seed,
            mix=population.mix,
            policy=population.policy,
            short_texts=population.short_texts,
            progress=step,
        )
    out.print(
        f"[green]loaded[/] {stats.accounts} accounts, {stats.sessions} sessions, "
        f"{stats.messages} messages, {stats.feedback} feedback, {stats.holds} holds, "
        f"{stats.events} consent events in {stats.seconds:.1f} s"
    )
    try:
        if crypto_shredding_on():
            _seal_bulk_rows(settings, engine)
    finally:
        engine.dispose()


def _seal_bulk_rows(settings: Settings, engine: Engine) -> None:
    """Issue 26: rows written straight into the tables bypass the sealing store, so with
    crypto-shredding on they are sealed afterwards as ``consentry keys encrypt-existing``
    does (resumable: a rerun of either skips what is sealed)."""
    from consentry.adapters.crypto.encrypt_existing import encrypt_existing
    from consentry.adapters.crypto.places import KeyPlaces

    vault = KeyPlaces.from_settings(settings).open_vault()
    try:
        result = encrypt_existing(engine, vault)
    finally:
        vault.engine.dispose()
    counts = ", ".join(f"{n} {what}" for what, n in result.sealed.items())
    out.print(f"[green]sealed[/] {counts or 'nothing'} under their data keys (crypto-shredding)")


def _seed_through_the_service(
    settings: Settings, population: _Population, pending_notices: int
) -> None:
    """Every account's history replayed through the service layer on a moving clock, then
    the totals and one account token of each kind to sign in with."""
    from consentry.demo.population import plan_account
    from consentry.demo.replay import replay
    from consentry.demo.texts import Pools, TextMaker

    mix, seed = population.mix, population.seed
    clock = TestClock(mix.start - timedelta(days=1))
    app = build(settings, clock=clock, policy=population.policy)
    texts = TextMaker(Pools.build(seed), short=population.short_texts)
    plans = [
        plan_account(i, seed=seed, mix=mix, policy=population.policy, texts=texts)
        for i in range(population.accounts)
    ]
    with Progress(*_columns(), console=err) as bar:
        task = bar.add_task("service layer (operations)", total=None)

        def tick(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        result = replay(app.ctx, clock, plans, progress=tick)
    live_ids = [
        o for o in result.accounts if not any(p.ordinal == o and p.deleted_at for p in plans)
    ]
    tokens = {result.accounts[o]: result.tokens[o] for o in live_ids}
    for _ in range(pending_notices):  # R5: imported with choice unset, notice pending
        creds = account_service.import_account(app.ctx, plan="free")
        tokens[creds.account_id] = creds.token
    showcase = _showcase(app, tokens)
    app.engine.dispose()
    out.print(
        f"[green]seeded[/] {len(result.accounts)} accounts, {len(result.sessions)} sessions, "
        f"{len(result.messages)} messages, {len(result.feedback)} feedback, "
        f"{len(result.holds)} holds through the service layer "
        f"({result.operations} operations, history until {iso(mix.until)})"
    )
    if pending_notices:
        out.print(f"[green]imported[/] {pending_notices} more with no choice yet (notice pending)")
    out.print("Sign in at /signin with one of these account tokens:")
    for label, account_id, plan, token in showcase:
        out.print(
            f"  {label:<40} account {account_id}  plan {plan}  token {token}",
            soft_wrap=True,  # a token cut in two is no use to copy
        )


def _showcase(app: App, tokens: dict[str, str]) -> list[tuple[str, str, str, str]]:
    """One account of each kind a visitor may want to try, labelled (issue 18): training
    on, training off, a pending notice, a commercial plan."""
    wanted = ["training on", "training off", "notice pending", "commercial plan (no choice)"]
    found: dict[str, tuple[str, str, str, str]] = {}
    for account_id, token in tokens.items():
        view = account_service.privacy_view(app.ctx, account_service.authenticate(app.ctx, token))
        if view.notice is not None:
            kind = "notice pending"
        elif view.training.value in ("on", "off"):
            kind = f"training {view.training.value}"
        else:
            kind = "commercial plan (no choice)"
        if kind not in found:
            label = kind + (" (blocked: past deadline)" if view.blocked else "")
            found[kind] = (label, account_id, view.plan.value, token)
    return [found[kind] for kind in wanted if kind in found]


if __name__ == "__main__":  # pragma: no cover - `python -m consentry.entrypoints.cli_demo`
    from consentry.entrypoints.cli_common import refuse_frozen_clock

    try:
        refuse_frozen_clock("demo")  # as `consentry demo` does (issue 17 item 6)
    except typer.Exit as refused:
        raise SystemExit(refused.exit_code) from None
    typer.run(demo)
