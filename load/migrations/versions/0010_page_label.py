"""pages: page_label, the page number printed on the page (Trang số)

The Ministry's package writes each record's printed page number (trangSo), read from the
page's margin where it is printed; the page index stands in where none is read.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("pages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("page_label", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("pages", schema=None) as batch_op:
        batch_op.drop_column("page_label")
