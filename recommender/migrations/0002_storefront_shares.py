"""Share links: a try-on shown to anyone with its link until the link expires or is revoked
(only a keyed hash of each link is kept).

Revision ID: storefront_0002
Revises: storefront_0001
"""
import sqlalchemy as sa
from alembic import op

revision = "storefront_0002"
down_revision = "storefront_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("shares",
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("storefront_id", sa.String(length=32), nullable=False),
        sa.Column("tryon_id", sa.String(length=32), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("digest")
    )
    op.create_index(op.f("ix_shares_storefront_id"), "shares", ["storefront_id"], unique=False)
    op.create_index(op.f("ix_shares_tryon_id"), "shares", ["tryon_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_shares_tryon_id"), table_name="shares")
    op.drop_index(op.f("ix_shares_storefront_id"), table_name="shares")
    op.drop_table("shares")
