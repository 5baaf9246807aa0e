"""Record linkage: new records against the records already held, with splink (DuckDB, embedded).

Records are compared within their kind. A record is *new* until a linkage run has looked
at it (``cluster_id`` is null); *held* records carry the id of their cluster, which never
changes as batches arrive (splink 5 has no incremental matching: each run links the new
batch against the held records, link-only, and within itself, and hotich keeps its own
cluster column).

Comparisons are built for Vietnamese names: the tone-placement-insensitive key, the
accent-folded name (OCR drops or swaps single tone marks), one letter off in one syllable
(most syllables have 2–4 letters, so plain edit-distance thresholds on the whole name
fail), the middle name missing; a term-frequency adjustment on the folded name (Nguyễn Văn
An is common). Dates: exact, day and month swapped, same month, same year. Parents,
place, and the registration number with its year.

Decisions (:class:`LinkSettings`): at or above ``upper`` the record is a duplicate of the
held record's cluster; between ``lower`` and ``upper`` it goes to review with
``possible_duplicate:<candidate id>``; below, it starts a cluster of its own.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
from pydantic import BaseModel, Field
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from load.db import writing
from load.schema import LinkPair, LinkRun, RecordRow
from normalize.names import given_name_counts
from records import Kind, Status

SETTINGS_VERSION = "link-2"  # bump whenever comparisons or blocking change
log = logging.getLogger(__name__)


class LinkSettings(BaseModel):
    """Thresholds of the link decision (match probability)."""

    upper: float = Field(default=0.99, ge=0.5, le=1.0)
    lower: float = Field(default=0.50, ge=0.0, le=1.0)
    train: bool = True  # estimate u (random sampling) and m (EM) on the data before predicting
    min_records_to_train: int = 2000
    # A model trained by an earlier run (stored with it) is reused; retrain re-estimates it.
    retrain: bool = False


MIDDLE_MISSING = "same family and given name, middle name missing on one side"
MIDDLE_DIFFERS = "same family and given name, middle names differ"


def _null(*columns: str) -> dict[str, Any]:
    condition = " OR ".join(f"{column}_l IS NULL OR {column}_r IS NULL" for column in columns)
    return {"sql_condition": condition, "label_for_charts": "null", "is_null_level": True}


def _level(condition: str, label: str, m: float, u: float) -> dict[str, Any]:
    """A level with its prior m (share of true matches there) and u (share of non-matches)."""
    return {"sql_condition": condition, "label_for_charts": label, "m_probability": m, "u_probability": u}


def _name_comparison(prefix: str, label: str, *, tf: bool) -> dict[str, Any]:
    key, folded, given = (f"{prefix}_key", f"{prefix}_fold", f"{prefix}_given")
    if prefix == "name":
        key, folded, given = "name_key", "name_fold", "given"
    same_count = f"len(string_split({folded}_l, ' ')) = len(string_split({folded}_r, ' '))"
    shortest = f"least(len(string_split({folded}_l, ' ')), len(string_split({folded}_r, ' ')))"
    family_given = f"split_part({folded}_l, ' ', 1) = split_part({folded}_r, ' ', 1) AND {given}_l = {given}_r"
    levels: list[dict[str, Any]] = [
        _null(folded),
        _level(f"{key}_l = {key}_r", "same name (tone placement ignored)", 0.80, 0.002),
        _level(f"{folded}_l = {folded}_r", "same letters, tone marks differ", 0.10, 0.0008),
        _level(
            f"{same_count} AND damerau_levenshtein({folded}_l, {folded}_r) <= 1",
            "one letter off in one syllable",
            0.05,
            0.0004,
        ),
        _level(f"{family_given} AND {shortest} <= 2", MIDDLE_MISSING, 0.025, 0.0005),
        _level(family_given, MIDDLE_DIFFERS, 0.005, 0.002),
        # Full names share family and middle names (a long common prefix): similar as a whole
        # only when the given names are close too.
        _level(
            f"jaro_winkler_similarity({folded}_l, {folded}_r) >= 0.9 AND "
            f"(damerau_levenshtein({given}_l, {given}_r) <= 1 OR jaro_winkler_similarity({given}_l, {given}_r) >= 0.9)",
            "similar, given names close",
            0.015,
            0.005,
        ),
        _level("ELSE", "different", 0.005, 0.9898),
    ]
    if tf:  # Nguyễn Văn An is common: agreeing on it says less than on a rare name
        for level in levels[1:3]:
            level["tf_adjustment_column"] = folded
            level["tf_adjustment_weight"] = 1.0
    return {"output_column_name": label, "comparison_levels": levels}


def _date_comparison(column: str, label: str) -> dict[str, Any]:
    swapped = f"strftime(try_strptime({column}_r, '%Y-%d-%m'), '%Y-%m-%d')"
    both_full = f"length({column}_l) = 10 AND length({column}_r) = 10"
    year_only = f"(length({column}_l) = 4 OR length({column}_r) = 4)"
    levels = [
        _null(column),
        _level(f"{column}_l = {column}_r", "same date", 0.85, 0.0001),
        _level(f"length({column}_l) = 10 AND {column}_l = {swapped}", "day and month swapped", 0.03, 0.00002),
        _level(f"{both_full} AND damerau_levenshtein({column}_l, {column}_r) <= 1", "one figure off", 0.04, 0.003),
        _level(
            f"substr({column}_l, 1, 4) = substr({column}_r, 1, 4) AND {year_only}",
            "same year, one date is a year only",
            0.04,
            0.002,
        ),
        _level(f"substr({column}_l, 1, 7) = substr({column}_r, 1, 7)", "same month", 0.02, 0.002),
        _level("ELSE", "different", 0.02, 0.99),
    ]
    return {"output_column_name": label, "comparison_levels": levels}


def _exact(column: str, label: str, m: float, u: float) -> dict[str, Any]:
    levels = [
        _null(column),
        _level(f"{column}_l = {column}_r", "same", m, u),
        _level("ELSE", "different", 1 - m, 1 - u),
    ]
    return {"output_column_name": label, "comparison_levels": levels}


def _fuzzy(column: str, label: str) -> dict[str, Any]:
    levels = [
        _null(column),
        _level(f"{column}_l = {column}_r", "same", 0.85, 0.002),
        _level(f"jaro_winkler_similarity({column}_l, {column}_r) >= 0.9", "similar", 0.1, 0.01),
        _level("ELSE", "different", 0.05, 0.988),
    ]
    return {"output_column_name": label, "comparison_levels": levels}


def splink_settings(kind: Kind, *, term_frequencies: bool = True) -> dict[str, Any]:
    """The settings (with prior m and u) for linking records of ``kind``.

    Term-frequency adjustments need enough records to count names in; on a few records
    every name looks common, so small runs leave them out.
    """
    comparisons = [_name_comparison("name", "name", tf=term_frequencies), _date_comparison("birth_date", "birth_date")]
    # Blocking keeps recall high on noisy OCR: any one of a garbled name or a garbled date
    # still meets its duplicate through another rule.
    blocking = [
        "l.birth_date = r.birth_date",  # any name error
        "l.name_fold = r.name_fold AND l.birth_year = r.birth_year",  # date swapped, a figure off, year only
        "l.name_fold = r.name_fold AND substr(l.birth_date, 6, 5) = substr(r.birth_date, 6, 5)",  # year off
        "l.given = r.given AND substr(l.birth_date, 1, 7) = substr(r.birth_date, 1, 7)",  # family/middle off
        "l.mother_fold = r.mother_fold AND l.birth_year = r.birth_year",
        "l.mother_fold = r.mother_fold AND l.given = r.given",
    ]
    if kind == Kind.marriage:
        comparisons += [
            _name_comparison("other", "wife_name", tf=False),
            _date_comparison("other_birth_date", "wife_birth_date"),
        ]
        blocking += ["l.other_fold = r.other_fold", "l.other_given = r.other_given AND l.given = r.given"]
    else:
        if kind == Kind.death:
            comparisons.append(_date_comparison("event_date", "death_date"))
            blocking.append("l.event_date = r.event_date AND l.family = r.family")
        comparisons += [
            _exact("sex", "sex", 0.98, 0.5),
            _fuzzy("father_fold", "father_name"),
            _fuzzy("mother_fold", "mother_name"),
        ]
    comparisons += [_exact("place_fold", "place", 0.7, 0.05), _exact("reg_key", "registration", 0.5, 0.0005)]
    return {
        "link_type": "link_and_dedupe",
        "unique_id_column_name": "unique_id",
        "probability_two_random_records_match": 1e-6,
        "blocking_rules_to_generate_predictions": blocking,
        "comparisons": comparisons,
        "retain_intermediate_calculation_columns": True,
        "retain_matching_columns": True,
        "additional_columns_to_retain": [],
    }


# The columns linkage reads, per kind. Each row is read as ONE string (values joined by the
# unit separator, U+001F) and split in DuckDB: a million rows cost a million Python strings,
# not fifteen million values (2.1 s instead of 5.7 s for 1,000,000 held births).
_PERSON = (
    "record_id", "name_key", "name_fold", "given_fold", "birth_date", "sex", "father_fold", "mother_fold",
    "place_fold", "registration_number || '/' || substr(registration_date, 1, 4)",
)  # fmt: skip
_OTHER = ("event_date", "other_key", "other_fold", "other_birth_date")
_NAMES = ("unique_id", "name_key", "name_fold", "given", "birth_date", "sex", "father_fold", "mother_fold",
          "place_fold", "reg_key", "event_date", "other_key", "other_fold", "other_birth_date")  # fmt: skip
SEPARATOR = "\x1f"


def _select(kind: Kind, *, new: bool, sqlite: bool, near: bool = False, digitised: bool = False) -> str:
    columns = _PERSON + {Kind.birth: (), Kind.death: _OTHER[:1], Kind.marriage: _OTHER}[kind]
    joined = " || chr(31) || ".join(f"coalesce({column}, '')" for column in columns)
    if sqlite:
        joined = joined.replace("chr(31)", "char(31)")
    # Held records by a plain scan (SQLite would otherwise walk an index and fetch each row at
    # random); new records in batch order, so a within-batch duplicate links to the earlier row.
    hint = ("INDEXED BY ix_records_cluster" if new else "NOT INDEXED") if sqlite and not near else ""
    order = "ORDER BY book_id, page_no, row_no, record_id" if new else ""
    param = "?" if sqlite else "%s"
    base = (
        f"SELECT {joined} FROM records {hint} WHERE kind = {param} AND status != 'rejected' "
        f"AND duplicate_of IS NULL AND cluster_id IS {'NULL' if new else 'NOT NULL'}"
    )
    if digitised:
        base += " AND book_id IS NOT NULL"
    if near:
        # Only the held records one of the blocking keys of one record reaches: one indexed lookup
        # per key, joined by UNION (an OR of them would scan the table). The mother's-name rule of
        # batch runs has no index and is left out.
        keys = (f"birth_date = {param}", f"name_fold = {param}", f"given_fold = {param} AND birth_year = {param}")
        parts = [f"{base} AND record_id != {param} AND {key}" for key in keys]
        if sqlite:  # "+kind": SQLite must look the name up by its own index, not scan the kind's
            parts[1] = parts[1].replace("WHERE kind =", "WHERE +kind =")
        return " UNION ".join(parts)
    return f"{base} {order}"


def _derived(kind: Kind, source: str, table: str) -> str:
    """The comparisons' columns from the joined lines (empty values are nulls)."""
    read = len(_PERSON) + {Kind.birth: 0, Kind.death: 1, Kind.marriage: len(_OTHER)}[kind]
    parts = ", ".join(f"nullif(parts[{index + 1}], '') AS {name}" for index, name in enumerate(_NAMES[:read]))
    other = "".join(f", NULL::VARCHAR AS {name}" for name in _NAMES[read:])
    return f"""
SELECT *, split_part(name_fold, ' ', 1) AS family, TRY_CAST(substr(birth_date, 1, 4) AS INTEGER) AS birth_year,
       split_part(other_fold, ' ', -1) AS other_given, '{source}' AS source_dataset
FROM (SELECT {parts}{other} FROM (SELECT string_split(line, chr(31)) AS parts FROM {table}))
"""


