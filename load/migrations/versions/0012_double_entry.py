"""books.double_entry and keyings: handwritten records keyed twice, blind, and compared

A book that requires double entry has each keyed record keyed by two people who do not see
each other's values; the first keying waits in ``keyings`` until the second agrees with it.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("books", schema=None) as batch_op:
        batch_op.add_column(sa.Column("double_entry", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_table(
        "keyings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("record_id", sa.String(length=64), nullable=False),
        sa.Column("user_name", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("illegible", sa.JSON(), nullable=False),
        sa.Column("pending", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_keyings_record", "keyings", ["record_id", "pending"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_keyings_record", table_name="keyings")
    op.drop_table("keyings")
    with op.batch_alter_table("books", schema=None) as batch_op:
        batch_op.drop_column("double_entry")
