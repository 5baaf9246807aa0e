"""Counter search: find a person as the citizen says the name, with or without diacritics.

A free-text query is split into name words, a birth date or year, registration numbers
and a book id, in any order. Candidates come from an index, then are ranked by fuzzy
name similarity (rapidfuzz, order-insensitive, one or two typos) with the exact spelling
with diacritics first. A query with more words than a name may name a parent or the spouse as
well: each run of its words is tried as the person's name and the rest as a relative's.

Candidates:

* a date or year: the B-tree index on (birth_year, name_fold) / (kind, birth_date), with a
  death's or a marriage's date or year and the wife's birth (migration 0005), ranked together:
  the date a family or a couple knows best;
* a registration number: its index;
* names only: the B-tree index on (given_fold, name_fold) for the query's given names and
  those a typing slip away (migration 0004); when no name comes near enough there (a spouse's
  or a parent's name, part of a name), the search index of each backend: SQLite FTS5 with the
  trigram tokenizer, PostgreSQL ``pg_trgm`` (migration 0003), over ``search_text`` (folded
  names of the person, the spouse and the parents, and the registration number), kept current
  by the loader.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from functools import cached_property
from typing import Any, cast

import numpy
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA
from sqlalchemy import ColumnElement, Engine, Select, and_, func, null, select, text
from sqlalchemy.orm import Session

from load.schema import MARRIAGE, NOT_BIRTH, RECORDS, RecordRow
from normalize.dates import parse_vn_date
from normalize.text import clean_text, fold, tone_key
from records import HotichError, Kind

CANDIDATES = 20000
NAMED_CANDIDATES = 200_000  # a name alone: the records of a few given names (one is ~1% of all)
INDEXED_CANDIDATES = 2000  # the records one reading of the trigram index gives at most
NEAR_NAME = 85  # name similarity (0-100) of one or two typing slips in a full name
NEAR_RELATIVES = 95  # the same with a relative named: a namesake with another father is not near
RELATIVES_ENOUGH = 200  # records of the names nearest the person's read with their relatives
# A name matched only with its words sorted (another order) scores this much below the same words
# in the order typed: Phạm Quỳnh Hồng Thủy is not Phạm Hồng Quỳnh Thủy, yet above a slip of a letter
# (a query typed given name first still finds its person).
WORD_ORDER = 2
_BOOK = re.compile(r"^[A-Za-z]{2,4}-[\w.-]+$")
_NUMBER = re.compile(r"^(?:số|so|#)?(\d{1,5}[a-z]?)$", re.IGNORECASE)
_DATE = re.compile(r"^\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}$|^\d{4}-\d{2}-\d{2}$")


@contextmanager
def indexed_in_bulk(session: Session) -> Iterator[None]:
    """Records inserted inside this block reach SQLite's FTS5 index in one statement at its end,
    not through the per-row insert trigger (100,000 records: 0.7 s instead of about 10 s).

    The trigger is dropped and made again from its own stored SQL inside the caller's
    transaction: SQLite has one writer, so no other connection inserts while it is gone, and a
    failure rolls the drop back with the rows. PostgreSQL's GIN index needs nothing."""
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        yield
        return
    if not connection.connection.dbapi_connection.in_transaction:  # type: ignore[union-attr]
        connection.exec_driver_sql("BEGIN IMMEDIATE")  # the driver opens none before DDL
    trigger = connection.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'records_fts_insert'"
    ).scalar_one()
    last = connection.exec_driver_sql("SELECT coalesce(max(rowid), 0) FROM records").scalar_one()
    connection.exec_driver_sql("DROP TRIGGER records_fts_insert")
    yield
    session.flush()
    connection.exec_driver_sql(
        "INSERT INTO records_fts(rowid, search_text) SELECT rowid, search_text FROM records WHERE rowid > ?", (last,)
    )
    connection.exec_driver_sql(trigger)


@dataclass(frozen=True)
class Query:
    words: list[str]  # name words, accent-folded
    keyed: list[str]  # the same words as typed, tone-placement-insensitive
    date: str | None = None
    year: int | None = None
    numbers: list[str] = field(default_factory=list)
    book: str | None = None
    relatives: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (role, folded words) named after a role word
    lead_role: str | None = None  # began with a role word: ``words`` hold that relative's name, then the person's

    @property
    def name(self) -> str:
        return " ".join(self.words)

    @property
    def says_a_relative(self) -> bool:
        """Whether a role word says a relative's name is in the query (the search then weighs it)."""
        return bool(self.relatives or self.lead_role)

    @cached_property
    def sorted_name(self) -> str:
        """The name words in alphabetical order: names typed in another order compare equal."""
        return " ".join(sorted(self.words))


