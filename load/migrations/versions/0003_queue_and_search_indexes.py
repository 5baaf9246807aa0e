"""queue order and counter search: min_confidence, queue indexes, the search index per backend

SQLite: an FTS5 table (trigram tokenizer) over the folded search text, kept current by
triggers. PostgreSQL: the pg_trgm extension and a GIN trigram index on the same column.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

SQLITE_FTS = [
    "CREATE VIRTUAL TABLE records_fts USING fts5(search_text, content='records', content_rowid='rowid', "
    "tokenize='trigram')",
    "CREATE TRIGGER records_fts_insert AFTER INSERT ON records BEGIN "
    "INSERT INTO records_fts(rowid, search_text) VALUES (new.rowid, new.search_text); END",
    "CREATE TRIGGER records_fts_delete AFTER DELETE ON records BEGIN "
    "INSERT INTO records_fts(records_fts, rowid, search_text) VALUES ('delete', old.rowid, old.search_text); END",
    "CREATE TRIGGER records_fts_update AFTER UPDATE OF search_text ON records BEGIN "
    "INSERT INTO records_fts(records_fts, rowid, search_text) VALUES ('delete', old.rowid, old.search_text); "
    "INSERT INTO records_fts(rowid, search_text) VALUES (new.rowid, new.search_text); END",
    "INSERT INTO records_fts(rowid, search_text) SELECT rowid, search_text FROM records",
]


def upgrade() -> None:
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.add_column(sa.Column("min_confidence", sa.Float(), nullable=True))
        batch_op.create_index("ix_records_queue", ["status", "book_id", "page_no", "row_no"], unique=False)
        batch_op.create_index("ix_records_queue_confidence", ["status", "min_confidence"], unique=False)
        batch_op.create_index("ix_records_registration", ["registration_number"], unique=False)
        # Covering: a counter query with a birth year reads only this index.
        batch_op.create_index("ix_records_year_name", ["birth_year", "name_fold", "record_id"], unique=False)
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for statement in SQLITE_FTS:
            op.execute(statement)
    elif bind.dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute("CREATE INDEX ix_records_search_trgm ON records USING gin (search_text gin_trgm_ops)")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for name in ("records_fts_insert", "records_fts_delete", "records_fts_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS records_fts")
    elif bind.dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_records_search_trgm")
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.drop_index("ix_records_year_name")
        batch_op.drop_index("ix_records_registration")
        batch_op.drop_index("ix_records_queue_confidence")
        batch_op.drop_index("ix_records_queue")
        batch_op.drop_column("min_confidence")
