"""The digitise flow on a Dask cluster (issue 23, point 5): two worker processes read the pages,
the records land in a throwaway PostgreSQL server, exactly those of the default run."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from conftest import needs_tesseract
from sqlalchemy import select
from sqlalchemy.orm import Session

from flows.digitize import digitize_book, on_dask
from load.db import open_database
from load.schema import Page, RecordRow
from records import Kind

pytestmark = [needs_tesseract, pytest.mark.prefect, pytest.mark.usefixtures("prefect_harness")]


def _held(db_url: str) -> tuple[list[tuple], list[tuple]]:
    with Session(open_database(db_url)) as session:
        records = session.scalars(select(RecordRow).order_by(RecordRow.page_no, RecordRow.row_no)).all()
        pages = session.execute(
            select(Page.page_no, Page.image_name, Page.status, Page.row_count).order_by(Page.page_no)
        )
        return (
            [(r.record_id, r.page_no, r.row_no, r.fields, r.raw, r.status, r.review_reasons, r.bbox) for r in records],
            [tuple(page) for page in pages],
        )


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)  # the suite's throwaway PostgreSQL database
def test_two_dask_workers_on_postgresql_store_exactly_the_default_run(book_copy, db_url: str, tmp_path: Path) -> None:
    on_cluster = db_url
    book = book_copy(Kind.marriage)
    default = f"sqlite:///{tmp_path / 'default.db'}"
    expected = digitize_book(book, default)
    lock, events = threading.Lock(), []

    def progress(event: str, _total: int, _outcome: object) -> None:  # holds a lock, as a terminal's bar does
        with lock:
            events.append(event)

    summary = on_dask(workers=2)(book, on_cluster, on_progress=progress)
    assert events == ["start"] + ["page"] * len(_held(default)[1])  # never sent to the cluster with the tasks
    assert not summary.errors and summary.rows == expected.rows > 0
    assert _held(on_cluster) == _held(default)
    assert on_dask(workers=2)(book, on_cluster).count("loaded") == 0  # a re-run on the cluster adds nothing
