"""The storefront's tables as main made them at 0b0ff29 (storefronts, API keys and their
origins, avatars, events, served recommendations, try-ons), before migrations.

Revision ID: storefront_0001
Revises: None
"""
import sqlalchemy as sa
from alembic import op

revision = "storefront_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("storefront_id", sa.String(length=32), nullable=False),
        sa.Column("shopper", sa.String(length=64), nullable=False),
        sa.Column("item", sa.String(length=100), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("avatar_id", sa.String(length=32), nullable=True),
        sa.Column("context", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id")
    )
    op.create_index(op.f("ix_events_avatar_id"), "events", ["avatar_id"], unique=False)
    op.create_index(op.f("ix_events_shopper"), "events", ["shopper"], unique=False)
    op.create_index(op.f("ix_events_storefront_id"), "events", ["storefront_id"], unique=False)
    op.create_table("served",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("storefront_id", sa.String(length=32), nullable=False),
        sa.Column("shopper", sa.String(length=64), nullable=False),
        sa.Column("avatar_id", sa.String(length=32), nullable=True),
        sa.Column("policy", sa.String(length=100), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id")
    )
    op.create_index(op.f("ix_served_avatar_id"), "served", ["avatar_id"], unique=False)
    op.create_index(op.f("ix_served_storefront_id"), "served", ["storefront_id"], unique=False)
    op.create_table("storefronts",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name")
    )
    op.create_table("tryons",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("storefront_id", sa.String(length=32), nullable=False),
        sa.Column("avatar_id", sa.String(length=32), nullable=False),
        sa.Column("item", sa.String(length=100), nullable=False),
        sa.Column("size", sa.String(length=20), nullable=False),
        sa.Column("advised", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("farm_job", sa.String(length=32), nullable=True),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("fit_score", sa.Float(), nullable=True),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id")
    )
    op.create_index(op.f("ix_tryons_avatar_id"), "tryons", ["avatar_id"], unique=False)
    op.create_index(op.f("ix_tryons_storefront_id"), "tryons", ["storefront_id"], unique=False)
    op.create_table("api_keys",
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("storefront_id", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["storefront_id"], ["storefronts.id"], ),
        sa.PrimaryKeyConstraint("digest")
    )
    op.create_table("avatars",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("storefront_id", sa.String(length=32), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["storefront_id"], ["storefronts.id"], ),
        sa.PrimaryKeyConstraint("id")
    )
    op.create_index(op.f("ix_avatars_storefront_id"), "avatars", ["storefront_id"], unique=False)
    op.create_table("key_origins",
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("origin", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["digest"], ["api_keys.digest"], ),
        sa.PrimaryKeyConstraint("digest", "origin")
    )


def downgrade() -> None:
    op.drop_table("key_origins")
    op.drop_table("avatars")
    op.drop_table("api_keys")
    op.drop_table("tryons")
    op.drop_table("storefronts")
    op.drop_table("served")
    op.drop_table("events")
