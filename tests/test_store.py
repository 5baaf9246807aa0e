"""The database: migrations, idempotent page writes, decided records kept, export format."""

from __future__ import annotations

import datetime as dt
import io
import json
import unicodedata

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session

from load.db import open_database
from load.export import csv_columns, exported_records, write_csv, write_jsonl
from load.schema import Page, RecordRow
from load.store import record_failed_page, record_from_row, register_book, save_page
from records import BookManifest, HotichError, Kind, Record, RecordSource, Status, record_id_for

MANIFEST = BookManifest(book_id="KS-1998-Q01", kind=Kind.birth, year=1998)
SPEC_KEYS = [
    "record_id",
    "kind",
    "source",
    "fields",
    "raw",
    "confidence",
    "status",
    "review_reasons",
    "duplicate_of",
    "match_probability",
]


def _record(row: int, name: str = "Nguyễn Văn An", status: Status = Status.auto_accepted) -> Record:
    return Record(
        record_id=record_id_for("KS-1998-Q01", 1, row),
        kind=Kind.birth,
        source=RecordSource(book="KS-1998-Q01", page=1, row=row, image="0001.png", bbox=[1, 2, 3, 4]),
        fields={"registration_number": str(row), "full_name": name, "sex": "male"},
        raw={"registration_number": f"0{row}", "full_name": name.upper(), "sex": "Nam"},
        confidence={"registration_number": 0.99, "full_name": 0.97, "sex": 0.98},
        status=status,
    )


def _save(engine, records: list[Record], sha: str = "a" * 64) -> None:
    with Session(engine) as session, session.begin():
        register_book(session, MANIFEST, __import__("pathlib").Path("."))
        save_page(
            session,
            book_id="KS-1998-Q01",
            page_no=1,
            image_name="0001.png",
            image_sha256=sha,
            pipeline_version="t",
            angle=0.5,
            warnings=[],
            records=records,
        )


def test_migrations_create_the_schema(db_url: str) -> None:
    engine = open_database(db_url)
    tables = set(inspect(engine).get_table_names())
    assert {"books", "pages", "records", "alembic_version"} <= tables
    open_database(db_url)  # upgrading an up-to-date database is a no-op


def test_saving_a_page_twice_changes_nothing(db_url: str) -> None:
    engine = open_database(db_url)
    _save(engine, [_record(1), _record(2)])
    first = list(exported_records(engine))
    _save(engine, [_record(1), _record(2)])
    assert list(exported_records(engine)) == first
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(RecordRow)) == 2


def test_reviewed_records_survive_a_rescan(db_url: str) -> None:
    engine = open_database(db_url)
    _save(engine, [_record(1), _record(2), _record(3)])
    with Session(engine) as session, session.begin():
        row = session.get(RecordRow, record_id_for("KS-1998-Q01", 1, 1))
        row.status = Status.reviewed.value
        row.fields = {**row.fields, "full_name": "Nguyễn Văn Ân"}
    _save(engine, [_record(1, "Nguyễn Văn Ẩn"), _record(2, "Lê Thị Hoa")], sha="b" * 64)
    records = {r["record_id"]: r for r in exported_records(engine)}
    assert records[record_id_for("KS-1998-Q01", 1, 1)]["fields"]["full_name"] == "Nguyễn Văn Ân"
    assert records[record_id_for("KS-1998-Q01", 1, 2)]["fields"]["full_name"] == "Lê Thị Hoa"
    assert record_id_for("KS-1998-Q01", 1, 3) not in records  # no longer on the rescanned page


def test_failed_page_is_recorded_with_its_reason(db_url: str) -> None:
    engine = open_database(db_url)
    _save(engine, [_record(1)])
    error = HotichError("page_no_table", "no ruled table", fix="rescan", where="book KS-1998-Q01, file 0002.png")
    with Session(engine) as session, session.begin():
        record_failed_page(session, book_id="KS-1998-Q01", page_no=2, image_name="0002.png", error=error)
    with Session(engine) as session:
        page = session.scalars(select(Page).where(Page.page_no == 2)).one()
        assert (page.status, page.error_code) == ("failed", "page_no_table")
        assert "0002.png" in page.error_message


def test_book_kind_cannot_change(db_url: str) -> None:
    engine = open_database(db_url)
    _save(engine, [_record(1)])
    changed = MANIFEST.model_copy(update={"kind": Kind.death})
    with Session(engine) as session:
        try:
            register_book(session, changed, __import__("pathlib").Path("."))
        except HotichError as error:
            assert error.code == "book_kind_changed"
        else:
            raise AssertionError("a book's kind changed silently")


def test_a_suggestion_is_kept_beside_the_value_and_not_exported(db_url: str) -> None:
    engine = open_database(db_url)
    offered = _record(1, "Nguyên Văn An").model_copy(update={"suggestions": {"full_name": "Nguyễn Văn An"}})
    _save(engine, [offered])
    with Session(engine) as session:
        row = session.get(RecordRow, offered.record_id)
        assert row is not None
        assert (row.fields["full_name"], row.suggestions) == ("Nguyên Văn An", {"full_name": "Nguyễn Văn An"})
        assert record_from_row(row).suggestions == {"full_name": "Nguyễn Văn An"}
    exported = next(iter(exported_records(engine)))
    assert exported["fields"]["full_name"] == "Nguyên Văn An" and "suggestions" not in exported


def test_jsonl_export_has_exactly_the_spec_keys(db_url: str) -> None:
    engine = open_database(db_url)
    _save(engine, [_record(1)])
    out = io.StringIO()
    assert write_jsonl(exported_records(engine), out) == 1
    record = json.loads(out.getvalue())
    assert list(record) == SPEC_KEYS
    assert list(record["source"]) == ["book", "page", "row", "image", "bbox"]
    assert record["fields"]["full_name"] == "Nguyễn Văn An"
    assert record["raw"]["full_name"] == "NGUYỄN VĂN AN"
    assert "Nguyễn" in out.getvalue()  # UTF-8, not \\u escapes


def test_csv_export_flattens_the_same_record(db_url: str) -> None:
    engine = open_database(db_url)
    _save(engine, [_record(1, status=Status.needs_review)])
    out = io.StringIO()
    write_csv(exported_records(engine), out)
    header, row = out.getvalue().splitlines()
    assert header.split(",") == csv_columns()
    assert "Nguyễn Văn An" in row and "needs_review" in row and "[1, 2, 3, 4]" in row


vietnamese = st.text(
    alphabet=st.sampled_from(
        list("aăâbcdđeêgiklmnoôơpqstuưvxyàáảãạằắẳẵặầấẩẫậèéềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ ĐÂĂÊÔƠƯ")
    ),
    min_size=1,
    max_size=30,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=vietnamese, place=vietnamese, born=st.dates(min_value=dt.date(1850, 1, 1)))
def test_values_round_trip_through_the_database(tmp_path_factory, name: str, place: str, born: dt.date) -> None:
    engine = open_database(f"sqlite:///{tmp_path_factory.mktemp('rt') / 'rt.db'}")
    name, place = unicodedata.normalize("NFC", name), unicodedata.normalize("NFC", place)
    record = _record(1, name).model_copy(
        update={"fields": {"full_name": name, "birth_place": place, "birth_date": born.isoformat()}}
    )
    _save(engine, [record])
    exported = next(exported_records(engine))
    assert exported["fields"] == {"full_name": name, "birth_place": place, "birth_date": born.isoformat()}
    assert unicodedata.is_normalized("NFC", exported["fields"]["full_name"])