def read_records(
    engine: Engine, kind: Kind, *, new: bool, near: RecordRow | None = None, digitised: bool = False
) -> pa.Table:
    """The new (never linked) or held records of a kind, one joined line per record; with
    ``near``, only the held records that record's blocking keys reach; ``digitised``, only those
    read from books."""
    sql = _select(kind, new=new, sqlite=engine.dialect.name == "sqlite", near=near is not None, digitised=digitised)
    params: tuple[Any, ...] = (kind.value,)
    if near is not None:
        rid = near.record_id
        params = (kind.value, rid, near.birth_date, kind.value, rid, near.name_fold, kind.value, rid,
                  near.given_fold, near.birth_year)  # fmt: skip
    return _lines(engine, sql, params)


def _lines(engine: Engine, sql: str, params: tuple[Any, ...]) -> pa.Table:
    with engine.connect() as connection:
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        cursor.execute(sql, params)
        lines = [row[0] for row in cursor.fetchall()]
        cursor.close()
    return pa.table({"line": pa.array(lines, pa.string())})


def _imported_lines(engine: Engine, kind: Kind, source: str) -> pa.Table:
    """The records imported from ``source`` that no linkage run has compared yet."""
    sqlite = engine.dialect.name == "sqlite"
    param = "?" if sqlite else "%s"
    sql = _select(kind, new=False, sqlite=sqlite).replace("NOT INDEXED", "")
    compared = "SELECT 1 FROM link_pairs p WHERE p.record_id = records.record_id"
    sql += f" AND source_import = {param} AND NOT EXISTS ({compared})"
    return _lines(engine, sql, (kind.value, source))


