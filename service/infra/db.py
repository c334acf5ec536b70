"""Engines, sessions and migrations. One session per request and per task; domain code never commits."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import Pool

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")
CONNECT_TIMEOUT_SECONDS = 3
"""PostgreSQL connection attempts give up after this (libpq's own minimum is 2 s)."""


def make_engine(url: str, poolclass: type[Pool] | None = None, autocommit: bool = False) -> Engine:
    """An engine for ``url``; SQLite gets WAL, foreign keys and a busy timeout (web and worker share it).

    ``poolclass`` replaces the default pool (the worker's sweeper uses NullPool: it holds no connection
    between its passes). ``autocommit`` gives an engine whose connections run each statement in its own
    transaction, set once when a connection opens rather than on every checkout and return (what
    ``execution_options(isolation_level="AUTOCOMMIT")`` on a shared pool would cost each time).
    """
    options: dict = {"poolclass": poolclass} if poolclass is not None else {}
    if autocommit:
        options["isolation_level"] = "AUTOCOMMIT"
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        # No pre-ping: it costs a round trip on every checkout (as much as the INSERT of a comment). A
        # connection that died with the server fails its first statement instead; SQLAlchemy then
        # invalidates every pooled connection of that age, so after an outage one request per process
        # gets a 503 (with Retry-After) and the next ones reconnect. The connect timeout keeps a server
        # that does not answer at all from holding requests for the operating system's minutes.
        connect_args = {"connect_timeout": CONNECT_TIMEOUT_SECONDS} if parsed.get_backend_name() == "postgresql" else {}
        return create_engine(url, connect_args=connect_args, **options)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **options)

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(connection, _record) -> None:  # pragma: no cover - trivial
        cursor = connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    return engine


def make_sessions(engine: Engine) -> sessionmaker[Session]:
    """A session factory; objects stay readable after commit (views serialise them after committing)."""
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def session_scope(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """A session for one unit of work: committed on success, rolled back on error, always closed."""
    session = sessions()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def alembic_config(url: str) -> Config:
    """Alembic configuration for ``url``, with the migrations shipped in this package."""
    # Alembic is imported only to migrate: every command and process that opens a session imports this
    # module, and Alembic alone takes a quarter of a second to load.
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str) -> None:
    """Apply every migration (`moderation db upgrade`)."""
    from alembic import command

    if make_url(url).get_backend_name() == "sqlite":
        make_engine(url).dispose()  # creates the folder of the database file
    command.upgrade(alembic_config(url), "head")
