"""Alembic's environment for tryon's databases: ``render_farm.sql`` passes the connection and
the schema's version table (one database may hold the job store and the storefront)."""
from alembic import context

context.configure(connection=context.config.attributes["connection"],
                  version_table=context.config.attributes["version_table"])
with context.begin_transaction():
    context.run_migrations()