# Words that say whose name follows ("nguyen thi thuy, cha tran van khanh"): lower case, as typed
# with or without diacritics where the bare letters are no name word ("bo", "ma", "vo" are: Bố is
# not, but Mã and Võ are family names, and "ba" is a given name).
ROLE_WORDS = {"cha": "father", "bố": "father", "mẹ": "mother", "me": "mother", "má": "mother",
              "vợ": "spouse", "chồng": "spouse", "chong": "spouse"}  # fmt: skip


def parse_query(query: str) -> Query:
    """The parts of a counter query, in any order: name words, a birth date or year, registration
    numbers, a book; and, after a role word (``ROLE_WORDS``), a parent's or the spouse's name.

    The words before the first role word are the person's. A query that begins with a role word
    ("cha tran van khanh nguyen thi thuy") holds that relative's name and the person's in one
    run: ``lead_role`` says so, and the search tries each split (the person's name last)."""
    segments: list[tuple[str | None, list[str], list[str]]] = [(None, [], [])]  # (role, folded, keyed)
    date = year = book = None
    numbers: list[str] = []
    tokens = query.split()
    for index, token in enumerate(tokens):
        cleaned = token.strip(",;:")
        following = tokens[index + 1] if index + 1 < len(tokens) else ""
        if fold(cleaned) in ("so", "#") and following[:1].isdigit():
            continue  # "số 12": the word that announces a registration number
        if role := ROLE_WORDS.get(clean_text(cleaned).lower()):
            segments.append((role, [], []))
        elif _DATE.match(cleaned) and (parsed := parse_vn_date(cleaned).value):
            date, year = parsed, int(parsed[:4])
        elif (
            cleaned.isdigit()
            and len(cleaned) == 4
            and 1850 <= int(cleaned) <= 2100
            and fold(tokens[index - 1] if index else "") != "so"
        ):
            year = int(cleaned)
        elif _BOOK.match(cleaned):
            book = cleaned.upper()
        elif match := _NUMBER.match(cleaned):
            numbers.append(str(int(match.group(1)[:-1] if match.group(1)[-1].isalpha() else match.group(1))))
        elif folded := fold(cleaned):
            segments[-1][1].extend(folded.split())
            segments[-1][2].extend(tone_key(cleaned).split())
    named = [segment for segment in segments if segment[1]]  # a role word with no name after it says nothing
    lead_role = None
    if named and named[0][0] is not None:
        if len(named) == 1 and len(named[0][1]) < 4:  # "cha nguyen van ba": his name is all the query holds
            named = [(None, named[0][1], named[0][2])]
        else:
            lead_role = named[0][0]
    person = named.pop(0) if named else (None, [], [])
    relatives = tuple((cast(str, role), tuple(words)) for role, words, _ in named)
    return Query(person[1], person[2], date, year, numbers, book, relatives, lead_role)


@dataclass
class Hit:
    record_id: str
    kind: str
    score: float
    person_name: str | None
    other_name: str | None
    birth_date: str | None
    registration_number: str | None
    book_id: str | None
    page_no: int | None
    row_no: int | None
    status: str
    father_name: str | None = None
    mother_name: str | None = None
    event_date: str | None = None  # a death's date, or the day a marriage was registered (None for a birth)
    other_birth_date: str | None = None  # the wife's, for a marriage
    cluster_id: str | None = None  # records of one person share it (linkage)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


_COLUMNS = (RECORDS.c.record_id, RECORDS.c.name_fold)
Candidate = tuple[str, str | None]  # (record_id, name_fold)


def _fetch(session: Session, statement: Any) -> list[tuple[Any, ...]]:
    """Rows of a candidate query straight from the database driver: a year's candidates are
    ~11,000 rows at 1,000,000 records, and building SQLAlchemy rows for them cost 8-15 ms of a
    20 ms search. The statement is compiled by SQLAlchemy for the backend and runs in the
    session's connection and transaction."""
    connection = session.connection()
    compiled = statement.compile(dialect=connection.dialect, compile_kwargs={"render_postcompile": True})
    params = compiled.params
    arguments = tuple(params[name] for name in compiled.positiontup or ()) if compiled.positional else params
    cursor = connection.connection.cursor()
    try:
        cursor.execute(compiled.string, arguments)
        return cast(list[tuple[Any, ...]], cursor.fetchall())  # tuples from both drivers
    finally:
        cursor.close()


