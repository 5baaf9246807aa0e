"""counter search by a death's or a marriage's date, and by the wife's birth: two partial indexes

A counter query holds the name and the year (or day) the citizen knows: for a death extract,
when the person died; for a marriage, when the couple married, or the wife's own birth. These
covering indexes answer them as ix_records_year_name answers a birth year: a day by equality, a
year as the range ['1998', '1999') of ISO dates, partial dates included. Each holds every column
its queries read, the kind first: SQLite counts a partial index's condition as a column read, and
without statistics it took the kind's equality on ix_records_kind_given_year over a range here
(every marriage read: 55 ms at 20,000 marriages, 0.7 ms with the kind leading this index).
Births, most of a province's records, are left out of both (their registration date says
nothing their birth date does not), so loading them costs nothing more.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

NOT_BIRTH = sa.text("kind <> 'birth'")
MARRIAGE = sa.text("kind = 'marriage'")


def upgrade() -> None:
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.create_index(
            "ix_records_event",
            ["kind", "event_date", "name_fold", "other_fold", "record_id"],
            unique=False,
            sqlite_where=NOT_BIRTH,
            postgresql_where=NOT_BIRTH,
        )
        batch_op.create_index(
            "ix_records_wife",
            ["kind", "other_birth_date", "other_fold", "record_id"],
            unique=False,
            sqlite_where=MARRIAGE,
            postgresql_where=MARRIAGE,
        )


def downgrade() -> None:
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.drop_index("ix_records_wife")
        batch_op.drop_index("ix_records_event")
