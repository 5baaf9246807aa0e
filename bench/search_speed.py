"""Counter search at scale: load 1,000,000 generated records, then 1,000 counter queries.

    python bench/search_speed.py [--records 1000000] [--queries 1000] [--db URL]

1. Writes the records as an existing-records CSV and loads it with the import path
   (``hotich import-existing``: normaliser, keys, search index), timing the load.
2. Asks 1,000 realistic counter queries: a person's name without diacritics, or with one
   typo (a letter replaced, dropped or doubled in one syllable), plus the birth year, in
   shuffled order for one in four. Reports p50/p95 latency of ``load.search.search`` and the
   share of queries whose wanted record is in the top 5.

The database is kept (``--db``; default a SQLite file in /tmp); re-runs skip the load.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import time
import unicodedata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from timing import latency

from load.db import open_database
from load.importer import import_existing
from load.schema import RecordRow
from load.search import search
from samplebooks.people import generate_people

COLUMNS = ["record_id", "kind", "registration_number", "registration_date", "full_name", "sex", "birth_date",
           "birth_place", "father_name", "mother_name"]  # fmt: skip


def _folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    return "".join(char for char in decomposed if not unicodedata.combining(char)).lower()


def _typo(rng: random.Random, name: str) -> str:
    words = name.split()
    index = rng.randrange(len(words))
    word = words[index]
    position = rng.randrange(len(word))
    how = rng.choice(["replace", "drop", "double"]) if len(word) > 2 else "double"
    if how == "replace":
        word = word[:position] + rng.choice("abcdeghiklmnopqrstuvxy") + word[position + 1 :]
    elif how == "drop":
        word = word[:position] + word[position + 1 :]
    else:
        word = word[:position] + word[position] + word[position:]
    words[index] = word
    return " ".join(words)


def load(url: str, count: int, work: Path) -> None:
    engine = open_database(url)
    with Session(engine) as session:
        held = session.scalar(select(func.count()).select_from(RecordRow)) or 0
    if held >= count:
        print(f"database already holds {held:,} records: load skipped", flush=True)
        return
    people = generate_people(count, 0, seed=8)
    path = work / "existing.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for person in people.held:
            writer.writerow([person.record_id, "birth", *(person.fields.get(key) or "" for key in COLUMNS[2:])])
    started = time.perf_counter()
    summary = import_existing(engine, path)
    seconds = time.perf_counter() - started
    print(
        f"loaded {summary.added:,} records from CSV in {seconds:.0f} s ({summary.added / seconds:,.0f} records/s)",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--db", default="sqlite:////tmp/hotich-search-speed.db")
    parser.add_argument("--no-freeze", dest="freeze", action="store_false", help="leave the start-up objects to the GC")
    args = parser.parse_args()
    work = Path("/tmp")
    load(args.db, args.records, work)
    engine = open_database(args.db)
    rng = random.Random(12)
    with Session(engine) as session:
        total = session.scalar(select(func.count()).select_from(RecordRow)) or 0
        ids = [f"H8-{pick}" for pick in rng.sample(range(total), args.queries)]  # generate_people's ids
        query = select(RecordRow.record_id, RecordRow.person_name, RecordRow.birth_year)
        wanted = list(session.execute(query.where(RecordRow.record_id.in_(ids))).all())
    timings, found = [], 0
    search(engine, "nguyen van an 1990", kind="birth", limit=5)  # warm up: word lists, units
    if args.freeze:
        import gc

        gc.collect()
        gc.freeze()  # what a long-running server does after start-up (the web app does)
    for record_id, name, year in wanted:
        words = _folded(name)
        if rng.random() < 0.5:
            words = _typo(rng, words)
        parts = [words, str(year)]
        if rng.random() < 0.25:
            parts.reverse()
        query = " ".join(parts)
        started = time.perf_counter()
        hits = search(engine, query, kind="birth", limit=5)
        timings.append((time.perf_counter() - started) * 1000)
        found += any(hit.record_id == record_id for hit in hits)
    print(
        f"{total:,} records, {len(timings)} queries on {engine.dialect.name}: {latency(timings)}; "
        f"wanted record in the top 5 for {found / len(wanted):.2%}"
    )


if __name__ == "__main__":
    main()