class _Pool:
    """The candidate records of a query: those its date, year, number or book allows, or those
    the names-only index finds.

    A year holds ~11,000 records at 1,000,000, and the name shortlist keeps a few dozen of them.
    So a year's names are read first, as one string (a folded name holds no line break: ``fold``
    makes every run of white space one space), and the ids of the names kept are read after, from
    the same covering index. Reading the whole year as (id, name) rows cost SQLite 10 ms a query
    and the rows' ids were never used but for the few names kept."""

    def __init__(self, session: Session, where: ColumnElement[bool] | None, limit: int = CANDIDATES,
                 rows: list[Candidate] | None = None):  # fmt: skip
        """Candidates read by the condition ``where`` (at most ``limit``; None: no such read), and
        the ``rows`` already read (a day's records, or a year's deaths and marriages beside its births)."""
        self.session, self.where, self.limit, self._rows = session, where, limit, rows or []

    @cached_property
    def names(self) -> list[str]:
        """The folded name of each candidate (a name as often as records hold it), empty ones left out."""
        names = [name for _, name in self._rows if name]
        if self.where is None:
            return names
        inner = select(RECORDS.c.name_fold).where(self.where).limit(self.limit).subquery()
        joined = _fetch(self.session, select(func.aggregate_strings(inner.c.name_fold, "\n")))[0][0]
        return names + ([name for name in joined.split("\n") if name] if joined else [])

    @cached_property
    def counts(self) -> Counter[str]:
        """The records of each folded name."""
        return Counter(self.names)

    def records(self, names: Collection[str] | None = None, limit: int | None = None) -> list[Candidate]:
        """(record_id, name) of the candidates, or of those with one of ``names``."""
        limit = limit or self.limit
        read = [row for row in self._rows if names is None or row[1] in names][:limit]
        if self.where is None or (names is not None and not names):
            return read
        query = select(*_COLUMNS).where(self.where)
        if names is not None:
            query = query.where(RECORDS.c.name_fold.in_(sorted(names)))
        return read + cast(list[Candidate], _fetch(self.session, query.limit(limit)))

    def relatives(self, names: Collection[str]) -> list[tuple[Any, ...]]:
        """(record_id, name_fold, other_fold, father_fold, mother_fold) of the candidates with
        one of ``names``."""
        if not names:
            return []
        rows: list[tuple[Any, ...]] = []
        if self.where is not None:  # by the pool's own condition: one query, not its ids
            by_name = and_(self.where, RECORDS.c.name_fold.in_(sorted(names)))
            rows = _fetch(self.session, select(*_RELATIVES).where(by_name).limit(self.limit))
        found: dict[str, set[str]] = {}
        for record_id, name in self._rows:
            if name and name in names:
                found.setdefault(record_id, set()).add(name)
        record_ids, read = sorted(found), []
        for start in range(0, len(record_ids), 5000):
            chunk = record_ids[start : start + 5000]
            read += _fetch(self.session, select(*_RELATIVES).where(RECORDS.c.record_id.in_(chunk)))
        # a marriage found by the wife's name is scored as hers: the husband becomes her spouse
        return rows + [
            (row[0], name, row[2] if name == row[1] else row[1], *row[3:]) for row in read for name in found[row[0]]
        ]


def _pools(session: Session, parsed: Query, kind: str | None) -> Iterator[_Pool]:
    """The candidates of a query, in the order they are tried until a name comes near enough.

    * a birth date: the records born, died or married that day, and the wives born that day
      (``_other_dates``: the date a family or a couple knows); then the year's (the date may be
      misremembered);
    * a year: the records born that year, with those who died or married then, and the wives
      born then (all ranked together: a child born the year his grandfather died is no answer
      the officer may miss);
    * a registration number or a book: their records;
    * a name alone: the records whose given name is one of the query's words, or a given name
      a slip or two from a word that is none (a typo); then those a slip from a query word that
      is a given name (a typo that spells another); then the backend's trigram index (a
      spouse's or a parent's name, part of a word).

    All but the trigram index are read from covering indexes (no table rows): the kind is
    checked on the shortlist.
    """
    if parsed.date:
        # The date's index is (kind, birth_date): name the kinds, or every row is read.
        kinds = [kind] if kind else [member.value for member in Kind]
        born = and_(RECORDS.c.kind.in_(kinds), RECORDS.c.birth_date == parsed.date)
        yield _read_whole(session, born, also=_other_dates(session, kind, parsed.date, parsed.date))
    if parsed.year:
        others = _other_dates(session, kind, str(parsed.year), str(parsed.year + 1))
        yield _Pool(session, RECORDS.c.birth_year == parsed.year, rows=others)  # ~11,000 born: names first
    elif parsed.numbers:
        yield _read_whole(session, RECORDS.c.registration_number.in_(parsed.numbers))
    elif parsed.book:
        yield _read_whole(session, RECORDS.c.book_id == parsed.book)
    elif parsed.words:
        held = set(session.scalars(_GIVEN_NAMES))
        words = set(parsed.words)
        unknown = words - held  # a typo, or a family or middle name
        yield _Pool(session, RECORDS.c.given_fold.in_(sorted(words | _near(unknown, held))), NAMED_CANDIDATES)
        if near_held := _near(words & held, held) - words:  # a typo that spells another given name
            yield _Pool(session, RECORDS.c.given_fold.in_(sorted(near_held)), NAMED_CANDIDATES)
        yield _Pool(session, None, rows=_indexed_candidates(session, parsed, kind, held))