@dataclass
class LinkResult:
    kind: Kind
    new: int = 0
    held: int = 0
    links: int = 0
    candidates: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    run_id: int | None = None
    trained: bool = False  # the model's m and u were estimated on data (this run or an earlier one)


# EM rounds: each estimates the m values of the comparisons not in its blocking rule.
TRAINING_RULES = ("l.name_fold = r.name_fold", "l.birth_date = r.birth_date AND l.mother_fold = r.mother_fold")


def _predict(
    kind: Kind,
    held: pa.Table,
    new: pa.Table,
    settings: dict[str, Any],
    link: LinkSettings,
    *,
    train: bool,
    within: bool = True,
) -> tuple[list[dict[str, Any]], dict[str, Any], list[str]]:
    """Scored pairs (new × held, and new × new unless ``within`` is False) at or above ``lower``,
    and the trained settings."""
    import duckdb
    from splink import DuckDBAPI, Linker

    connection = duckdb.connect(config={"memory_limit": "1500MB", "threads": 2})
    db_api = DuckDBAPI(connection=connection)
    # Each table carries its source_dataset (splink's own column for link_and_dedupe): the
    # within-batch prediction over the new table alone needs it too.
    for name, table in (("held", held), ("new", new)):
        connection.register(f"raw_{name}", table)
        connection.execute(f"CREATE TABLE {name} AS " + _derived(kind, name, f"raw_{name}"))
        connection.unregister(f"raw_{name}")
    held_df = db_api.register("held", dataset_display_name="held_records")
    new_df = db_api.register("new", dataset_display_name="new_records")
    linker = Linker([held_df, new_df], settings, log_level=logging.ERROR)
    if train:
        linker.training.estimate_u_using_random_sampling(max_pairs=2e5, seed=7)
        for rule in TRAINING_RULES:
            try:
                linker.training.estimate_parameters_using_expectation_maximisation(rule, max_pairs=2e5)
            except ValueError as error:  # a level no training pair reached: splink 5 refuses m = 0
                log.warning("EM on %s kept the prior m values (%s)", rule, error)
    if "tf_adjustment_column" in json.dumps(settings["comparisons"]):
        linker.table_management.compute_tf_table("name_fold")
    pairs = linker.inference.predict_between(
        held_df, new_df, threshold_match_probability=link.lower, warning_mode="never"
    )
    records = pairs.as_record_list()
    if within:
        among = linker.inference.predict_within([new_df], threshold_match_probability=link.lower, warning_mode="never")
        records += among.as_record_list()
    trained = linker.misc.save_model_to_json()
    new_ids = [row[0] for row in connection.execute("SELECT unique_id FROM new").fetchall()]
    connection.close()
    return records, trained, new_ids


