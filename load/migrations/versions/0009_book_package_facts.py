"""books: volume, opened_year and registration_place, from book.json (contract v2)

The Ministry's package names each book by its number (quyển số) and the year it was opened,
and writes where it registers (nơi đăng ký): kept with the book when it is digitised.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("books", schema=None) as batch_op:
        batch_op.add_column(sa.Column("volume", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("opened_year", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("registration_place", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("books", schema=None) as batch_op:
        batch_op.drop_column("registration_place")
        batch_op.drop_column("opened_year")
        batch_op.drop_column("volume")
