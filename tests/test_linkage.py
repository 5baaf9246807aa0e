"""Record linkage: planted duplicates found, hard non-duplicates kept apart, ids stable, explained."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from linkage_accuracy import load_people

from flows.cli import app
from load.db import open_database
from load.linkage import LinkSettings, explanations, link_new_records, waterfall_html
from load.schema import LinkRun, RecordRow
from samplebooks.people import Person, generate_people


def _person(record_id: str, name: str, born: str, mother: str = "Trần Thị Bé", father: str = "Lê Văn Ba") -> Person:
    return Person(
        record_id,
        {
            "registration_number": "1",
            "registration_date": born[:4] + "-12-30",
            "full_name": name,
            "sex": "Nam",
            "birth_date": born,
            "birth_place": "Phường Thạc Gián, Thành phố Đà Nẵng",
            "father_name": father,
            "mother_name": mother,
        },
    )


def test_planted_duplicates_are_linked_and_hard_non_duplicates_are_not(db_url: str) -> None:
    people = generate_people(3000, 600, seed=21)
    engine = open_database(db_url)
    load_people(engine, people.held, held=True, source="held.csv")
    load_people(engine, people.new, held=False, source="new.csv")
    link_new_records(engine, settings=LinkSettings(min_records_to_train=1000))

    def person(record_id: str) -> str:
        while people.truth.get(record_id):
            record_id = people.truth[record_id] or record_id
        return record_id

    with Session(engine) as session:
        rows = {row.record_id: row for row in session.scalars(select(RecordRow).where(RecordRow.record_id.like("N%")))}
    linked = {rid for rid, row in rows.items() if row.duplicate_of}
    right = {rid for rid in linked if person(rows[rid].duplicate_of or "") == person(rid)}
    to_link = {rid for rid in people.truth if person(rid) != rid}
    assert len(right) / len(linked) >= 0.99
    # The issue's 0.97 is measured on 20,000 held records by bench/linkage_accuracy.py; on this
    # small set a few two-error duplicates more go to review instead of an automatic link.
    assert len(right) / len(to_link) >= 0.95
    in_review = {
        rid for rid, row in rows.items() if any(r.startswith("possible_duplicate") for r in row.review_reasons)
    }
    assert len(right | (to_link & in_review)) / len(to_link) >= 0.99
    hard = [rid for rid, how in people.kinds.items() if how in ("twin", "sibling", "namesake")]
    # Made to resemble a held record (twin, sibling, namesake): never linked to a held record.
    assert hard and not any((rows[rid].duplicate_of or "").startswith("H") for rid in hard)
    assert all(row.cluster_id for row in rows.values())  # every new record is now held


def test_held_ids_stay_stable_as_batches_arrive_and_reruns_change_nothing(db_url: str) -> None:
    engine = open_database(db_url)
    load_people(engine, [_person("H1", "Nguyễn Văn An", "1990-05-04")], held=True, source="held.csv")
    load_people(engine, [_person("A1", "NGUYEN VAN AN", "1990-05-04")], held=False, source="batch1.csv")
    link_new_records(engine)
    load_people(engine, [_person("B1", "Nguyễn Văn Ân", "1990-04-05")], held=False, source="batch2.csv")
    link_new_records(engine)
    with Session(engine) as session:
        rows = {row.record_id: row for row in session.scalars(select(RecordRow))}
        runs = session.scalars(select(LinkRun)).all()
    assert rows["H1"].cluster_id == "H1" and rows["H1"].duplicate_of is None
    assert rows["A1"].duplicate_of == "H1"
    assert rows["B1"].cluster_id == "H1"  # one letter off and day/month swapped: the same cluster
    assert len(runs) == 2 and runs[0].settings["model"]["comparisons"]
    assert link_new_records(engine) == []  # nothing new: nothing changes


def test_a_doubtful_pair_goes_to_review_with_the_candidate(db_url: str) -> None:
    engine = open_database(db_url)
    load_people(engine, [_person("H1", "Nguyễn Văn An", "1990-05-04")], held=True, source="held.csv")
    twin = _person("T1", "Nguyễn Văn Bình", "1990-05-04")  # a twin: same parents, date and place
    load_people(engine, [twin], held=False, source="new.csv")
    link_new_records(engine)
    with Session(engine) as session:
        row = session.get(RecordRow, "T1")
        assert row is not None
        assert row.duplicate_of is None
        if row.match_probability is not None and row.match_probability >= LinkSettings().lower:
            assert "possible_duplicate:H1" in row.review_reasons and row.status == "needs_review"


def test_duplicates_within_the_batch_are_found(db_url: str) -> None:
    engine = open_database(db_url)
    batch = [_person("N1", "Phạm Thị Thuý", "1985-02-01"), _person("N2", "PHAM THI THUY", "1985-02-01")]
    load_people(engine, batch, held=False, source="new.csv")
    link_new_records(engine)
    with Session(engine) as session:
        assert session.get(RecordRow, "N2").duplicate_of == "N1"  # type: ignore[union-attr]


def test_explain_prints_levels_and_writes_the_waterfall(db_url: str, tmp_path: Path) -> None:
    engine = open_database(db_url)
    load_people(engine, [_person("H1", "Nguyễn Thị Hoà", "1990-05-04")], held=True, source="held.csv")
    load_people(engine, [_person("N1", "Nguyễn Thị Hòa", "1990-05-04")], held=False, source="new.csv")
    link_new_records(engine)
    found = explanations(engine, "N1")
    assert found and found[0].candidate_id == "H1"
    levels = {part["comparison"]: part["level"] for part in found[0].comparisons}
    assert levels["name"] == "same name (tone placement ignored)"
    assert levels["birth_date"] == "same date"
    html_path = tmp_path / "why.html"
    result = CliRunner().invoke(app, ["explain", "N1", "--db", db_url, "--html", str(html_path)])
    assert result.exit_code == 0, result.output
    assert "same name (tone placement ignored)" in result.output
    assert "<html" in html_path.read_text(encoding="utf-8").lower()
    assert "vega" in waterfall_html(found[0]).lower()


def test_explain_of_an_unlinked_record_is_an_operator_error(db_url: str) -> None:
    engine = open_database(db_url)
    load_people(engine, [_person("H1", "Nguyễn Văn An", "1990-05-04")], held=True, source="held.csv")
    result = CliRunner().invoke(app, ["explain", "H1", "--db", db_url])
    assert result.exit_code == 2 and "not linked" in result.output
    unknown = CliRunner().invoke(app, ["explain", "nope", "--db", db_url])  # said "was not linked" before
    assert (
        unknown.exit_code == 2 and "explain_no_record" in unknown.output and "there is no record nope" in unknown.output
    )


@pytest.mark.parametrize("kind", ["death", "marriage"])
def test_other_kinds_link_within_their_kind(db_url: str, kind: str) -> None:
    from load.store import key_columns
    from records import Kind, Status

    engine = open_database(db_url)
    fields = {
        "death": {"full_name": "Lê Văn Tám", "birth_date": "1930", "death_date": "2001-05-02", "sex": "male"},
        "marriage": {"husband_name": "Lê Văn Tám", "husband_birth_date": "1970-01-02",
                     "wife_name": "Trần Thị Hoa", "wife_birth_date": "1972-03-04"},
    }[kind]  # fmt: skip
    with Session(engine) as session, session.begin():
        for record_id, cluster in (("X1", "X1"), ("X2", None)):
            session.add(
                RecordRow(
                    record_id=record_id, kind=kind, source_import="x.csv", fields=fields, raw=fields, confidence={},
                    issues={}, status=Status.auto_accepted.value, review_reasons=[], version=1, cluster_id=cluster,
                    **key_columns(Kind(kind), fields),
                )
            )  # fmt: skip
    link_new_records(engine)
    with Session(engine) as session:
        assert session.get(RecordRow, "X2").duplicate_of == "X1"  # type: ignore[union-attr]


def test_a_reviewers_correction_is_linked_through_indexed_lookups(db_url: str) -> None:
    from load.linkage import link_one
    from load.review import reopen, save_review

    engine = open_database(db_url)
    load_people(engine, [_person("H1", "Nguyễn Văn An", "1990-05-04")], held=True, source="held.csv")
    load_people(engine, [_person("N1", "Nguyễn Văn Ánh", "1991-01-01")], held=False, source="new.csv")
    link_new_records(engine)
    with Session(engine) as session:
        row = session.get(RecordRow, "N1")
        assert row is not None and row.duplicate_of is None and row.cluster_id == "N1"
    version = reopen(engine, "N1", "minh", reason="ngày sinh sai")  # an imported record is not in review
    saved = save_review(
        engine, "N1", "lan", version=version, values={"full_name": "Nguyễn Văn An", "birth_date": "4/5/1990"}
    )
    assert saved.duplicate_check == "linked"  # type: ignore[union-attr]
    with Session(engine) as session:
        assert session.get(RecordRow, "N1").duplicate_of == "H1"  # type: ignore[union-attr]
    assert link_one(engine, "N1") is None  # held now: nothing to do


def _digitised(engine, record_id: str, fields: dict, *, held: bool) -> None:  # type: ignore[no-untyped-def]
    from load.schema import Book
    from load.store import key_columns
    from records import Kind

    with Session(engine) as session, session.begin():
        if session.get(Book, "KS-1990") is None:
            session.add(Book(book_id="KS-1990", kind="birth", layout="ledger", year=1990, source_dir=""))
        session.add(
            RecordRow(record_id=record_id, kind="birth", book_id="KS-1990", page_no=1, row_no=int(record_id[-1]),
                      fields=fields, raw=fields, confidence={}, issues={}, status="auto_accepted", review_reasons=[],
                      version=1, cluster_id=record_id if held else None, **key_columns(Kind.birth, fields))
        )  # fmt: skip


TWIN = {"registration_number": "7", "registration_date": "1990-06-01", "full_name": "Trương Thị Hồng Nhung",
        "sex": "female", "birth_date": "1990-05-04", "birth_place": "Xã Hòa Vang", "ethnicity": "Kinh",
        "father_name": "Trương Văn Lộc", "mother_name": "Phan Thị Sen"}  # fmt: skip


@pytest.mark.parametrize("imported_first", [True, False])
def test_a_record_and_its_imported_twin_are_linked_whichever_came_first(
    db_url: str,
    tmp_path,
    imported_first: bool,  # type: ignore[no-untyped-def]
) -> None:
    import csv

    from fastapi.testclient import TestClient
    from web_fixtures import make_site, sign_in

    from load.importer import import_existing
    from review_ui.app import create_app

    make_site(db_url, records=0)
    engine = open_database(db_url)
    held = tmp_path / "held.csv"
    with held.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["record_id", "kind", *TWIN])
        writer.writeheader()
        writer.writerow({"record_id": "MOJ-1", "kind": "birth", **TWIN, "sex": "Nữ", "birth_date": "4/5/1990"})
    if imported_first:
        import_existing(engine, held)
        _digitised(engine, "D1", TWIN, held=False)
        link_new_records(engine)  # the digitised record is the new one
    else:
        _digitised(engine, "D1", TWIN, held=True)
        summary = import_existing(engine, held)  # linking ran only on digitise: never compared before
        assert summary.duplicates == 1
    with Session(engine) as session:
        twin, digitised = session.get(RecordRow, "MOJ-1"), session.get(RecordRow, "D1")
        assert twin is not None and digitised is not None
        assert twin.cluster_id == digitised.cluster_id  # one person, whichever came first
    officer = TestClient(create_app(db_url), follow_redirects=False)
    sign_in(officer, "minh")
    listed = officer.get("/counter?q=truong+thi+hong+nhung+1990", headers={"HX-Request": "true"}).text
    assert listed.count("same-person") == 2  # the counter marks both rows as one person
    again = import_existing(engine, held)  # re-importing links nothing twice
    assert again.duplicates == 0 and again.possible_duplicates == 0
