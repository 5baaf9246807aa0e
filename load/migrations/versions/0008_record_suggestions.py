"""records: suggestions, the likelier spellings offered beside what OCR read

A name or phrase OCR read as valid Vietnamese stays the value; the spelling that name
statistics or the word list prefer is kept here, shown to the reviewer, taken with one key.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.add_column(sa.Column("suggestions", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.drop_column("suggestions")
