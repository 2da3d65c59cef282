"""SQL engines as the farm's job store and the storefront's data use them: SQLite (a file, with
write-ahead logging so that readers go on while one process writes) or PostgreSQL, by URL."""
from __future__ import annotations

from sqlalchemy import MetaData, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError


def open_engine(url: str, metadata: MetaData) -> Engine:
    """An engine on ``url`` with ``metadata``'s tables made if missing."""
    sqlite = url.startswith("sqlite")
    engine = create_engine(url, connect_args={"timeout": 60} if sqlite else {})
    if sqlite:
        event.listen(engine, "connect", _write_ahead_log)
    try:
        metadata.create_all(engine)
    except DBAPIError:  # another process made them at the same moment
        metadata.create_all(engine)
    return engine


def _write_ahead_log(connection, _record) -> None:
    """WAL, synced at checkpoints rather than at every commit (a power cut may lose the last
    commits, never the database's consistency)."""
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
