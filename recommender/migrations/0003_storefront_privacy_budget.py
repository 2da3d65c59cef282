"""Privacy budgets: how much epsilon each storefront's size insights have spent.

Revision ID: storefront_0003
Revises: storefront_0002
"""
import sqlalchemy as sa
from alembic import op

revision = "storefront_0003"
down_revision = "storefront_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("privacy_spent",
        sa.Column("storefront_id", sa.String(length=32), nullable=False),
        sa.Column("spent", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("storefront_id")
    )


def downgrade() -> None:
    op.drop_table("privacy_spent")
