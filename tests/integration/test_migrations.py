"""The Alembic migrations build exactly the schema `tables.py` declares, on both stores."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from consentry.adapters.sql.tables import metadata


@pytest.mark.parametrize("store", ["sqlite", "postgres"])
def test_migrated_schema_matches_the_declared_tables(
    store: str, sqlite_template: Path, request: pytest.FixtureRequest
) -> None:
    url = f"sqlite:///{sqlite_template}" if store == "sqlite" else request.getfixturevalue("pg_url")
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), metadata)
    finally:
        engine.dispose()
    assert diff == [], diff
