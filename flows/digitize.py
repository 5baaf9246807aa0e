"""The digitise flow: extract → normalise → load, one book at a time, pages in parallel.

Flows only wire: every step is a plain function of ``extract``, ``normalize`` or ``load``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture, as_completed
from prefect.task_runners import ThreadPoolTaskRunner
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from extract.images import (
    PageRef,
    content_hash,
    list_pages,
    load_page,
    load_page_as_scanned,
    number_pages,
    pair_halves,
)
from extract.manifest import read_manifest
from extract.page import PageExtraction, extract_page
from extract.tesseract import OcrEngine, OcrFailed, TesseractEngine
from load.db import open_database, writing
from load.linkage import LinkResult, link_new_records
from load.store import (
    PageState,
    flag_number_sequence,
    page_states,
    record_failed_page,
    register_book,
    save_page,
    status_counts,
)
from normalize.record import ReviewSettings
from normalize.rows import page_records
from records import BookManifest, HotichError, Status

# Bump when extraction changes what it reads from a page: the OCR cache is keyed on it
# (pages already in the database are not read again either way).
PIPELINE_VERSION = "extract-19"
PAGE_WORKERS = 2


@dataclass(frozen=True)
class PageOutcome:
    page_no: int
    image_name: str
    status: str  # loaded | unchanged | failed
    rows: int = 0
    auto_accepted: int = 0
    needs_review: int = 0
    error: str | None = None
    layout: str | None = None  # the layout the page was read in, when recognised from it
    layout_score: float | None = None


@dataclass
class BookSummary:
    book_id: str
    outcomes: list[PageOutcome] = field(default_factory=list)
    links: list[LinkResult] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)  # a changed folder: scans added between pages, or gone
    statuses: dict[str, int] = field(default_factory=dict)  # the book's records by status after the run

    @property
    def duplicates(self) -> int:
        return sum(result.links for result in self.links)

    @property
    def possible_duplicates(self) -> int:
        return sum(result.candidates for result in self.links)

    def count(self, status: str) -> int:
        return sum(outcome.status == status for outcome in self.outcomes)

    @property
    def rows(self) -> int:
        return sum(outcome.rows for outcome in self.outcomes)

    @property
    def auto_accepted(self) -> int:
        return sum(outcome.auto_accepted for outcome in self.outcomes)

    @property
    def needs_review(self) -> int:
        return sum(outcome.needs_review for outcome in self.outcomes)

    @property
    def errors(self) -> list[str]:
        return [outcome.error for outcome in self.outcomes if outcome.error]


ProgressCallback = Callable[[str, int, PageOutcome | None], None]


def _ocr_failed(_task: Any, _run: Any, state: Any) -> bool:
    """Retry a page only when Tesseract crashed or timed out."""
    return isinstance(state.result(raise_on_failure=False), OcrFailed)


def _page_cache_key(_context: Any, parameters: dict[str, Any]) -> str:
    layouts = ",".join(layout.id for layout in parameters["manifest"].layouts_to_try())
    return f"{parameters['image_sha256']}:{layouts}:{PIPELINE_VERSION}"


@task(
    name="read-page",
    retries=1,
    retry_condition_fn=_ocr_failed,
    cache_key_fn=_page_cache_key,
    persist_result=True,
)
def read_page(book_dir: Path, manifest: BookManifest, page: PageRef, image_sha256: str) -> PageExtraction:
    """Load, clean and OCR one page (cached on the page's pixels)."""
    layout, candidates = manifest.book_layout, manifest.layouts_to_try()
    later = any(shape.structure != "row" for shape in candidates)
    if later:  # the later books' handwriting shows in the pen's colour
        image, gray = load_page_as_scanned(book_dir, page, book_id=manifest.book_id)
        colour = (
            np.ascontiguousarray(np.asarray(image.convert("RGB"))[:, :, ::-1])
            if image.mode in ("RGB", "RGBA", "P", "CMYK")
            else None
        )
    else:
        gray, colour = load_page(book_dir, page, book_id=manifest.book_id), None
    where = f"book {manifest.book_id}, file {page.image_name}"
    return extract_page(gray, layout=layout, engine=ocr_engine(), where=where, candidates=candidates, colour=colour)


def ocr_engine() -> OcrEngine:
    """The OCR engine pages are read with; tests replace it to replay or inject failures."""
    return _ENGINE_FACTORY()


_ENGINE_FACTORY: Callable[[], OcrEngine] = TesseractEngine


def use_ocr_engine(factory: Callable[[], OcrEngine]) -> None:
    global _ENGINE_FACTORY
    _ENGINE_FACTORY = factory


def _store_page(
    engine: Engine,
    manifest: BookManifest,
    page: PageRef,
    sha: str,
    extraction: PageExtraction,
    settings: ReviewSettings,
) -> PageOutcome:
    records = page_records(
        manifest, page_no=page.page_no, image_name=page.image_name, extraction=extraction, settings=settings
    )
    with Session(writing(engine)) as session, session.begin():
        save_page(
            session,
            book_id=manifest.book_id,
            page_no=page.page_no,
            image_name=page.image_name,
            image_sha256=sha,
            pipeline_version=PIPELINE_VERSION,
            angle=float(extraction.angle),
            warnings=extraction.warnings,
            records=records,
            page_label=extraction.page_label,
            layout=extraction.layout,
            layout_score=extraction.layout_score,
        )
    auto = sum(record.status == Status.auto_accepted for record in records)
    recognised = extraction.layout if extraction.layout_score is not None else None
    return PageOutcome(
        page.page_no,
        page.image_name,
        "loaded",
        len(records),
        auto,
        len(records) - auto,
        layout=recognised,
        layout_score=extraction.layout_score,
    )


def _store_failure(engine: Engine, manifest: BookManifest, page: PageRef, error: HotichError) -> PageOutcome:
    with Session(writing(engine)) as session, session.begin():
        record_failed_page(
            session, book_id=manifest.book_id, page_no=page.page_no, image_name=page.image_name, error=error
        )
    return PageOutcome(page.page_no, page.image_name, "failed", error=error.describe())


def _as_hotich_error(error: BaseException, manifest: BookManifest, page: PageRef) -> HotichError:
    if isinstance(error, HotichError):
        return error
    return HotichError(
        "page_failed",
        f"reading the page failed unexpectedly ({type(error).__name__}: {error})",
        fix="report this with the page scan attached",
        where=f"book {manifest.book_id}, file {page.image_name}",
    )


@task(name="deduplicate", cache_policy=NO_CACHE)
def deduplicate(engine: Engine) -> list[LinkResult]:
    """Link the book's new records against the records already held (load/linkage.py)."""
    return link_new_records(engine)


def check_book(book_dir: Path) -> BookManifest:
    """What can be known of a book before any work: its manifest, and that it holds pages. The CLI
    calls it before the flow, so a bad book is one clean line, not a failed flow's traceback."""
    manifest = read_manifest(book_dir)
    if not book_pages(book_dir, manifest)[0]:
        raise HotichError(
            "book_no_pages",
            "the book folder holds no page scans",
            fix="add the scans",
            where=f"book {manifest.book_id}",
        )
    return manifest


def book_pages(book_dir: Path, manifest: BookManifest) -> tuple[list[PageRef], list[str]]:
    """The book's pages after ``page_offset``: a spread that came as two half scans is one page."""
    return pair_halves(book_dir, list_pages(book_dir)[manifest.page_offset :], manifest.layouts_to_try())


@flow(
    name="digitize-book",
    task_runner=ThreadPoolTaskRunner(max_workers=PAGE_WORKERS),  # type: ignore[arg-type]  # Prefect's generic
    validate_parameters=False,
)
def digitize_book(
    book_dir: Path,
    db_url: str | None = None,
    settings: ReviewSettings | None = None,
    on_progress: ProgressCallback | None = None,
) -> BookSummary:
    """Digitise one book folder into the database; re-running it changes nothing loaded."""
    settings = settings or ReviewSettings()
    progress = on_progress or _dask_progress(book_dir) or (lambda *_: None)
    manifest = check_book(book_dir)
    engine = open_database(db_url)
    with Session(writing(engine)) as session, session.begin():
        register_book(session, manifest, book_dir)
        known = page_states(session, manifest.book_id)
    listed, paired = book_pages(book_dir, manifest)
    pages, numbered = number_pages(listed, {name: state.page_no for name, state in known.items()})
    notices = paired + numbered
    summary = BookSummary(manifest.book_id, notices=[f"book {manifest.book_id}: {notice}" for notice in notices])
    progress("start", len(pages), None)
    futures: dict[PrefectFuture[PageExtraction], tuple[PageRef, str]] = {}
    for page in pages:
        outcome, sha = _triage(book_dir, manifest, page, known, engine)
        if outcome is not None:
            summary.outcomes.append(outcome)
            progress("page", len(pages), outcome)
            continue
        futures[read_page.submit(book_dir, manifest, page, sha)] = (page, sha)
    for future in as_completed(list(futures)):
        page, sha = futures[future]
        try:
            outcome = _store_page(engine, manifest, page, sha, future.result(), settings)
        except Exception as error:  # noqa: BLE001 - one bad page never stops the book
            outcome = _store_failure(engine, manifest, page, _as_hotich_error(error, manifest, page))
        summary.outcomes.append(outcome)
        progress("page", len(pages), outcome)
    summary.outcomes.sort(key=lambda outcome: outcome.page_no)
    with Session(writing(engine)) as session, session.begin():
        flag_number_sequence(session, manifest.book_id)
    summary.links = deduplicate(engine)
    with Session(engine) as session:
        summary.statuses = status_counts(session, manifest.book_id)
    engine.dispose()
    return summary


def _triage(
    book_dir: Path, manifest: BookManifest, page: PageRef, known: dict[str, PageState], engine: Engine
) -> tuple[PageOutcome | None, str]:
    """(outcome, hash): an outcome when the page needs no reading (unchanged, or unreadable)."""
    try:
        sha = content_hash(load_page(book_dir, page, book_id=manifest.book_id))
    except HotichError as error:
        return _store_failure(engine, manifest, page, error), ""
    state = known.get(page.image_name)
    # Spec: re-running a book changes nothing already loaded, even under a newer hotich;
    # only a page whose pixels changed (a rescan) is read again.
    if state is not None and state.status == "loaded" and state.image_sha256 == sha:
        return PageOutcome(page.page_no, page.image_name, "unchanged", state.row_count), sha
    return None, sha


# The progress callbacks of runs on Dask, by book folder, kept out of the flow's parameters and out
# of what the flow's function refers to: Prefect sends the flow run's context (its parameters, the
# flow's function with the globals it names) with every task to the cluster, and a callback holding
# a terminal's lock (rich's progress bar) cannot be pickled. A module function is sent by name.
_DASK_PROGRESS: dict[str, ProgressCallback] = {}


def _dask_progress(book_dir: Path) -> ProgressCallback | None:
    return _DASK_PROGRESS.get(str(book_dir))


def _prefect_api_url() -> str | None:
    """This process's Prefect API: a configured server's, else the temporary one it started (ephemeral mode)."""
    from prefect.server.api.server import SubprocessASGIServer
    from prefect.settings import get_current_settings

    configured = get_current_settings().api.url
    if configured:
        return str(configured)
    return next((server.api_url for server in SubprocessASGIServer._instances.values() if server.running), None)


def on_dask(address: str | None = None, workers: int | None = None) -> Any:
    """The digitise flow with its pages spread over a Dask cluster (prefect-dask): the scheduler at
    ``address`` (``tcp://host:8786``; its workers on any machine that reads the book folder), else a
    local cluster of ``workers`` processes, one page at a time each. Every page is read by whichever
    worker is free; what it read comes back to the flow, which stores it (the database is written
    from one place, as in the default run)."""
    import os

    from prefect_dask import DaskTaskRunner

    class LocalDask(DaskTaskRunner):
        """A local cluster whose workers report to this process's Prefect server: without it each
        worker started a temporary server of its own (20 s and a core, seen in bench/dask_scaling.py)."""

        def __enter__(self) -> Any:
            url = _prefect_api_url()
            if url:
                self.cluster_kwargs.setdefault("env", {})["PREFECT_API_URL"] = url
            return super().__enter__()

    os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "warning")  # the cluster's chatter, not the pages'
    if address:
        runner = DaskTaskRunner(address=address)
    else:
        count = workers or PAGE_WORKERS
        runner = LocalDask(cluster_kwargs={"n_workers": count, "threads_per_worker": 1, "processes": True})
    flow = digitize_book.with_options(task_runner=runner)  # type: ignore[arg-type]  # Prefect's generic

    def run(
        book_dir: Path,
        db_url: str | None = None,
        settings: ReviewSettings | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> BookSummary:
        key = str(book_dir)
        if on_progress is not None:
            _DASK_PROGRESS[key] = on_progress
        try:
            return flow(book_dir, db_url, settings)
        finally:
            _DASK_PROGRESS.pop(key, None)

    return run
