"""SQL engines as the farm's job store and the storefront's data use them: SQLite (a file, with
write-ahead logging so that readers go on while one process writes) or PostgreSQL, by URL.

Each database's tables are a line of Alembic revisions (``Schema``; the environment is
``render_farm/migrations/env.py``, each schema's revisions its own folder and version table, so
one database may hold both). A new database is made at the newest revision when it is first
opened; one made by an older tryon is refused until ``tryon db upgrade URL`` (``upgrade``)
brings it up to date in place, its data kept. A database made before migrations existed (it has
the schema's tables but no version table) counts as the schema's first revision.
"""
from __future__ import annotations

import functools
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, event, inspect
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

from neural.errors import InputError

ENVIRONMENT = Path(__file__).parent / "migrations"  # Alembic's env.py for every schema


@dataclass(frozen=True)
class Schema:
    """One database's tables: ``versions`` (the folder of its Alembic revisions), its version
    table, and ``marker_table``, a table only this schema has (how a database made before
    migrations is recognised)."""

    name: str
    versions: Path
    version_table: str
    marker_table: str


def open_engine(url: str, schema: Schema) -> Engine:
    """An engine on ``url``, its tables made at ``schema``'s newest revision if it has none;
    an older database is refused (``InputError``: upgrade it first)."""
    engine = _engine(url)
    for attempt in range(3):
        try:
            with engine.begin() as connection:
                found = revision(connection, schema)
                if found is None and not _has_tables(connection, schema):
                    _alembic(connection, schema, "upgrade", "head")
                    return engine
            break
        except DBAPIError:  # another process made them at the same moment
            time.sleep(0.2 * (attempt + 1))
    else:
        raise InputError(f"could not make the {schema.name}'s tables at {url}")
    if found != _head(schema):
        raise InputError(f"the {schema.name} at {url} was made by an older tryon (revision "
                         f"{found or 'before migrations'}): run `tryon db upgrade {url}`")
    return engine


def upgrade(url: str, schema: Schema) -> tuple[str | None, str]:
    """Bring the database at ``url`` to ``schema``'s newest revision in place; returns the
    revision it was at (None: made before migrations) and the one it is at now."""
    with _engine(url).begin() as connection:
        before = revision(connection, schema)
        if before is None and _has_tables(connection, schema):
            first = _script(schema).get_base()
            _alembic(connection, schema, "stamp", first)
            before = None
        _alembic(connection, schema, "upgrade", "head")
        return before, revision(connection, schema)


def holds(url: str, schema: Schema) -> bool:
    """Whether the database at ``url`` holds ``schema``'s tables (a SQLite file that is not
    there holds nothing, and is not made)."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and not Path(parsed.database or "").is_file():
        return False
    with _engine(url).connect() as connection:
        return revision(connection, schema) is not None or _has_tables(connection, schema)


def revision(connection: Connection, schema: Schema) -> str | None:
    """The database's revision of ``schema`` (None: no version table)."""
    from alembic.migration import MigrationContext

    context = MigrationContext.configure(connection, opts={"version_table": schema.version_table})
    return context.get_current_revision()


def _has_tables(connection: Connection, schema: Schema) -> bool:
    return inspect(connection).has_table(schema.marker_table)


def _config(schema: Schema, connection: Connection | None = None):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(ENVIRONMENT))
    config.set_main_option("path_separator", "os")  # a path with spaces stays one path
    config.set_main_option("version_locations", str(schema.versions))
    config.attributes["connection"] = connection
    config.attributes["version_table"] = schema.version_table
    return config


@functools.lru_cache(maxsize=None)
def _head(schema: Schema) -> str:
    """The schema's newest revision (read from its revision files once per process)."""
    return _script(schema).get_current_head()


def _script(schema: Schema):
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_config(schema))


def _alembic(connection: Connection, schema: Schema, verb: str, target: str) -> None:
    from alembic import command

    getattr(command, verb)(_config(schema, connection), target)


def _engine(url: str) -> Engine:
    sqlite = url.startswith("sqlite")
    engine = create_engine(url, connect_args={"timeout": 60} if sqlite else {})
    if sqlite:
        event.listen(engine, "connect", _write_ahead_log)
    return engine


def _write_ahead_log(connection, _record) -> None:
    """WAL, synced at checkpoints rather than at every commit (a power cut may lose the last
    commits, never the database's consistency)."""
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
