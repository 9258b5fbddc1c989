"""buyer inquiries

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import splitship.adapters.db.types

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    utc = splitship.adapters.db.types.UtcDateTime
    op.create_table(
        "inquiries",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("shop_id", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("package_id", sa.String(length=64), nullable=True),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("opened_at", utc(timezone=True), nullable=False),
        sa.Column("reply_by", utc(timezone=True), nullable=True),
        sa.Column("updated_at", utc(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("messages", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_inquiries_order_id_orders")
        ),
        sa.ForeignKeyConstraint(["shop_id"], ["shops.id"], name=op.f("fk_inquiries_shop_id_shops")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inquiries")),
    )
    with op.batch_alter_table("inquiries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inquiries_order_id"), ["order_id"], unique=False)
        batch_op.create_index(
            "ix_inquiries_shop_status_reply_by", ["shop_id", "status", "reply_by"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("inquiries", schema=None) as batch_op:
        batch_op.drop_index("ix_inquiries_shop_status_reply_by")
        batch_op.drop_index(batch_op.f("ix_inquiries_order_id"))
    op.drop_table("inquiries")