def _other_dates(session: Session, kind: str | None, first: str, last: str) -> list[Candidate]:
    """(record_id, name) of the records a date or year finds other than by a birth: deaths that
    day or year, marriages registered then (with each spouse's name), and marriages whose wife
    was born then (with her name)."""
    rows: list[Candidate] = []
    for statement in _other_date_reads(kind, first, last):
        for record_id, name, wife in _fetch(session, statement):  # a marriage: either spouse asks
            rows += [(record_id, name), (record_id, wife)] if wife else [(record_id, name)]
    return rows


def _other_date_reads(kind: str | None, first: str, last: str) -> list[Select[Any]]:
    """The reads of ``_other_dates``: (record_id, name, the wife's name or NULL) rows.

    ``first`` to ``last`` is the day (``last == first``) or the year as ISO text (``'1998'`` to
    ``'1999'``, the end left out: partial dates ``1998-03`` fall in). Each is answered by a partial
    covering index of migration 0005 alone, whose condition it repeats word for word (SQLite uses
    a partial index only then)."""
    if kind == Kind.birth:
        return []

    def when(column: Any) -> ColumnElement[bool]:
        return column == first if first == last else and_(column >= first, column < last)

    event_kinds = [kind] if kind else [Kind.death.value, Kind.marriage.value]
    events = select(*_COLUMNS, RECORDS.c.other_fold)
    reads = [events.where(NOT_BIRTH, RECORDS.c.kind.in_(event_kinds), when(RECORDS.c.event_date))]
    if kind in (None, Kind.marriage):
        wives = select(RECORDS.c.record_id, RECORDS.c.other_fold, null())
        reads.append(wives.where(MARRIAGE, when(RECORDS.c.other_birth_date)))
    return [read.limit(CANDIDATES) for read in reads]


def _read_whole(session: Session, where: ColumnElement[bool], also: list[Candidate] | None = None) -> _Pool:
    """A day, a number or a book holds few records: read them whole, in one query (with ``also``,
    rows read already)."""
    rows = _fetch(session, select(*_COLUMNS).where(where).limit(CANDIDATES))
    return _Pool(session, None, rows=cast(list[Candidate], rows) + (also or []))


# The given names held, each read once from ix_records_given_name (a loose index scan: one
# index lookup per name, where SELECT DISTINCT reads every record's entry: 105 names of 1,000,000
# records in 1.1 ms instead of 70 ms on SQLite).
_GIVEN_NAMES = text(
    "WITH RECURSIVE given(name) AS ("
    " SELECT min(given_fold) FROM records"
    " UNION ALL"
    " SELECT (SELECT min(given_fold) FROM records WHERE given_fold > given.name) FROM given"
    " WHERE given.name IS NOT NULL"
    ") SELECT name FROM given WHERE name IS NOT NULL"
)


def _slips(word: str) -> int:
    """The typing slips a word may hold and still be read as meant: two from 6 letters."""
    return 1 if len(word) < 6 else 2


def _near(words: set[str], held: set[str]) -> set[str]:
    """The given names held one typing slip from one of the words (two for a word of 6 letters
    or more)."""
    near: set[str] = set()
    for word in words:
        slips = _slips(word)
        found = process.extract(word, held, scorer=OSA.distance, score_cutoff=slips, limit=None)
        near.update(name for name, _, _ in found)
    return near


