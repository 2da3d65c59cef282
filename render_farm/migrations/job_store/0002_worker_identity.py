"""Workers carry their host, their process's identity and when they stopped cleanly (a worker
restarted under its own name takes over from a process that is gone: 7dd9fe9). Stores made by
create_all after that commit already have the columns; only the missing ones are added.

Revision ID: job_store_0002
Revises: job_store_0001
"""
import sqlalchemy as sa
from alembic import op

revision = "job_store_0002"
down_revision = "job_store_0001"
branch_labels = None
depends_on = None

COLUMNS = (
    sa.Column("host", sa.String(length=200), nullable=False, server_default=""),
    sa.Column("process", sa.String(length=40), nullable=False, server_default=""),
    sa.Column("stopped_at", sa.Float(), nullable=True),
)


def upgrade() -> None:
    present = {column["name"] for column in sa.inspect(op.get_bind()).get_columns("workers")}
    for column in COLUMNS:
        if column.name not in present:
            op.add_column("workers", column)


def downgrade() -> None:
    with op.batch_alter_table("workers") as table:
        for column in reversed(COLUMNS):
            table.drop_column(column.name)
