"""Linkage at scale: 10,000 new records against 1,000,000 held, read from the database.

    python bench/linkage_scale.py [--held 1000000] [--new 10000] [--db sqlite:///FILE]

Builds the database once (generated births: held records written as canonical values, the
new batch through the normaliser) and keeps it; each run first marks the batch new again.
Times ``link_new_records`` end to end (reading held and new records from the database,
splink, the decisions written back) and reports the process's peak memory.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from linkage_accuracy import load_people
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from load.db import open_database
from load.linkage import link_new_records
from load.schema import LinkPair, RecordRow
from load.store import key_columns
from records import Kind, Status
from samplebooks.people import generate_people

SEXES = {"Nam": "male", "Nữ": "female"}


def held_rows(people: list[Any]) -> list[dict[str, Any]]:
    rows = []
    for person in people:
        fields = {**person.fields, "sex": SEXES[person.fields["sex"]]}
        rows.append(
            {
                "record_id": person.record_id, "kind": "birth", "source_import": "held.csv", "fields": fields,
                "raw": person.fields, "confidence": {}, "issues": {}, "status": Status.auto_accepted.value,
                "review_reasons": [], "version": 1, "cluster_id": person.record_id,
                **key_columns(Kind.birth, fields),
            }
        )  # fmt: skip
    return rows


def build(url: str, held: int, new: int) -> None:
    engine = open_database(url)
    with Session(engine) as session:
        if session.scalar(select(func.count()).select_from(RecordRow)):
            return
    print(f"building {held:,} held and {new:,} new records (once)...", flush=True)
    people = generate_people(held, new, seed=99)
    rows = held_rows(people.held)
    with Session(engine) as session, session.begin():
        for start in range(0, len(rows), 20000):
            session.execute(insert(RecordRow), rows[start : start + 20000])
    load_people(engine, people.new, held=False, source="new.csv")
    engine.dispose()


def reset(url: str) -> None:
    engine = open_database(url)
    with Session(engine) as session, session.begin():
        session.execute(
            update(RecordRow)
            .where(RecordRow.source_import == "new.csv")
            .values(cluster_id=None, duplicate_of=None, match_probability=None, review_reasons=[])
        )
        session.execute(delete(LinkPair))  # the runs (and the model they trained) are kept
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--held", type=int, default=1_000_000)
    parser.add_argument("--new", type=int, default=10_000)
    parser.add_argument("--db", default="sqlite:////tmp/hotich-linkage-scale.db")
    args = parser.parse_args()
    build(args.db, args.held, args.new)
    reset(args.db)
    engine = open_database(args.db)
    started = time.perf_counter()
    results = link_new_records(engine)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for result in results:
        print(
            f"{result.kind}: {result.new:,} new against {result.held:,} held: {result.links} links, "
            f"{result.candidates} candidates; " + ", ".join(f"{k} {v:.1f} s" for k, v in result.seconds.items())
        )
    print(f"link_new_records: {seconds:.1f} s end to end; peak memory (max RSS) {peak:,.0f} MB")


if __name__ == "__main__":
    main()