def _indexed_candidates(session: Session, parsed: Query, kind: str | None, held: set[str]) -> list[Candidate]:
    """Names only, when the given-name index found nobody near: the backend's trigram index.

    The records holding every word of 3 letters or more of the query in the person's, a
    spouse's or a parent's name; then those holding every word once each word that is no given
    name may be one a slip or two away (``held``: a typo in a wife's given name); then those
    holding any of the words. FTS5 phrases on SQLite, LIKE through the ``pg_trgm`` index on
    PostgreSQL (similarity ranked every record sharing a trigram with the query: 5-8 s at
    1,000,000 records)."""
    if not parsed.words:
        return []
    kind_filter = "AND r.kind = :kind" if kind else ""
    long_words = [word for word in parsed.words if len(word) >= 3]
    postgresql = session.get_bind().dialect.name == "postgresql"
    found: dict[str, Any] = {}
    params: dict[str, Any]
    if postgresql and not long_words:  # words of one or two letters: trigram similarity
        sql = (
            "SELECT r.record_id, r.name_fold, r.other_fold FROM records r "
            f"WHERE r.search_text % :q {kind_filter} ORDER BY similarity(r.search_text, :q) DESC LIMIT :limit"
        )
        params = {"q": parsed.name, "kind": kind, "limit": INDEXED_CANDIDATES}
        found = {row[0]: row for row in session.execute(text(sql), params)}
    as_written = [[word] for word in long_words]
    slipped = [  # a word that is no given name held may be a typo for one
        [word, *sorted(near for near in _near({word}, held) if len(near) >= 3)] if word not in held else [word]
        for word in long_words
    ]  # fmt: skip
    readings: list[list[list[str]]] = []  # each an AND of groups, OR within a group
    for reading in [as_written, slipped, [long_words]] if long_words else []:
        if reading not in readings:
            readings.append(reading)
    for reading in readings:
        params = {"kind": kind, "limit": INDEXED_CANDIDATES}
        if postgresql:
            terms = [word for group in reading for word in group]
            params |= {f"w{index}": "%" + _like_escaped(word) + "%" for index, word in enumerate(terms)}
            numbered = iter(range(len(terms)))
            match = " AND ".join(
                "(" + " OR ".join(f"r.search_text LIKE :w{next(numbered)}" for _ in group) + ")" for group in reading
            )
            sql = f"SELECT r.record_id, r.name_fold, r.other_fold FROM records r WHERE {match} {kind_filter}"
            sql += " LIMIT :limit"
        else:
            groups = ("(" + " OR ".join(_fts_string(word) for word in group) + ")" for group in reading)
            params["match"] = " AND ".join(groups)
            sql = (
                # CROSS JOIN: SQLite joins in the order written, from the index; with a plain JOIN and a
                # kind it walked every record of the kind and looked each up (1,000,000: minutes)
                "SELECT r.record_id, r.name_fold, r.other_fold FROM records_fts f "
                f"CROSS JOIN records r ON r.rowid = f.rowid WHERE records_fts MATCH :match {kind_filter} LIMIT :limit"
            )
        for row in session.execute(text(sql), params):  # those a closer reading found are kept
            found.setdefault(row[0], row)
        if len(found) >= 5:
            break
    # a marriage is found by the wife's name as well as the husband's: a candidate for each
    rows = list(found.values())
    return [(record_id, name) for record_id, name, _ in rows] + [(row[0], row[2]) for row in rows if row[2]]


def _like_escaped(word: str) -> str:
    """A word matched literally by LIKE (PostgreSQL's escape character is the backslash)."""
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


_RELATIVES = (RECORDS.c.record_id, RECORDS.c.name_fold, RECORDS.c.other_fold, RECORDS.c.father_fold,
              RECORDS.c.mother_fold)  # fmt: skip


def _names_a_relative(parsed: Query, best: float) -> bool:
    """Whether the query may hold a parent's or spouse's name after (or before) the person's:
    more words than a name has, or four that are no name held."""
    return len(parsed.words) > 4 or (len(parsed.words) == 4 and best < NEAR_NAME)


Reading = tuple[Query, list[tuple[str | None, Query]]]  # the person's name; each relative's role and name


def _readings(parsed: Query) -> list[Reading]:
    """The ways to read a query as the person's name and the relatives' names.

    Role words split the query (one reading). Without them, or before the first when the query
    begins with one, each run of 2-4 words may be the person's name and the words left a
    relative's (the last run only after a leading role word: the relative was said first)."""
    marked: list[tuple[str | None, Query]] = [(role, Query(list(words), [])) for role, words in parsed.relatives]
    if parsed.relatives and not parsed.lead_role:
        return [(parsed, marked)]
    words, readings = parsed.words, []
    for size in range(2, min(4, len(words) - 1) + 1):
        for start in [len(words) - size] if parsed.lead_role else range(len(words) - size + 1):
            rest = Query(words[:start] + words[start + size :], [])
            readings.append((Query(words[start : start + size], []), [(parsed.lead_role, rest), *marked]))
    return readings


def _with_relatives(parsed: Query, pool: _Pool, limit: int) -> dict[str, float]:
    """Scores of the candidates when the query names the person and a parent or spouse.

    For each reading of the query (``_readings``), the nearest names to the person's are picked
    from the pool (as for a plain name), and only their records are read with their parents' and
    spouse's names. A record scores the similarities of the person's and each relative's names
    weighted by their words, so the person whose father is named comes first and a namesake with
    another father after (a parent misremembered, or not written in the book)."""
    readings = _readings(parsed)
    picked: dict[str, list[tuple[float, Reading]]] = {}
    # a namesake whose relatives are not the ones named is no answer: keep more names than for a name alone
    # (when the person's words are known: a reading each run of the words would cost too much)
    enough = RELATIVES_ENOUGH if parsed.says_a_relative else None
    shortlists = _name_shortlists([person for person, _ in readings], pool.counts, limit, enough)
    for reading, shortlist in zip(readings, shortlists, strict=True):
        for name, score in shortlist.items():
            if score >= 70:
                picked.setdefault(name, []).append((score, reading))
    scores: dict[str, float] = {}
    for row in pool.relatives(picked):
        for score, (person, relatives) in picked.get(row[1], ()):
            weighted = len(person.words) * score
            weighted += sum(len(relative.words) * _role_similarity(role, relative, row) for role, relative in relatives)
            combined = weighted / (len(person.words) + sum(len(relative.words) for _, relative in relatives))
            if combined >= 70 and combined > scores.get(row[0], 0.0):
                scores[row[0]] = combined
    return scores


