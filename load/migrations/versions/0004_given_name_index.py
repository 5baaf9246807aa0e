"""counter search by name alone: a covering index on (given_fold, name_fold, record_id)

A query with no year, date, number or book reads the records whose given name is one of the
query's words from this index alone. At 1,000,000 records the trigram search index (FTS5 or
pg_trgm) took seconds for such a query, since the family and middle names it holds (Nguyễn,
Văn, Thị) are in most records.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.create_index("ix_records_given_name", ["given_fold", "name_fold", "record_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.drop_index("ix_records_given_name")
