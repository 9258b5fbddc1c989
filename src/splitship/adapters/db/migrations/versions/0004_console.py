"""console: seller users and their sessions

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import splitship.adapters.db.types

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    utc = splitship.adapters.db.types.UtcDateTime
    op.create_table(
        "seller_users",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("shop_id", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("password_hash", sa.String(length=256), nullable=False),
        sa.Column("created_at", utc(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["shop_id"], ["shops.id"], name=op.f("fk_seller_users_shop_id_shops")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_seller_users")),
        sa.UniqueConstraint("email", name=op.f("uq_seller_users_email")),
    )
    with op.batch_alter_table("seller_users", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_seller_users_shop_id"), ["shop_id"], unique=False)
    op.create_table(
        "console_sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("shop_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", utc(timezone=True), nullable=False),
        sa.Column("expires_at", utc(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["seller_users.id"], name=op.f("fk_console_sessions_user_id_seller_users")
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_console_sessions")),
    )
    with op.batch_alter_table("console_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_console_sessions_user_id"), ["user_id"], unique=False)
        batch_op.create_index("ix_console_sessions_expires_at", ["expires_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("console_sessions", schema=None) as batch_op:
        batch_op.drop_index("ix_console_sessions_expires_at")
        batch_op.drop_index(batch_op.f("ix_console_sessions_user_id"))
    op.drop_table("console_sessions")
    with op.batch_alter_table("seller_users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_seller_users_shop_id"))
    op.drop_table("seller_users")