def _explanation(pair: dict[str, Any], settings: dict[str, Any]) -> dict[str, Any]:
    """Each comparison's level, label and match weight for a scored pair (kept for ``explain``)."""
    parts = []
    for comparison in settings["comparisons"]:
        name = comparison["output_column_name"]
        gamma = pair.get(f"gamma_{name}")
        labels = [level.get("label_for_charts", "") for level in comparison["comparison_levels"]]
        non_null = [label for label, level in zip(labels, comparison["comparison_levels"], strict=True)
                    if not level.get("is_null_level")]  # fmt: skip
        label = "null" if gamma is None or gamma < 0 else non_null[len(non_null) - 1 - gamma]
        weight = float(pair.get(f"mw_{name}") or 0.0) + float(pair.get(f"mw_tf_adj_{name}") or 0.0)
        parts.append({"comparison": name, "level": label, "gamma": gamma, "match_weight": round(weight, 3)})
    kept = {key: value for key, value in pair.items() if key not in ("held_id", "new_id")}
    return {"comparisons": parts, "pair": json.loads(json.dumps(kept, default=str))}


# A link needs the person's name and birth date to agree at least roughly: twins share
# parents, birth date and place, namesakes share the name; however strong the rest, a pair
# whose name or birth date is "different" is only a candidate for a person to decide.
_MUST_AGREE = {Kind.birth: ("name", "birth_date"), Kind.death: ("name", "birth_date", "death_date"),
               Kind.marriage: ("name", "wife_name")}  # fmt: skip


