"""How fast the review app opens the next record, with 100,000 records in the database.

    python bench/review_speed.py [--records 100000] [--opens 300]

Builds (once) a SQLite database of generated birth records, half of them waiting for
review, and a reviewer; then, in one process with FastAPI's test client (the server's own
time, no network), times "next record": GET /queue/next?after=… (which finds and holds
the next record) plus the GET of the record page it redirects to. Prints p50/p95/max.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fastapi.testclient import TestClient
from linkage_scale import SEXES
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session
from timing import latency

from load.db import open_database
from load.schema import Book, RecordRow
from load.store import key_columns
from records import Kind, Status
from review_ui.app import create_app
from review_ui.auth import add_user
from samplebooks.people import generate_people

PASSWORD = "bench-password"


def build(url: str, count: int) -> None:
    engine = open_database(url)
    with Session(engine) as session:
        if session.scalar(select(func.count()).select_from(RecordRow)):
            return
    print(f"building {count:,} records (once)...", flush=True)
    add_user(engine, "bench", "reviewer", PASSWORD)
    people = generate_people(count, 0, seed=5)
    rows: list[dict[str, Any]] = []
    for index, person in enumerate(people.held):
        fields = {**person.fields, "sex": SEXES[person.fields["sex"]]}
        waiting = index % 2 == 0
        rows.append(
            {
                "record_id": f"B{index:06d}", "kind": "birth", "book_id": f"KS-{index // 2000:03d}",
                "page_no": index % 2000 // 10 + 1, "row_no": index % 10 + 1, "image_name": "0001.png",
                "bbox": [80, 400, 2400, 110], "fields": fields, "raw": fields,
                "confidence": {"full_name": 0.6 if waiting else 0.99}, "issues": {},
                "status": Status.needs_review.value if waiting else Status.auto_accepted.value,
                "review_reasons": ["low_confidence:full_name"] if waiting else [], "version": 1,
                "cluster_id": f"B{index:06d}", "min_confidence": 0.6 if waiting else 0.99,
                **key_columns(Kind.birth, fields),
            }
        )  # fmt: skip
    with Session(engine) as session, session.begin():
        for book in sorted({row["book_id"] for row in rows}):
            session.add(Book(book_id=book, kind="birth", layout="ledger", year=1998, source_dir="/nonexistent"))
        session.flush()
        for start in range(0, len(rows), 10000):
            session.execute(insert(RecordRow), rows[start : start + 10000])
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--opens", type=int, default=300)
    parser.add_argument("--db", default="sqlite:////tmp/hotich-review-speed.db")
    args = parser.parse_args()
    build(args.db, args.records)
    client = TestClient(create_app(args.db), follow_redirects=False)
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert token is not None
    signed = client.post("/login", data={"name": "bench", "password": PASSWORD, "csrf_token": token.group(1)})
    assert signed.status_code == 303
    timings = []
    after = ""
    for _ in range(args.opens):
        started = time.perf_counter()
        moved = client.get(f"/queue/next?after={after}")
        page = client.get(moved.headers["location"])
        timings.append((time.perf_counter() - started) * 1000)
        assert page.status_code == 200
        after = moved.headers["location"].split("/records/")[1].split("?")[0]
    print(f"{args.records:,} records: next record + record page, {len(timings)} opens: {latency(timings)}")


if __name__ == "__main__":
    main()