_HELD_AS = {"spouse": 2, "father": 3, "mother": 4}  # where a ``_RELATIVES`` row holds each role's name
ANOTHER_ROLE = 0.9  # a name said as the father's that the record holds as the mother's: a slip, less sure
NOT_HELD = 60.0  # a relative named that the record does not hold (no father written): neither for nor against


def _role_similarity(role: str | None, relative: Query, row: tuple[Any, ...]) -> float:
    """0-100: how near a relative's name, said as ``role`` (None: unsaid), comes to the record's
    (a ``_RELATIVES`` row)."""
    held = [name for name in row[2:5] if name]
    if role is None:
        return _relative_similarity(relative, held)
    own = row[_HELD_AS[role]]
    others = [name for name in held if name != own]
    near = _relative_similarity(relative, [own]) if own else NOT_HELD
    return max(near, ANOTHER_ROLE * _relative_similarity(relative, others))


PART_OF_A_NAME = 0.9  # a relative's name said in part (a father's given name alone) is less sure than whole


def _relative_similarity(relative: Query, held: list[str]) -> float:
    """0-100: how near the query's words for a relative come to a record's relatives: typing
    slips to one relative's name, or to all of them (both parents named, in any order), or, a
    little less sure, to a part of one relative's name (its words in their order, a father's
    given name alone)."""
    if not held:
        return 0.0
    best = max(_name_similarity(relative, " ".join(held)), *(_name_similarity(relative, name) for name in held))
    for name in held:
        words = name.split()
        if len(relative.words) < len(words):
            best = max(best, PART_OF_A_NAME * _part_similarity(relative.words, words))
    return best


def _part_similarity(said: list[str], words: list[str]) -> float:
    """0-100: the share of the words said found in a name's words, in their order, each a slip
    away at most (two for 6 letters or more)."""
    found, position = 0.0, 0
    for word in said:
        slips = _slips(word)
        for index in range(position, len(words)):
            if (distance := OSA.distance(word, words[index], score_cutoff=slips)) <= slips:
                found += 1 - distance / max(len(word), len(words[index]))
                position = index + 1
                break
    return 100 * found / len(said)


def _shortlist(parsed: Query, pool: _Pool, limit: int) -> dict[str, float]:
    """Scores of the candidates whose names come nearest the query's name (with a relative's,
    when the query names one)."""
    if parsed.says_a_relative:  # the relative's words are known: they score every candidate
        return _with_relatives(parsed, pool, limit)
    scores = _name_shortlist(parsed, pool.counts, limit)
    shortlist: dict[str, float] = {}
    for record_id, name in pool.records(scores):  # a marriage may come with either spouse's name
        if name:
            shortlist[record_id] = max(scores[name], shortlist.get(record_id, 0.0))
    if _names_a_relative(parsed, max(shortlist.values(), default=0.0)):
        for record_id, score in _with_relatives(parsed, pool, limit).items():
            shortlist[record_id] = max(score, shortlist.get(record_id, 0.0))
    return shortlist


def _name_shortlist(parsed: Query, counts: Counter[str], limit: int) -> dict[str, float]:
    """Scores of the names, among the candidates' (``counts``: records of each), that come
    nearest the query's name."""
    return _name_shortlists([parsed], counts, limit)[0]


