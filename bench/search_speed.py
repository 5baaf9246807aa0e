"""Counter search at scale: load 1,000,000 generated records, then 1,000 counter queries.

    python bench/search_speed.py [--records 1000000] [--queries 1000] [--db URL | --postgres [--shared-buffers 2GB]]

1. Writes the records as an existing-records CSV and loads it with the import path
   (``hotich import-existing``: normaliser, keys, search index), timing the load.
2. Asks 1,000 realistic counter queries: a person's name without diacritics, or with one
   typo (a letter replaced, dropped or doubled in one syllable), plus the birth year, in
   shuffled order for one in four. Reports p50/p95 latency of ``load.search.search`` and the
   share of queries whose wanted record is in the top 5.
3. Reports what no ranking can beat: when k ≥ 5 records share the wanted record's folded name
   and birth year, a name + year query cannot tell them apart, and the best any ranking can do
   is to put the wanted one in the top 5 for 5/k of such queries. The ceiling is the mean of
   min(1, 5/k); the top-5 share is also given for the queries k < 5 leaves answerable, and the
   share where the record is shown or the search says more records match as well (the counter
   then asks for the birth date or a parent's name).
4. Asks the officer's next question for every query (the same name with the birth date in place
   of the year) and reports its latency and top-5 share.
5. Asks every query's name alone, without the year (a citizen who does not say it), and reports
   its latency, its top-5 share and the share shown or told that more records match.
6. Asks every query's name with a parent's name instead of the year (the father's or the
   mother's in turn, as written without diacritics; the parent first for one in four), for the
   records that name the parent, and reports its latency and top-5 share.
7. Asks the same queries with the parent's name after its role word ("... cha tran van khanh", or
   "me le thi hoa ..."), and reports their latency and top-5 share.

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
from load.search import find, search
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
    parser.add_argument("--postgres", action="store_true", help="on a throwaway PostgreSQL server (tests/pg_server.py)")
    parser.add_argument("--shared-buffers", default="2GB", help="the throwaway server's shared_buffers")
    args = parser.parse_args()
    if not args.postgres:
        measure(args, args.db)
        return
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    from pg_server import throwaway_postgres

    # A province server's memory setting (PostgreSQL's guide: a quarter of RAM), not the 128 MB
    # default: this machine's OS drops cached pages within minutes, and the default then reads disk.
    with throwaway_postgres({"shared_buffers": args.shared_buffers}) as url:
        if url is None:
            sys.exit("PostgreSQL server binaries are not installed (apt-get install postgresql)")
        measure(args, url)


def measure(args: argparse.Namespace, url: str) -> None:
    load(url, args.records, Path("/tmp"))
    engine = open_database(url)
    rng = random.Random(12)
    with Session(engine) as session:
        total = session.scalar(select(func.count()).select_from(RecordRow)) or 0
        ids = [f"H8-{pick}" for pick in rng.sample(range(total), args.queries)]  # generate_people's ids
        columns = select(RecordRow.record_id, RecordRow.person_name, RecordRow.birth_year, RecordRow.name_fold,
                         RecordRow.birth_date, RecordRow.father_fold, RecordRow.mother_fold)  # fmt: skip
        wanted = list(session.execute(columns.where(RecordRow.record_id.in_(ids))).all())
        namesakes = {  # records sharing the folded name and the birth year (covering index)
            row.record_id: session.scalar(
                select(func.count())
                .select_from(RecordRow)
                .where(RecordRow.birth_year == row.birth_year, RecordRow.name_fold == row.name_fold)
            )
            or 1
            for row in wanted
        }
    timings, found, told = [], 0, 0
    ceiling, answerable, answerable_found, with_date_found = 0.0, 0, 0, 0
    dated_timings, alone_timings, alone_found, alone_told = [], [], 0, 0
    parent_timings, parent_found, parent_order = [], 0, random.Random(13)  # the other queries stay as they were
    role_timings, role_found = [], 0
    search(engine, "nguyen van an 1990", kind="birth", limit=5)  # warm up: word lists, units
    if args.freeze:
        import gc

        gc.collect()
        gc.freeze()  # what a long-running server does after start-up (the web app does)
    for number, (record_id, name, year, _, birth_date, father, mother) in enumerate(wanted):
        words = _folded(name or "")
        if rng.random() < 0.5:
            words = _typo(rng, words)
        parts = [words, str(year)]
        if rng.random() < 0.25:
            parts.reverse()
        query = " ".join(parts)
        started = time.perf_counter()
        results = find(engine, query, kind="birth", limit=5)
        timings.append((time.perf_counter() - started) * 1000)
        hit = any(hit.record_id == record_id for hit in results.hits)
        found += hit
        told += hit or results.alike > 0  # shown, or the officer is told to add the date or a parent
        ties = namesakes[record_id]
        ceiling += min(1.0, 5 / ties)
        if ties < 5:
            answerable += 1
            answerable_found += hit
        dated = query
        if birth_date:  # as an officer types it: 4/3/2006
            typed = "{2}/{1}/{0}".format(*(int(number) for number in birth_date.split("-")))
            dated = " ".join(typed if part == str(year) else part for part in parts)
        started = time.perf_counter()
        hits = search(engine, dated, kind="birth", limit=5)
        dated_timings.append((time.perf_counter() - started) * 1000)
        with_date_found += any(hit.record_id == record_id for hit in hits)
        started = time.perf_counter()
        alone = find(engine, words, kind="birth", limit=5)
        alone_timings.append((time.perf_counter() - started) * 1000)
        alone_hit = any(hit.record_id == record_id for hit in alone.hits)
        alone_found += alone_hit
        alone_told += alone_hit or alone.alike > 0
        if parent := (father, mother)[number % 2]:
            with_parent = [words, parent] if parent_order.random() >= 0.25 else [parent, words]
            started = time.perf_counter()
            hits = search(engine, " ".join(with_parent), kind="birth", limit=5)
            parent_timings.append((time.perf_counter() - started) * 1000)
            parent_found += any(hit.record_id == record_id for hit in hits)
            said = ("cha", "me")[number % 2] + " " + parent  # the same query, the parent after its role word
            with_role = [words, said] if with_parent[0] == words else [said, words]
            started = time.perf_counter()
            hits = search(engine, " ".join(with_role), kind="birth", limit=5)
            role_timings.append((time.perf_counter() - started) * 1000)
            role_found += any(hit.record_id == record_id for hit in hits)
    print(
        f"{total:,} records, {len(timings)} queries on {engine.dialect.name}: {latency(timings)}; "
        f"wanted record in the top 5 for {found / len(wanted):.2%}"
    )
    shared = len(wanted) - answerable
    print(
        f"{shared} queries ({shared / len(wanted):.1%}) ask for a folded name and birth year that 5 or more records "
        f"share: the best any ranking can do on all {len(wanted)} is {ceiling / len(wanted):.2%} in the top 5; "
        f"top 5 for {answerable_found / max(answerable, 1):.2%} of the {answerable} others"
    )
    print(f"wanted record in the top 5, or the officer told that more records match as well: {told / len(wanted):.2%}")
    print(
        f"the same queries with the birth date in place of the year: {latency(dated_timings)}; "
        f"top 5 for {with_date_found / len(wanted):.2%}"
    )
    print(
        f"the same names alone, without the year: {latency(alone_timings)}; top 5 for "
        f"{alone_found / len(wanted):.2%}, shown or more said to match for {alone_told / len(wanted):.2%}"
    )
    print(
        f"the same names with a parent's name in place of the year ({len(parent_timings)} records that name "
        f"the parent): {latency(parent_timings)}; top 5 for {parent_found / max(len(parent_timings), 1):.2%}"
    )
    print(
        f"the same, the parent's name after its role word (cha/me): {latency(role_timings)}; "
        f"top 5 for {role_found / max(len(role_timings), 1):.2%}"
    )


if __name__ == "__main__":
    main()
