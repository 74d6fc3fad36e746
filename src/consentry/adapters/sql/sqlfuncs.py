"""Portable SQL helpers: LEAST/GREATEST on PostgreSQL, scalar MIN/MAX on SQLite."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import GenericFunction

from consentry.adapters.sql.tables import UTCDateTime


class least(GenericFunction[Any]):
    type = UTCDateTime()
    inherit_cache = True


class greatest(GenericFunction[Any]):
    type = UTCDateTime()
    inherit_cache = True


@compiles(least, "sqlite")
def _least_sqlite(element: least, compiler: SQLCompiler, **kw: Any) -> str:
    return f"min({compiler.process(element.clauses, **kw)})"


@compiles(greatest, "sqlite")
def _greatest_sqlite(element: greatest, compiler: SQLCompiler, **kw: Any) -> str:
    return f"max({compiler.process(element.clauses, **kw)})"
