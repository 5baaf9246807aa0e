"""Linkage accuracy on generated births with planted duplicates and hard non-duplicates.

    python bench/linkage_accuracy.py [--held 20000] [--new 3000] [--seed 3]

Held records are loaded as imported existing records; the new batch as new (never linked)
records, both through the normaliser. Then ``link_new_records`` runs and its automatic
links (``duplicate_of``) are scored against the truth: precision, recall, and the share of
candidates sent to review; misses and wrong links are listed by how they were made.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import Engine, insert, select
from sqlalchemy.orm import Session

from load.db import open_database
from load.linkage import link_new_records
from load.schema import RecordRow
from load.store import key_columns
from normalize.record import ReviewSettings, normalize_record
from records import Kind, Status
from samplebooks.people import Person, generate_people


def record_rows(people: list[Person], *, held: bool, source: str) -> list[dict[str, Any]]:
    settings = ReviewSettings()
    rows = []
    for person in people:
        result = normalize_record(Kind.birth, person.fields, {}, reference_year=None, settings=settings)
        rows.append(
            {
                "record_id": person.record_id,
                "kind": "birth",
                "source_import": source,
                "fields": result.fields,
                "raw": person.fields,
                "confidence": {},
                "issues": {},
                "status": Status.auto_accepted.value,
                "review_reasons": [],
                "version": 1,
                "cluster_id": person.record_id if held else None,
                **key_columns(Kind.birth, result.fields),
            }
        )
    return rows


def load_people(engine: Engine, people: list[Person], *, held: bool, source: str) -> None:
    rows = record_rows(people, held=held, source=source)
    with Session(engine) as session, session.begin():
        for start in range(0, len(rows), 5000):
            session.execute(insert(RecordRow), rows[start : start + 5000])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--held", type=int, default=20000)
    parser.add_argument("--new", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("-v", action="store_true", help="show every wrong or missed link")
    args = parser.parse_args()
    people = generate_people(args.held, args.new, seed=args.seed)
    work = Path(tempfile.mkdtemp(prefix="hotich-link-"))
    engine = open_database(f"sqlite:///{work / 'link.db'}")
    load_people(engine, people.held, held=True, source="held.csv")
    load_people(engine, people.new, held=False, source="new.csv")
    started = time.perf_counter()
    results = link_new_records(engine)
    seconds = time.perf_counter() - started
    with Session(engine) as session:
        rows = {row.record_id: row for row in session.scalars(select(RecordRow).where(RecordRow.record_id.like("N%")))}

    # Score by person: a link is right when both records are the same person; every record
    # of a person but the first (the held one, else one of the batch) should be linked.
    def person(record_id: str) -> str:
        while people.truth.get(record_id):
            record_id = people.truth[record_id] or record_id
        return record_id

    expected = Counter(person(rid) for rid in people.truth)
    held_ids = {p.record_id for p in people.held}
    true_links = {rid for rid in people.truth if person(rid) != rid}
    expected_links = sum(count if pid in held_ids else count - 1 for pid, count in expected.items())
    linked = {rid for rid, row in rows.items() if row.duplicate_of}
    right = {rid for rid in linked if person(rows[rid].duplicate_of or "") == person(rid)}
    candidates = {
        rid for rid, row in rows.items() if any(r.startswith("possible_duplicate") for r in row.review_reasons)
    }
    linked_to = {rows[rid].duplicate_of for rid in right}
    precision = len(right) / max(1, len(linked))
    recall = len(right) / max(1, expected_links)
    print(f"{args.held:,} held, {args.new:,} new ({expected_links} records to link); linked in {seconds:.1f} s")
    for result in results:
        print(f"  {result.kind}: {result.links} links, {result.candidates} candidates, seconds {result.seconds}")
    print(f"automatic links: precision {precision:.4f}  recall {recall:.4f}  ({len(right)}/{len(linked)} right)")
    print(
        f"sent to review as possible duplicates: {len(candidates)} "
        f"({len(candidates & true_links)} true duplicates among them)"
    )
    if "-v" in sys.argv:
        with Session(engine) as session:
            for rid in sorted(linked - right) + sorted(true_links - right - linked_to):
                row = rows[rid]
                other = session.get(RecordRow, row.duplicate_of or people.truth.get(rid) or "")
                print(
                    f"  {people.kinds[rid]} p={row.match_probability}: {row.fields} | {other.fields if other else None}"
                )
    wrong = Counter(people.kinds[rid] for rid in linked - right)
    missed = Counter(people.kinds[rid] for rid in true_links - right - linked_to)
    print(f"wrong links by how made: {dict(wrong)}")
    print(
        f"missed duplicates by how made: {dict(missed)}  (of which in review: {len((true_links - right) & candidates)})"
    )


if __name__ == "__main__":
    main()
