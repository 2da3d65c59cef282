"""Outfits: a try-on may wear garments under the one it is of (JSON, dressing order).

Revision ID: storefront_0004
Revises: storefront_0003
"""
import sqlalchemy as sa
from alembic import op

revision = "storefront_0004"
down_revision = "storefront_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("tryons", sa.Column("under", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tryons") as table:
        table.drop_column("under")
