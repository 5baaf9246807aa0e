"""login attempts: settled, so an attempt is recorded before its password is checked

An attempt is written first (settled false) and counted against its name at once: of many
guesses for one name at the same moment only the first few are checked. Only settled failures
count against a client, so people signing in together from one office address are not refused.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("login_attempts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("settled", sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("login_attempts", schema=None) as batch_op:
        batch_op.drop_column("settled")