def _agrees_enough(pair: dict[str, Any], kind: Kind) -> bool:
    """No must-agree comparison at "different"; no name whose middle names differ (siblings);
    no two given names that are both real, different names (Thu and Thuỷ are twins, not an
    OCR error: OCR errors make names nobody carries, such as Tbuy)."""
    counts = given_name_counts()
    for given in ("given", "other_given"):
        left, right = pair.get(f"{given}_l"), pair.get(f"{given}_r")
        if left and right and left != right and left in counts and right in counts:
            return False
    for name in _MUST_AGREE[kind]:
        gamma = pair.get(f"gamma_{name}")
        if gamma == 0:
            return False
        if name in ("name", "wife_name") and gamma == _MIDDLE_DIFFERS_GAMMA:
            return False
    return True


def _gamma_of(label: str) -> int:
    """A name level's gamma: splink numbers the non-null levels from the last (0) up."""
    levels = [
        level["label_for_charts"]
        for level in _name_comparison("name", "name", tf=False)["comparison_levels"]
        if not level.get("is_null_level")
    ]
    return len(levels) - 1 - levels.index(label)


_MIDDLE_DIFFERS_GAMMA = _gamma_of(MIDDLE_DIFFERS)


def _trained_model(engine: Engine, kind: Kind) -> dict[str, Any] | None:
    """The model estimated by the latest run of this settings version for ``kind``, if any."""
    with Session(engine) as session:
        runs = session.scalars(
            select(LinkRun).where(LinkRun.settings_version == SETTINGS_VERSION).order_by(LinkRun.id.desc()).limit(50)
        )
        for run in runs:
            if run.settings.get("kind") == kind.value and run.settings.get("trained"):
                model: dict[str, Any] = run.settings["model"]
                return model
    return None


def link_new_records(engine: Engine, *, settings: LinkSettings | None = None) -> list[LinkResult]:
    """Link every new record against the held ones (and the new ones among themselves).

    Idempotent: records linked once are held and are not linked again; a run killed
    half-way changes nothing (its decisions are written in one transaction per kind).
    """
    settings = settings or LinkSettings()
    results = []
    for kind in Kind:
        started = time.perf_counter()
        new = read_records(engine, kind, new=True)
        if new.num_rows == 0:
            continue
        held = read_records(engine, kind, new=False)
        result = LinkResult(kind, new=new.num_rows, held=held.num_rows)
        result.seconds["read"] = time.perf_counter() - started
        enough = held.num_rows + new.num_rows >= settings.min_records_to_train
        previous = None if settings.retrain else _trained_model(engine, kind)
        model = previous or splink_settings(kind, term_frequencies=enough)
        # A stored model keeps its estimated m and u; blocking is today's.
        model["blocking_rules_to_generate_predictions"] = splink_settings(kind)[
            "blocking_rules_to_generate_predictions"
        ]
        train = settings.train and enough and previous is None
        pairs, trained, new_ids = _predict(kind, held, new, model, settings, train=train)
        result.trained = train or previous is not None
        result.seconds["splink"] = time.perf_counter() - started - result.seconds["read"]
        _decide(engine, kind, new_ids, pairs, trained, settings, result)
        result.seconds["total"] = time.perf_counter() - started
        results.append(result)
    return results


def _swapped(column: str) -> str:
    if column.endswith("_l"):
        return column[:-2] + "_r"
    if column.endswith("_r"):
        return column[:-2] + "_l"
    return column