def _name_shortlists(
    queries: Sequence[Query], counts: Counter[str], limit: int, enough: int | None = None
) -> list[dict[str, float]]:
    """For each query, the scores of the names among the candidates' that come nearest its name.

    Distinct names are picked by ``fuzz.ratio`` (best for a typo) and ``fuzz.token_sort_ratio``
    (words in another order), then scored by typing slips (``_name_similarity``); picked names
    are kept, the best first, until their records are enough to rank. The picking scores every
    query against every name in one ``cdist`` call per scorer: for the dozen readings of a query
    with a parent's name, a third of the time of one ``process.extract`` each."""
    if not counts or not queries:
        return [{} for _ in queries]
    enough = enough or max(50, limit * 10)
    distinct = list(counts)
    picks = min(50, len(distinct))
    picked: list[set[str]] = [set() for _ in queries]
    for scorer in (fuzz.ratio, fuzz.token_sort_ratio):
        similarity = process.cdist([query.name for query in queries], distinct, scorer=scorer, dtype=numpy.uint8)
        # the best first, ties in the candidates' order (as process.extract): a stable sort
        order = numpy.argsort(100 - similarity, axis=1, kind="stable")[:, :picks]
        for names, row in zip(picked, order, strict=True):
            names.update(distinct[index] for index in row)
    shortlists = []
    for query, names in zip(queries, picked, strict=True):
        scores: dict[str, float] = {}
        taken, cut = 0, None
        for score, name in sorted(((_name_similarity(query, name), name) for name in names), reverse=True):
            if cut is not None and score < cut:
                break
            scores[name] = score
            taken += counts[name]
            if cut is None and taken >= enough:
                cut = score  # names as near as the last one taken are kept too
        shortlists.append(scores)
    return shortlists


def _name_similarity(parsed: Query, name: str) -> float:
    """0-100: one minus the typing slips (a letter replaced, dropped, added, or two swapped: OSA
    distance) over the longer length, in the written order, or with the words sorted less
    ``WORD_ORDER``. ``fuzz.ratio`` counts a replaced letter twice, which makes "hans" as near to
    "hoan" as to "hang"."""
    in_order = 100 * OSA.normalized_similarity(parsed.name, name)
    if in_order == 100:
        return in_order
    any_order = 100 * OSA.normalized_similarity(parsed.sorted_name, " ".join(sorted(name.split())))
    return max(in_order, any_order - WORD_ORDER)


@dataclass
class Results:
    hits: list[Hit]
    alike: int = 0  # records left out that match exactly as well as the last hit shown: ask for more
    # No record near the whole query, but this many (up to WORD_COUNT_CAP) hold its words: a name
    # typed in part ("nguyen", "van an"). The officer is asked for the rest, never told "none".
    holding_words: int = 0


WORD_COUNT_CAP = 1000


def count_holding_words(session: Session, parsed: Query) -> int:
    """How many records hold every word of the query's name, counted up to WORD_COUNT_CAP: words
    of 3 letters or more through the index (FTS5 trigrams on SQLite, pg_trgm's LIKE on PostgreSQL),
    each word whole (``an`` is not ``anh``)."""
    if not parsed.words:
        return 0
    params: dict[str, Any] = {"cap": WORD_COUNT_CAP}
    params |= {f"w{index}": "% " + _like_escaped(word) + " %" for index, word in enumerate(parsed.words)}
    whole = " AND ".join(f"(' ' || r.search_text || ' ') LIKE :w{index}" for index in range(len(parsed.words)))
    long_words = [word for word in parsed.words if len(word) >= 3]
    if session.get_bind().dialect.name == "postgresql" or not long_words:
        indexed = " AND ".join(f"r.search_text LIKE :l{index}" for index in range(len(long_words))) or "TRUE"
        params |= {f"l{index}": "%" + _like_escaped(word) + "%" for index, word in enumerate(long_words)}
        sql = f"SELECT count(*) FROM (SELECT 1 FROM records r WHERE {indexed} AND {whole} LIMIT :cap) AS held"
    else:
        params["match"] = " AND ".join(_fts_string(word) for word in long_words)
        sql = (
            "SELECT count(*) FROM (SELECT 1 FROM records_fts f CROSS JOIN records r ON r.rowid = f.rowid "
            f"WHERE records_fts MATCH :match AND {whole} LIMIT :cap)"
        )
    return int(session.execute(text(sql), params).scalar() or 0)


def search(engine: Engine, query: str, *, kind: str | None = None, limit: int = 20) -> list[Hit]:
    """Records matching a counter query, best first."""
    return find(engine, query, kind=kind, limit=limit).hits


def _fts_string(word: str) -> str:
    """A word as an FTS5 string: quoted, a quote inside doubled (``"van`` was a syntax error)."""
    return '"' + word.replace('"', '""') + '"'


# What a person says at the counter fits in a line: a name, a date, a parent's name. Longer input
# is refused before any work (a 20,000-character query took 6 s, 90,000 took 120 s and 5.7 GB).
MAX_QUERY_CHARS = 200
MAX_QUERY_WORDS = 24


def check_query(query: str) -> None:
    """Refuse a query too long to be one person's description (``query_too_long``)."""
    if len(query) > MAX_QUERY_CHARS or len(query.split()) > MAX_QUERY_WORDS:
        raise HotichError(
            "query_too_long",
            f"the query has {len(query):,} characters and {len(query.split()):,} words "
            f"(at most {MAX_QUERY_CHARS} and {MAX_QUERY_WORDS})",
            fix="type the name, a date or year, and a parent's name if needed",
        )


