"""`consentry demo` seeds a living system through the service layer, or in bulk."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import typer
from sqlalchemy import create_engine, func, select
from typer.testing import CliRunner

from consentry.adapters.sql import tables as t
from consentry.entrypoints.cli_demo import demo


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command()(demo)
    return app


def _count(url: str, table: t.Table) -> int:
    engine = create_engine(url)
    with engine.connect() as conn:
        n = int(conn.execute(select(func.count()).select_from(table)).scalar_one())
    engine.dispose()
    return n


def test_demo_seeds_accounts_through_the_service_layer(
    tmp_path: Path, sqlite_template: Path
) -> None:
    path = tmp_path / "demo.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    result = CliRunner().invoke(
        _app(),
        [
            "--accounts",
            "6",
            "--seed",
            "3",
            "--database-url",
            url,
            "--until",
            "2025-11-30T00:00:00Z",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "seeded 6 accounts" in result.output
    assert _count(url, t.accounts) == 6
    assert _count(url, t.outbox) > 0  # live traffic notifies, unlike the bulk path


def test_demo_bulk_is_deterministic(tmp_path: Path, sqlite_template: Path) -> None:
    urls = []
    for name in ("a.db", "b.db"):
        shutil.copy(sqlite_template, tmp_path / name)
        urls.append(f"sqlite:///{tmp_path / name}")
        args = ["--accounts", "20", "--seed", "9", "--bulk", "--database-url", urls[-1]]
        result = CliRunner().invoke(_app(), [*args, "--until", "2025-11-30T00:00:00Z"])
        assert result.exit_code == 0, result.output
    engines = [create_engine(u) for u in urls]
    dumps = []
    for engine in engines:
        with engine.connect() as conn:
            dumps.append(
                [
                    conn.execute(select(table).order_by(*table.primary_key.columns)).all()
                    for table in (t.accounts, t.consent_events, t.sessions, t.messages)
                ]
            )
        engine.dispose()
    assert dumps[0] == dumps[1]
    assert len(dumps[0][2]) > 20


def test_demo_bulk_seals_its_rows_when_crypto_shredding_is_on(
    tmp_path: Path, sqlite_template: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 26 (R17): bulk rows skip the sealing store; with shredding on they are sealed
    before the command ends, so no message text or comment is left in clear. Before, the
    bulk path left every text in clear while the service path sealed it."""
    monkeypatch.setenv("CONSENTRY_CRYPTO_SHREDDING", "1")
    shutil.copy(sqlite_template, tmp_path / "s.db")
    url = f"sqlite:///{tmp_path / 's.db'}"
    args = ["--accounts", "12", "--seed", "4", "--bulk", "--database-url", url]
    result = CliRunner().invoke(_app(), [*args, "--until", "2025-11-30T00:00:00Z"])
    assert result.exit_code == 0, result.output
    assert "sealed" in result.output
    engine = create_engine(url)
    with engine.connect() as conn:
        texts = conn.execute(select(t.messages.c.content)).scalars().all()
        comments = conn.execute(select(t.feedback.c.comment)).scalars().all()
    engine.dispose()
    assert len(texts) > 20
    assert all(x.startswith("enc:v1:") for x in texts)
    assert all(c is None or c.startswith("enc:v1:") for c in comments)


def test_demo_labels_the_tokens_it_prints_and_shows_a_pending_notice(
    tmp_path: Path, sqlite_template: Path
) -> None:
    """Issue 18: each printed token says which account, plan and choice it is, and one of
    them has a pending notice so a visitor sees the notice."""
    path = tmp_path / "demo.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    args = ["--accounts", "6", "--seed", "3", "--database-url", url, "--pending-notices", "2"]
    result = CliRunner().invoke(_app(), [*args, "--until", "2025-09-15T00:00:00Z"])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if " token " in line]
    assert any(line.strip().startswith("notice pending") for line in lines), result.output
    assert all(" plan " in line and " account acc_" in line for line in lines)
    assert len({line.split(" token ")[1] for line in lines}) == len(lines)
    assert "imported 2 more with no choice yet" in result.output
    assert _count(url, t.accounts) == 8
