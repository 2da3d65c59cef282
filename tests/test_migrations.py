"""The SQL databases' migrations (Alembic): a job store and a storefront database made by main
at 0b0ff29, before migrations, are refused until ``tryon db upgrade`` brings them up to date in
place, their data kept, on SQLite and on PostgreSQL; the newest revisions make exactly the
tables the code's models describe."""
import pytest
from sqlalchemy import create_engine, text

from neural.errors import InputError
from recommender.storefront_data import SCHEMA as STOREFRONT
from recommender.storefront_data import StorefrontData
from render_farm.cli import main
from render_farm.sql import _alembic, _script, open_engine
from render_farm.store import SCHEMA as JOB_STORE
from render_farm.store import JobStore


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    if request.param == "postgresql":
        return request.getfixturevalue("postgres").new_database()
    return f"sqlite:///{tmp_path / 'tryon.db'}"


def _made_at_0b0ff29(url: str) -> None:
    """Both schemas' tables as 0b0ff29's create_all made them (their first revisions, no
    version tables), holding a job with a task, a worker, and a storefront with a key."""
    with create_engine(url).begin() as connection:
        for schema in (JOB_STORE, STOREFRONT):
            _alembic(connection, schema, "upgrade", _script(schema).get_base())
            connection.execute(text(f"DROP TABLE {schema.version_table}"))
        connection.execute(text(
            "INSERT INTO jobs (id, name, out_dir, priority, state, created_at) "
            "VALUES ('j1', 'lookbook', '/out', 0, 'active', 1.0)"))
        connection.execute(text(
            "INSERT INTO tasks (job_id, key, \"order\", stage, label, queue, spec, state, tries, "
            "progress) VALUES ('j1', 'g1', 0, 'garment', 'tee M', 'cpu', '{}', 'ready', 0, 0)"))
        connection.execute(text("INSERT INTO workers (name, queues, last_heartbeat) "
                                "VALUES ('w1', 'cpu', 1.0)"))
        connection.execute(text("INSERT INTO storefronts (id, name, created_at) "
                                "VALUES ('s1', 'shop', 1.0)"))


def test_databases_from_0b0ff29_upgrade_in_place_and_keep_their_data(url, capsys):
    _made_at_0b0ff29(url)
    with pytest.raises(InputError, match="made by an older tryon .*tryon db upgrade"):
        JobStore(url)
    with pytest.raises(InputError, match="made by an older tryon"):
        StorefrontData(url, b"k" * 32)
    assert main(["db", "upgrade", url]) == 0
    out = capsys.readouterr().out
    assert "job store at" in out and "made before migrations -> job_store_0002" in out
    assert "storefront at" in out and "made before migrations -> storefront_0005" in out
    store = JobStore(url)
    job = store.status("j1")["jobs"][0]
    assert job["name"] == "lookbook" and [t["key"] for t in job["tasks"]] == ["g1"]
    assert store.worker_seen("w1").host == ""  # the column added, the row kept
    assert StorefrontData(url, b"k" * 32).storefront_named("shop") is not None
    assert main(["db", "upgrade", url]) == 0  # again: nothing to do
    assert "already at job_store_0002" in capsys.readouterr().out


def test_a_url_without_a_tryon_database_is_refused_in_one_line(tmp_path, capsys):
    missing = f"sqlite:///{tmp_path / 'none.db'}"
    assert main(["db", "upgrade", missing]) == 2
    assert capsys.readouterr().err.startswith(f"tryon: error: {missing} holds no tryon database")
    assert not (tmp_path / "none.db").exists()


@pytest.mark.parametrize("schema, models", [(JOB_STORE, "render_farm.store"),
                                            (STOREFRONT, "recommender.storefront_data")])
def test_the_newest_revision_makes_the_tables_the_models_describe(tmp_path, schema, models):
    import importlib

    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    engine = open_engine(f"sqlite:///{tmp_path / 'new.db'}", schema)
    metadata = importlib.import_module(models)._Base.metadata
    with engine.connect() as connection:
        context = MigrationContext.configure(connection)
        differences = [d for d in compare_metadata(context, metadata)
                       if not (d[0] == "remove_table" and d[1].name == schema.version_table)]
    assert differences == []