def find(engine: Engine, query: str, *, kind: str | None = None, limit: int = 20) -> Results:
    """The best ``limit`` records for a counter query, and how many more match them as well
    (namesakes born the same year: no ranking can choose among them, the officer must ask more)."""
    check_query(query)
    parsed = parse_query(query)
    with Session(engine) as session:
        pools = _pools(session, parsed, kind)
        pool = next(pools, _Pool(session, None))
        if not parsed.words:
            ranked = _rank(session, parsed, {row[0]: 100.0 for row in pool.records(limit=limit * 10)}, kind)
        else:
            ranked, best = _ranked_names(session, parsed, pool, kind, limit)
            near = NEAR_RELATIVES if parsed.says_a_relative else NEAR_NAME
            while best < near and (wider := next(pools, None)) is not None:  # nobody near enough: try wider
                tried, reached = _ranked_names(session, parsed, wider, kind, limit)
                if reached >= best:
                    ranked, best = tried, reached
        shown, rest = ranked[:limit], ranked[limit:]
        alike = sum(1 for _, score in rest if score >= shown[-1][1]) if shown else 0
        ids = [record_id for record_id, _ in shown]
        full = {row.record_id: row for row in session.scalars(select(RecordRow).where(RecordRow.record_id.in_(ids)))}
        holding = count_holding_words(session, parsed) if not shown else 0
        return Results([_hit(full[record_id], score) for record_id, score in shown], alike, holding)


def _ranked_names(session: Session, parsed: Query, pool: _Pool, kind: str | None,
                  limit: int) -> tuple[list[tuple[str, float]], float]:  # fmt: skip
    """The pool's records ranked for the query, and the best name similarity among them: of the
    kind asked for only (a birth of the name must not stop the search for a wife's marriage)."""
    shortlist = _shortlist(parsed, pool, limit)
    ranked = _rank(session, parsed, shortlist, kind)
    return ranked, max((shortlist[record_id] for record_id, _ in ranked), default=0.0)


_RANK_COLUMNS = (
    RecordRow.record_id, RecordRow.kind, RecordRow.name_key, RecordRow.other_key, RecordRow.birth_date,
    RecordRow.birth_year, RecordRow.registration_number, RecordRow.book_id, RecordRow.page_no, RecordRow.row_no,
    RecordRow.event_date, RecordRow.other_birth_date,
)  # fmt: skip


def _days(row: Any) -> set[str]:
    """The dates a counter query may give for a record (``_RANK_COLUMNS`` row): the birth; for a
    death or a marriage its own date too, and for a marriage the wife's birth."""
    days = {row.birth_date, row.other_birth_date}
    if row.kind != Kind.birth:
        days.add(row.event_date)
    return {day for day in days if day}


def _bonus(row: Any, parsed: Query) -> float:
    bonus = 0.0
    written = set((row.name_key or "").split()) | set((row.other_key or "").split())
    if parsed.keyed and set(parsed.keyed) <= written:
        bonus += 5  # typed with the same diacritics: exact spelling first
    days = _days(row)
    if parsed.date and parsed.date in days:
        bonus += 10
    elif parsed.year and str(parsed.year) in {day[:4] for day in days}:
        bonus += 3
    if parsed.numbers and row.registration_number in parsed.numbers:
        bonus += 10
    if parsed.book and row.book_id == parsed.book:
        bonus += 5
    return bonus


def _rank(session: Session, parsed: Query, shortlist: dict[str, float], kind: str | None) -> list[tuple[str, float]]:
    """(id, score) of the shortlist, best first: name similarity plus exact spelling, date, number, book."""
    if not shortlist:
        return []
    rows = session.execute(select(*_RANK_COLUMNS).where(RecordRow.record_id.in_(list(shortlist)))).all()
    scored = [
        (shortlist[row.record_id] + _bonus(row, parsed), row.book_id or "", row.page_no or 0, row.row_no or 0,
         row.record_id)
        for row in rows
        if not kind or row.kind == kind
    ]  # fmt: skip
    scored = [item for item in scored if not parsed.words or item[0] >= 60]
    scored.sort(key=lambda item: (-item[0], item[1], item[2], item[3]))
    return [(item[4], item[0]) for item in scored]


def _hit(record: RecordRow, score: float) -> Hit:
    return Hit(
        record.record_id,
        record.kind,
        round(score, 2),
        record.person_name,
        record.other_name,
        record.birth_date,
        record.registration_number,
        record.book_id,
        record.page_no,
        record.row_no,
        record.status,
        record.fields.get("father_name"),
        record.fields.get("mother_name"),
        record.event_date if record.kind != Kind.birth else None,
        record.other_birth_date,
        record.cluster_id,
    )
