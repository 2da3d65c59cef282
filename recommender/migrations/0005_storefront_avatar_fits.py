"""Avatars fitted off the request: an avatar is recorded when its photos arrive, fitting (on the
farm: its job), and becomes ready (with its document) or failed (with the reason).

Revision ID: storefront_0005
Revises: storefront_0004
"""
import sqlalchemy as sa
from alembic import op

revision = "storefront_0005"
down_revision = "storefront_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("avatars") as table:
        table.add_column(sa.Column("state", sa.String(16), nullable=False,
                                   server_default="ready"))
        table.add_column(sa.Column("error", sa.JSON(), nullable=True))
        table.add_column(sa.Column("farm_job", sa.String(32), nullable=True))
        table.alter_column("document", existing_type=sa.JSON(), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM avatars WHERE document IS NULL")
    with op.batch_alter_table("avatars") as table:
        table.alter_column("document", existing_type=sa.JSON(), nullable=False)
        table.drop_column("farm_job")
        table.drop_column("error")
        table.drop_column("state")
