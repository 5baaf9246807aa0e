"""pages: layout and layout_score, the layout a page was read in and how sure

A book whose book.json names no layout has each page's recognised from its printed column
headings; the page keeps which layout it was read in, and how well its headings matched.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("pages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("layout", sa.String(length=48), nullable=True))
        batch_op.add_column(sa.Column("layout_score", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("pages", schema=None) as batch_op:
        batch_op.drop_column("layout_score")
        batch_op.drop_column("layout")