def _decide(
    engine: Engine,
    kind: Kind,
    new_ids: list[str],
    pairs: list[dict[str, Any]],
    trained: dict[str, Any],
    settings: LinkSettings,
    result: LinkResult,
) -> None:
    is_new = set(new_ids)
    order = {record_id: index for index, record_id in enumerate(new_ids)}
    best: dict[str, dict[str, Any]] = {}
    for scored in pairs:
        left, right = scored["unique_id_l"], scored["unique_id_r"]
        if left in is_new and right in is_new:  # within the batch: the later record is the duplicate
            left, right = sorted((left, right), key=order.__getitem__)
        elif left in is_new:
            left, right = right, left
        # Oriented: _l is the held (or earlier) record, _r the record being decided.
        swap = left != scored["unique_id_l"]
        pair = {_swapped(key) if swap else key: value for key, value in scored.items()}
        pair.update(held_id=left, new_id=right)
        current = best.get(right)
        if current is None or pair["match_probability"] > current["match_probability"]:
            best[right] = pair
    now = dt.datetime.now(dt.UTC)
    with Session(writing(engine)) as session, session.begin():
        run = LinkRun(
            settings_version=SETTINGS_VERSION,
            settings={
                "kind": kind.value,
                "decision": settings.model_dump(),
                "model": trained,
                "trained": result.trained,
            },
            new_records=len(new_ids),
            held_records=result.held,
            links=0,
            candidates=0,
        )
        session.add(run)
        session.flush()
        rows: dict[str, RecordRow] = {}
        for start in range(0, len(new_ids), 5000):
            chunk = new_ids[start : start + 5000]
            rows.update(
                (row.record_id, row) for row in session.scalars(select(RecordRow).where(RecordRow.record_id.in_(chunk)))
            )
        targets = sorted({pair["held_id"] for pair in best.values()} - set(new_ids))
        held_clusters: dict[str, str | None] = {}
        for start in range(0, len(targets), 5000):
            query = select(RecordRow.record_id, RecordRow.cluster_id).where(
                RecordRow.record_id.in_(targets[start : start + 5000])
            )
            held_clusters.update((record_id, cluster) for record_id, cluster in session.execute(query))
        clusters: dict[str, str] = {}
        for record_id in new_ids:  # in batch order: a duplicate's target is decided before it
            found = best.get(record_id)
            row = rows.get(record_id)
            if row is None:
                continue
            if found is None:
                row.cluster_id = record_id
                clusters[record_id] = record_id
                continue
            pair = found
            target = pair["held_id"]
            target_cluster = clusters.get(target) or held_clusters.get(target)
            probability = float(pair["match_probability"])
            row.match_probability = round(probability, 6)
            session.add(
                LinkPair(
                    link_run_id=run.id,
                    record_id=record_id,
                    candidate_id=target,
                    match_probability=probability,
                    match_weight=float(pair["match_weight"]),
                    comparison=_explanation(pair, trained),
                )
            )
            if probability >= settings.upper and _agrees_enough(pair, kind):
                row.duplicate_of = target_cluster or target
                row.cluster_id = target_cluster or target
                clusters[record_id] = row.cluster_id
                result.links += 1
            else:
                row.cluster_id = record_id
                clusters[record_id] = record_id
                if row.status not in (Status.reviewed.value, Status.rejected.value):
                    row.review_reasons = [*row.review_reasons, f"possible_duplicate:{target}"]
                    row.status = Status.needs_review.value
                result.candidates += 1
            row.updated_at = now
        run.links, run.candidates = result.links, result.candidates
        result.run_id = run.id


@dataclass(frozen=True)
class Explanation:
    record_id: str
    candidate_id: str
    match_probability: float
    match_weight: float
    comparisons: list[dict[str, Any]]
    pair: dict[str, Any]
    model: dict[str, Any]
    run_id: int


def explanations(engine: Engine, record_id: str) -> list[Explanation]:
    """The scored pairs a record is part of (as the new record or as the candidate)."""
    with Session(engine) as session:
        query = (
            select(LinkPair, LinkRun)
            .join(LinkRun, LinkRun.id == LinkPair.link_run_id)
            .where((LinkPair.record_id == record_id) | (LinkPair.candidate_id == record_id))
            .order_by(LinkPair.id.desc())
        )
        return [
            Explanation(
                pair.record_id,
                pair.candidate_id,
                pair.match_probability,
                pair.match_weight,
                pair.comparison["comparisons"],
                pair.comparison.get("pair", {}),
                run.settings.get("model", {}),
                run.id,
            )
            for pair, run in session.execute(query)
        ]


