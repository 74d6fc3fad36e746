"""Engines for SQLite (default) and PostgreSQL, and schema upgrades through Alembic."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from alembic import command
from alembic.config import Config
from sqlalchemy import (
    Connection,
    CursorResult,
    Engine,
    RootTransaction,
    create_engine,
    event,
    make_url,
)
from sqlalchemy.engine import Dialect, ExceptionContext
from sqlalchemy.sql.dml import UpdateBase

from consentry.adapters.files import PRIVATE_FILE, create_private, restrict
from consentry.config.settings import DEFAULT_DATABASE_URL

MIGRATIONS = Path(__file__).parent / "migrations"
SQLITE_SYNCHRONOUS = ("FULL", "NORMAL")


def make_engine(
    url: str = DEFAULT_DATABASE_URL,
    *,
    statement_timeout_ms: int = 0,
    lock_timeout_ms: int = 0,
    sqlite_synchronous: str = "FULL",
    **kwargs: Any,
) -> Engine:
    """SQLite gets WAL, foreign keys and a busy timeout; PostgreSQL a pre-pinged pool.

    Every engine hides SQL parameters from its errors and logs (`hide_parameters`): they
    carry message content, secrets and token hashes. On PostgreSQL, errors also lose the
    server's DETAIL line ("Failing row contains (…)", "Key (…)=(…)"), which quotes row
    values (:func:`_scrub_postgres_errors`). `statement_timeout_ms` and `lock_timeout_ms`
    (0: none) become the PostgreSQL session defaults of every pooled connection, so one
    stuck transaction cannot hang the work that waits behind it; SQLite ignores them.

    SQLite syncs the WAL at every commit (`synchronous=FULL`): with NORMAL, a power loss
    could drop the last committed transactions, consent events among them (R27). An
    operator with a battery-backed disk may choose NORMAL (`sqlite_synchronous`).
    """
    if sqlite_synchronous not in SQLITE_SYNCHRONOUS:
        raise ValueError(f"sqlite_synchronous must be one of {', '.join(SQLITE_SYNCHRONOUS)}")
    kwargs.setdefault("hide_parameters", True)
    if url.startswith("sqlite"):
        return _sqlite_engine(url, sqlite_synchronous, **kwargs)
    return _postgres_engine(url, statement_timeout_ms, lock_timeout_ms, **kwargs)


def _sqlite_engine(url: str, synchronous: str, **kwargs: Any) -> Engine:
    """A private file, WAL with a long checkpoint interval, foreign keys, the chosen
    `synchronous`, and writers that take the lock when they begin."""
    private_sqlite_files(url)
    if ":memory:" not in url and url.rstrip("/") not in ("sqlite:", "sqlite+pysqlite:"):
        # Readers no longer queue (uow.py), so up to a thread pool's worth (40) of
        # them run at once: past the default 5 + 10, connections were opened (PRAGMAs,
        # WAL) and closed per request (issue 22).
        kwargs.setdefault("pool_size", 20)
        kwargs.setdefault("max_overflow", 30)
    engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, **kwargs)

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy issue BEGIN itself so writes take the lock up front.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if ":memory:" not in url:
            cursor.execute("PRAGMA journal_mode=WAL")
            # Checkpoint (and fsync) every ~40 MiB of WAL rather than every 4 MiB:
            # a sweep commits one bounded batch at a time, and checkpointing after
            # each one made fsync, not the purge, most of its cost (docs/bench/scale.md).
            cursor.execute("PRAGMA wal_autocheckpoint=10000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.close()

    engine._connection_cls = _SqliteConnection  # BEGIN IMMEDIATE, see below
    return engine


class _SqliteConnection(Connection):
    """A SQLite connection whose transactions begin IMMEDIATE: they take the write lock
    up front, so a writer never fails to upgrade a read lock. A reader
    (``READ_ONLY_OPTION``) begins deferred: in WAL it reads one snapshot without the
    write lock, so it never queues behind a writer's fsync.

    The BEGIN is issued here, in ``begin()`` (explicit or SQLAlchemy's autobegin), and
    not by a ``begin`` event listener: any engine-level listener makes SQLAlchemy
    dispatch four (empty) events around every statement, ~8 µs each time (issue 22)."""

    def begin(self) -> RootTransaction:
        transaction = super().begin()
        options = self.get_execution_options()
        if options.get(SINGLE_READ_OPTION, False):
            return transaction  # no BEGIN: one statement reads one snapshot by itself
        deferred = options.get(READ_ONLY_OPTION, False)
        try:
            self.exec_driver_sql("BEGIN" if deferred else "BEGIN IMMEDIATE")
        except BaseException:
            transaction.rollback()
            raise
        return transaction


def _postgres_engine(
    url: str, statement_timeout_ms: int, lock_timeout_ms: int, **kwargs: Any
) -> Engine:
    """A pre-pinged pool whose connections carry the timeouts, with errors scrubbed."""
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    options = _timeout_options(url, statement_timeout_ms, lock_timeout_ms)
    if options:
        kwargs["connect_args"] = {**kwargs.get("connect_args", {}), "options": options}
    engine = create_engine(url, **kwargs)
    event.listen(engine, "handle_error", _scrub_postgres_errors)
    return engine


READ_ONLY_OPTION = "consentry_read_only"
"""Connection execution option: this transaction promises not to write (SQLite: BEGIN)."""

SINGLE_READ_OPTION = "consentry_single_read"
"""Connection execution option: the unit of work runs one read statement, so it opens no
transaction of its own (SQLite: no BEGIN; the statement is its own snapshot)."""


_Processor = Callable[[Any], Any] | None


class DriverStatement:
    """A prebuilt INSERT or UPDATE sent as its compiled text (issue 22: the append, then
    session create and choice change).

    ``Connection.execute`` of a prebuilt statement still pays, per call, the compiled
    cache's look-up, an execution context that builds the parameters, and a result that
    reads its compiled metadata: ~20 µs on SQLite. This compiles the statement once per
    dialect, applies the bind processors SQLAlchemy would (``UTCDateTime``, booleans) in
    the dialect's order, and sends the text with ``exec_driver_sql``: the same SQL and
    the same values reach the driver, while the connection's events (tracing's spans),
    its transaction and its wrapping of driver errors (``OperationalError`` answering
    503 ``busy``, PostgreSQL's scrubbed messages) stay SQLAlchemy's.

    Not for a SELECT: ``exec_driver_sql`` builds the result's metadata from the cursor
    on every call, where ``Connection.execute`` of a prebuilt SELECT reuses its cached
    metadata; the ledger head's lock measured 14.2 µs this way against 12.9 µs prebuilt
    (SQLite, in process).
    """

    def __init__(self, statement: UpdateBase, keys: tuple[str, ...] | None = None) -> None:
        """`keys`: the columns an INSERT is given (its VALUES); None for a statement
        whose values are all bound parameters (``bindparam``)."""
        self._statement = statement
        self._keys = list(keys) if keys is not None else None
        self._compiled: WeakKeyDictionary[Dialect, _Compiled] = WeakKeyDictionary()

    def _for(self, dialect: Dialect) -> _Compiled:
        compiled = self._compiled.get(dialect)
        if compiled is None:
            compiled = self._compiled[dialect] = _Compiled(self._statement, self._keys, dialect)
        return compiled

    def execute(self, conn: Connection, params: Mapping[str, Any]) -> CursorResult[Any]:
        compiled = self._for(conn.dialect)
        return conn.exec_driver_sql(compiled.sql, compiled.parameters(params))

    def insert(self, conn: Connection, params: Mapping[str, Any]) -> int:
        """Run an INSERT of one row and return its new integer primary key (RETURNING
        where the dialect compiles one, as PostgreSQL does; else the cursor's lastrowid)."""
        compiled = self._for(conn.dialect)
        result = conn.exec_driver_sql(compiled.sql, compiled.parameters(params))
        return int(result.scalar_one() if compiled.returning else result.lastrowid)


class _Compiled:
    """One statement's text, parameter order and bind processors for one dialect."""

    def __init__(self, statement: UpdateBase, keys: list[str] | None, dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect, column_keys=keys)
        if (
            compiled.insert_prefetch
            or compiled.update_prefetch
            or compiled.literal_execute_params
            or compiled.post_compile_params
            or compiled.escaped_bind_names
        ):
            raise ValueError("a DriverStatement takes no Python-side defaults or expanding binds")
        self.sql = compiled.string
        self.returning = bool(compiled.effective_returning)
        processors: Mapping[str, Any] = compiled._bind_processors
        self.positional = compiled.positional
        names = compiled.positiontup if compiled.positional else list(compiled.bind_names.values())
        assert names is not None
        self.order: tuple[tuple[str, _Processor], ...] = tuple(
            (name, processors.get(name)) for name in names
        )

    def parameters(self, params: Mapping[str, Any]) -> Any:
        if self.positional:
            return tuple(p(params[k]) if p else params[k] for k, p in self.order)
        return {k: p(params[k]) if p else params[k] for k, p in self.order}


def private_sqlite_files(url: str) -> None:
    """Create the SQLite database file 0600 before SQLite does (issue 17 item 5), and take
    group and other permissions off an existing one and its WAL, SHM and journal files.

    SQLite creates the WAL, SHM and journal with the database file's permissions, so they
    are born private too. In-memory and URI databases are left alone.
    """
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    if not path.parent.exists():
        return  # SQLite will say that it cannot open the file
    create_private(path)
    for suffix in ("-wal", "-shm", "-journal"):
        restrict(path.with_name(path.name + suffix), PRIVATE_FILE)


def _timeout_options(url: str, statement_timeout_ms: int, lock_timeout_ms: int) -> str:
    """libpq `options` setting the timeouts at connection start, after any in the URL.

    Set at start rather than with SET, so `RESET lock_timeout` (the run barrier's) returns
    to these values and not to the server's default.
    """
    given = make_url(url).query.get("options")
    parts = [given] if isinstance(given, str) and given else []
    if statement_timeout_ms > 0:
        parts.append(f"-c statement_timeout={int(statement_timeout_ms)}")
    if lock_timeout_ms > 0:
        parts.append(f"-c lock_timeout={int(lock_timeout_ms)}")
    return " ".join(parts)


def _scrub_postgres_errors(context: ExceptionContext) -> None:
    """Cut a PostgreSQL error down to its primary message: the DETAIL line (and, for data
    exceptions, the primary message too) quotes the values of the failing row.

    The driver's exception keeps its `sqlstate` and `diag` for code that inspects them;
    only its text, which every log line and traceback prints, loses the values.
    """
    orig = context.original_exception
    diag = getattr(orig, "diag", None)
    sqlstate = getattr(orig, "sqlstate", None)
    if diag is None or not isinstance(sqlstate, str):
        return
    primary = diag.message_primary or "database error"
    if sqlstate.startswith("22"):
        # Data exceptions name the value they could not take ('invalid input syntax
        # for type …: "<value>"').
        primary = "data exception"
    scrubbed = f"{primary} (sqlstate {sqlstate})"
    orig.args = (scrubbed,)
    wrapped = context.sqlalchemy_exception
    if wrapped is not None:
        # SQLAlchemy copied the driver's text into its own message when it wrapped it.
        kind = type(orig)
        wrapped.args = (f"({kind.__module__}.{kind.__qualname__}) {scrubbed}",)


def refresh_statistics(engine: Engine) -> None:
    """Give the query planner fresh table statistics (ANALYZE).

    Without them SQLite drives run creation from the `first_covered_at` index into random
    session lookups: 3.5x the CPU at 1M sessions (docs/bench/scale.md). `analysis_limit`
    samples each index, so this takes milliseconds at any size. PostgreSQL's autovacuum
    keeps its own statistics; an explicit ANALYZE only helps right after a bulk load.
    """
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA analysis_limit=1000")
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
    elif engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE")


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at `url` to `revision` (idempotent)."""
    if url.startswith("sqlite"):
        private_sqlite_files(url)
    command.upgrade(alembic_config(url), revision)


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()