def waterfall_html(explanation: Explanation) -> str:
    """splink's waterfall chart of one pair, as a self-contained HTML page."""
    import duckdb
    from splink import DuckDBAPI, Linker

    pair = explanation.pair
    row = {column[:-2]: [pair.get(column)] for column in pair if column.endswith("_l")}
    row["unique_id"] = [explanation.candidate_id]
    connection = duckdb.connect()
    db_api = DuckDBAPI(connection=connection)
    table = db_api.register(pa.table(row), dataset_display_name="pair")
    linker = Linker(table, explanation.model, log_level=logging.ERROR)
    chart = linker.visualisations.waterfall_chart([pair], filter_nulls=False)
    html = chart.to_html(inline=True) if hasattr(chart, "to_html") else str(chart)
    connection.close()
    return html


def link_imported(engine: Engine, source: str, *, settings: LinkSettings | None = None) -> list[LinkResult]:
    """Link the records just imported from ``source`` against the digitised records already held,
    so that linking does not depend on which came first (a record imported after its digitised
    twin was never compared with it). Link-only: the held file's records are not deduplicated
    among themselves, and with no digitised record of a kind nothing is read."""
    settings = settings or LinkSettings()
    results = []
    for kind in Kind:
        started = time.perf_counter()
        held = read_records(engine, kind, new=False, digitised=True)
        if held.num_rows == 0:
            continue
        new = _imported_lines(engine, kind, source)
        if new.num_rows == 0:
            continue
        stored = _trained_model(engine, kind)
        model = stored or splink_settings(kind, term_frequencies=held.num_rows >= settings.min_records_to_train)
        model["blocking_rules_to_generate_predictions"] = splink_settings(kind)[
            "blocking_rules_to_generate_predictions"
        ]
        result = LinkResult(kind, new=new.num_rows, held=held.num_rows, trained=stored is not None)
        pairs, trained, new_ids = _predict(kind, held, new, model, settings, train=False, within=False)
        _decide(engine, kind, new_ids, pairs, trained, settings, result)
        result.seconds["total"] = time.perf_counter() - started
        results.append(result)
    return results


def link_one(engine: Engine, record_id: str, *, settings: LinkSettings | None = None) -> LinkResult | None:
    """Link one record made new again (a reviewer changed its name or date) against the held
    records its blocking keys reach: indexed lookups, not a read of every held record.

    The stored model is used without term frequencies (a handful of candidates is no sample
    of how common a name is); None when the record is not new.
    """
    settings = settings or LinkSettings()
    with Session(engine, expire_on_commit=False) as session:
        row = session.get(RecordRow, record_id)
    if row is None or row.cluster_id is not None:
        return None
    kind = Kind(row.kind)
    started = time.perf_counter()
    held = read_records(engine, kind, new=False, near=row)
    new = _line_of(engine, kind, record_id)
    stored = _trained_model(engine, kind)
    model = json.loads(json.dumps(stored or splink_settings(kind, term_frequencies=False)))
    for comparison in model["comparisons"]:
        for level in comparison["comparison_levels"]:
            level.pop("tf_adjustment_column", None)
            level.pop("tf_adjustment_weight", None)
    model["blocking_rules_to_generate_predictions"] = splink_settings(kind)["blocking_rules_to_generate_predictions"]
    result = LinkResult(kind, new=1, held=held.num_rows)
    pairs, trained, new_ids = _predict(kind, held, new, model, settings, train=False)
    result.trained = stored is not None
    _decide(engine, kind, new_ids, pairs, trained, settings, result)
    result.seconds["total"] = time.perf_counter() - started
    return result


def _line_of(engine: Engine, kind: Kind, record_id: str) -> pa.Table:
    sqlite = engine.dialect.name == "sqlite"
    sql = _select(kind, new=True, sqlite=sqlite).replace(
        "ORDER BY", f"AND record_id = {'?' if sqlite else '%s'} ORDER BY"
    )
    if sqlite:
        sql = sql.replace("INDEXED BY ix_records_cluster", "")
    with engine.connect() as connection:
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        cursor.execute(sql, (kind.value, record_id))
        lines = [found[0] for found in cursor.fetchall()]
        cursor.close()
    return pa.table({"line": pa.array(lines, pa.string())})
