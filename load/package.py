"""The Ministry's delivery package, per book: one Excel file (a row per record, in the
template's column codes), one PDF per record of its page scan, and the ZIP of the PDFs
(docs/spec/moj-package.md).

Everything is checked before anything is written (:func:`plan_package`); the refusals name
book, page, row and reason. With ``allow_incomplete`` the records that pass are written and
the rest listed. Files are written beside their final name and renamed when whole, so an
interrupted run leaves no half file under a name the Ministry takes.
"""

from __future__ import annotations

import os
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from unidecode import unidecode

from load.moj_template import Column, Template, ministry_date, ministry_number, split_signer
from load.package_pdf import page_jpeg, record_pdf
from load.review import corrections
from load.schema import Book, Page, RecordRow
from records import HotichError, Kind, Status
from records.layouts import FIELD_LABELS

_NUMBER = re.compile(r"^\d{1,6}$")
_FULL_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DATE_LENGTHS = (0, 4, 10)  # a written date is empty, yyyy or dd.mm.yyyy (the spec's check)
REFUSALS = (
    "book_locality", "book_volume", "book_year", "needs_review", "unmapped", "no_number", "bad_number",
    "no_date", "bad_date", "date_length", "duplicate", "scan", "pdf_budget",
)  # fmt: skip


@dataclass(frozen=True)
class Refusal:
    book: str
    page: int | None
    row: int | None
    code: str  # REFUSALS: what the web app shows in Vietnamese
    reason: str

    def describe(self) -> str:
        where = f"book {self.book}"
        if self.page is not None:
            where += f", page {self.page}"
        if self.row is not None:
            where += f", row {self.row}"
        return f"{where}: {self.reason}"


@dataclass
class Entry:
    """One record as the Ministry takes it: its cells in column order and its PDF's name."""

    record_id: str
    page_no: int
    row_no: int
    image_name: str
    cells: list[str]
    pdf_name: str


@dataclass
class BookPlan:
    book_id: str
    kind: Kind
    stem: str  # <xã>_<huyện>_<tỉnh>.<LOẠI>.<năm mở sổ>.<quyển>
    columns: list[str]
    entries: list[Entry] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)
    left_out: int = 0  # records refused (written without them under allow_incomplete)
    rejected: int = 0  # rows a reviewer rejected as no record: never delivered
    already_held: int = 0  # the same as a record imported from the Ministry's own file


@dataclass
class PackageResult:
    books: list[BookPlan]
    written: list[Path] = field(default_factory=list)
    pdf_sizes: list[float] = field(default_factory=list)  # kB per A4 page, one per record PDF

    @property
    def refusals(self) -> list[Refusal]:
        return [refusal for book in self.books for refusal in book.refusals]


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", unidecode(text).lower())


def initials(text: str) -> str:
    """``Huyện Bình Đại`` → ``hbd``."""
    return "".join(slug(word)[:1] for word in text.split())


def two_digits(volume: str) -> str:
    return volume.zfill(2) if volume.isdigit() else volume


def _book_facts(book: Book, template: Template) -> tuple[str, str, str, list[Refusal]]:
    """(stem, quyenSo, noiDangKy), or the book-level refusals: what book.json must give."""
    refusals = []
    locality = book.locality or {}
    missing = [part for part in ("commune", "district", "province") if not locality.get(part)]
    if missing:
        refusals.append(
            Refusal(
                book.book_id,
                None,
                None,
                "book_locality",
                f"book.json has no locality {', '.join(missing)} (the Excel file's name)",
            )
        )
    if not book.volume:
        refusals.append(Refusal(book.book_id, None, None, "book_volume", "book.json has no volume (quyển số)"))
    opened = book.opened_year or book.year
    if opened is None:
        refusals.append(
            Refusal(book.book_id, None, None, "book_year", "book.json has neither opened_year nor year (năm mở sổ)")
        )
    place = book.registration_place or ", ".join(
        str(locality[part]) for part in ("commune", "district", "province") if locality.get(part)
    )
    if refusals:
        return "", "", place, refusals
    volume = two_digits(str(book.volume))
    prefix = template.prefixes[Kind(book.kind)]
    stem = (
        "_".join((slug(locality["commune"]), initials(locality["district"]), initials(locality["province"])))
        + f".{prefix}.{opened}.{volume}"
    )
    return stem, f"{volume}/{opened}", place, []


def _corrections(session: Session, record_ids: list[str]) -> dict[str, list[str]]:
    """Each record's corrections by reviewers, dated, in the order they were made (for ghiChu)."""
    return {
        record_id: [
            f"Sửa ngày {entry.at:%d.%m.%Y}: {FIELD_LABELS.get(entry.field or '', entry.field or '')} "
            f"«{entry.old_value or ''}» thành «{entry.new_value or ''}»"
            for entry in entries
        ]
        for record_id, entries in corrections(session, record_ids).items()
    }


class _Unmapped(Exception):
    pass


def _cell(column: Column, row: RecordRow, template: Template, book: dict[str, str], notes: list[str]) -> str:
    value = row.fields.get(column.key) if column.key else None
    text = "" if value is None else str(value)
    conversion = column.conversion
    if conversion == "":
        return ""
    if conversion == "text":
        return text
    if conversion == "name":  # in the case the book writes it: the page's own letters tell
        written = str((row.raw or {}).get(column.key) or "")
        return text.upper() if text and written.isupper() else text
    if conversion == "date":
        return ministry_date(text)
    if conversion == "number":
        return ministry_number(text)
    if conversion == "code":
        if not text:
            return ""
        coded = template.code(column.argument, text)
        if coded is None:
            raise _Unmapped(f"{column.code}: {text!r} has no code in the map {column.argument}")
        return coded
    if conversion == "notes":
        return "; ".join(part for part in (text, *notes) if part)
    if conversion == "signer_name":
        return split_signer(text)[0]
    if conversion == "signer_title":
        return split_signer(text)[1]
    if conversion == "book":
        return book.get(column.argument, "")
    if conversion == "page":  # the number printed on the page (a form's field, else its margin), else the index
        label = row.fields.get("page_label") or book.get(f"page:{row.page_no}")
        return str(label) if label else str(row.page_no or "")
    raise AssertionError(conversion)  # parse_template admits no other


def _entry_refusals(row: RecordRow, columns: tuple[Column, ...], cells: list[str]) -> list[tuple[str, str]]:
    reasons = []
    number = ministry_number(row.fields.get("registration_number"))
    if not number:
        reasons.append(("no_number", "no entry number (so)"))
    elif not _NUMBER.match(number):
        reasons.append(("bad_number", f"entry number {number[:40]!r} is not a number of digits (so)"))
    registered = row.fields.get("registration_date")
    if not registered:
        reasons.append(("no_date", "no registration date (ngayDangKy)"))
    elif not _FULL_DATE.match(str(registered)):
        reasons.append(("bad_date", f"registration date {str(registered)[:40]!r} is not a whole day (ngayDangKy)"))
    for column, cell in zip(columns, cells, strict=True):
        if column.conversion == "date" and len(cell) not in DATE_LENGTHS:
            reasons.append(("date_length", f"{column.code} {cell!r} is neither empty nor 4 nor 10 characters"))
    return reasons


def _held_by_ministry(session: Session, record_ids: list[str]) -> set[str]:
    """Digitised records that are the same as a record imported (what the Ministry holds)."""
    held: set[str] = set()
    for start in range(0, len(record_ids), 500):
        chunk = record_ids[start : start + 500]
        imported_twins = select(RecordRow.duplicate_of).where(
            RecordRow.source_import.is_not(None), RecordRow.duplicate_of.in_(chunk)
        )
        held |= {duplicate for duplicate in session.scalars(imported_twins) if duplicate}
        twins_of_imported = select(RecordRow.record_id).where(
            RecordRow.record_id.in_(chunk),
            RecordRow.duplicate_of.in_(select(RecordRow.record_id).where(RecordRow.source_import.is_not(None))),
        )
        held |= set(session.scalars(twins_of_imported))
    return held


def plan_book(engine: Engine, book_id: str, template: Template) -> BookPlan:
    """Every record of the book as the Ministry takes it, and every reason one cannot go."""
    with Session(engine) as session:
        book = session.get(Book, book_id)
        if book is None:
            raise HotichError(
                "book_unknown", f"no book {book_id} in the database", fix="digitise it first", where=f"book {book_id}"
            )
        kind = Kind(book.kind)
        columns = template.columns[kind]
        plan = BookPlan(book_id, kind, "", [column.code for column in columns])
        stem, volume, place, refusals = _book_facts(book, template)
        plan.stem = stem
        plan.refusals += refusals
        rows = list(
            session.scalars(
                select(RecordRow).where(RecordRow.book_id == book_id).order_by(RecordRow.page_no, RecordRow.row_no)
            )
        )
        notes = _corrections(session, [row.record_id for row in rows])
        labels = session.execute(
            select(Page.page_no, Page.page_label).where(Page.book_id == book_id, Page.page_label.is_not(None))
        )
        printed = {f"page:{page_no}": str(label) for page_no, label in labels}
        held = _held_by_ministry(session, [row.record_id for row in rows])
    facts = {"volume": volume, "registration_place": place, **printed}
    prefix = template.prefixes[kind]
    for row in rows:
        if row.status == Status.rejected.value:
            plan.rejected += 1
            continue
        if row.record_id in held:
            plan.already_held += 1
            continue
        where = (book_id, row.page_no, row.row_no)
        reasons: list[tuple[str, str]] = []
        if row.status == Status.needs_review.value:
            reasons.append(("needs_review", "still needs review"))
        try:
            cells = [_cell(column, row, template, facts, notes.get(row.record_id, [])) for column in columns]
        except _Unmapped as error:
            reasons.append(("unmapped", f"unmapped code {error}"))
            cells = []
        if cells:
            reasons += _entry_refusals(row, columns, cells)
        if reasons:
            plan.refusals += [Refusal(*where, code, reason) for code, reason in reasons]
            plan.left_out += 1
            continue
        number = ministry_number(row.fields["registration_number"]).zfill(3)
        opened, volume_part = book.opened_year or book.year, two_digits(str(book.volume))
        pdf_name = f"{prefix}.{opened}.{volume_part}.{row.fields['registration_date']}.{number}.pdf"
        plan.entries.append(
            Entry(row.record_id, row.page_no or 0, row.row_no or 0, row.image_name or "", cells, pdf_name)
        )
    return plan


def _duplicates(plans: list[BookPlan]) -> None:
    """A (place, quyển, số) delivered twice: each copy refused, across the books packaged."""
    seen: dict[tuple[str, str, str], list[tuple[BookPlan, Entry]]] = {}
    for plan in plans:
        index = plan.columns.index
        for entry in plan.entries:
            place = entry.cells[index("noiDangKy")] if "noiDangKy" in plan.columns else ""
            volume = entry.cells[index("quyenSo")] if "quyenSo" in plan.columns else plan.stem
            number = entry.cells[index("so")] if "so" in plan.columns else entry.pdf_name
            seen.setdefault((place, f"{plan.kind}:{volume}", number.lstrip("0")), []).append((plan, entry))
    for (_, volume, number), found in seen.items():
        if len(found) < 2:
            continue
        for plan, entry in found:
            others = ", ".join(f"page {e.page_no} row {e.row_no}" for p, e in found if e is not entry)
            reason = f"entry number {number} of book {volume.split(':')[1]} is also at {others}"
            plan.refusals.append(Refusal(plan.book_id, entry.page_no, entry.row_no, "duplicate", reason))
    refused = {(r.book, r.page, r.row) for plan in plans for r in plan.refusals if r.page is not None}
    for plan in plans:
        kept = [e for e in plan.entries if (plan.book_id, e.page_no, e.row_no) not in refused]
        plan.left_out += len(plan.entries) - len(kept)
        plan.entries = kept


def plan_package(engine: Engine, book_ids: Iterable[str], template: Template) -> list[BookPlan]:
    plans = [plan_book(engine, book_id, template) for book_id in dict.fromkeys(book_ids)]
    _duplicates(plans)
    return plans


def _page_hashes(engine: Engine, book_id: str) -> dict[int, str | None]:
    with Session(engine) as session:
        query = select(Page.page_no, Page.image_sha256).where(Page.book_id == book_id)
        return {page_no: sha for page_no, sha in session.execute(query)}


def _write_whole(target: Path, data: bytes) -> None:
    partial = target.with_name(target.name + ".partial")
    partial.write_bytes(data)
    os.replace(partial, target)


def _sheet(plan: BookPlan) -> bytes:
    import io

    from openpyxl import Workbook

    from load.export import inert

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(plan.kind.value)
    sheet.append(plan.columns)
    for entry in plan.entries:
        sheet.append([inert(cell) if cell else None for cell in entry.cells])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def build_package(
    engine: Engine,
    book_ids: list[str],
    out: Path | None,
    template: Template,
    *,
    allow_incomplete: bool = False,
    on_progress: Callable[[str, int, int], None] | None = None,
) -> PackageResult:
    """Check, then (``out`` given, and nothing refused or ``allow_incomplete``) write, per book:
    the Excel file, the record PDFs in ``<stem>/``, and ``<stem>.zip`` of them.

    The PDFs are made before anything is written: a page over its size budget is a refusal too."""
    plans = plan_package(engine, book_ids, template)
    result = PackageResult(plans)
    progress = on_progress or (lambda *_: None)
    pdfs: dict[str, list[tuple[Entry, bytes]]] = {}
    for plan in plans:
        if not plan.stem:
            continue  # a book-level refusal: nothing of it can be named
        source = _source_dir(engine, plan.book_id)
        hashes = _page_hashes(engine, plan.book_id)
        wanted = {entry.page_no: entry.image_name for entry in plan.entries}
        jobs = [
            (source, name, page_no, plan.book_id, hashes.get(page_no), template) for page_no, name in wanted.items()
        ]
        page_pdfs: dict[int, PagePdf | str] = {}
        for job, made_pdf in zip(jobs, _page_pdfs(jobs), strict=True):
            page_pdfs[job[2]] = made_pdf
            progress(plan.book_id, len(page_pdfs), len(jobs))
        made = []
        for entry in plan.entries:
            page_pdf = page_pdfs[entry.page_no]
            if isinstance(page_pdf, str):
                plan.refusals.append(Refusal(plan.book_id, entry.page_no, entry.row_no, "scan", f"scan: {page_pdf}"))
                continue
            per_a4 = len(page_pdf.data) / 1024 / page_pdf.a4_pages
            if per_a4 > template.budget_kb_per_page:
                plan.refusals.append(
                    Refusal(
                        plan.book_id,
                        entry.page_no,
                        entry.row_no,
                        "pdf_budget",
                        f"its PDF is {per_a4:.0f} kB per A4 page, over the budget of {template.budget_kb_per_page} kB",
                    )
                )
                continue
            result.pdf_sizes.append(per_a4)
            made.append((entry, page_pdf.data))  # every record on a page gets the same PDF of it
        refused = {(r.page, r.row) for r in plan.refusals}
        kept = [(e, d) for e, d in made if (e.page_no, e.row_no) not in refused]
        plan.left_out += len(plan.entries) - len(kept)
        plan.entries = [e for e, _ in kept]
        pdfs[plan.book_id] = kept
    if out is None or (result.refusals and not allow_incomplete):
        return result
    out.mkdir(parents=True, exist_ok=True)
    for plan in plans:
        if not plan.stem or not plan.entries:
            continue
        folder = out / plan.stem
        folder.mkdir(exist_ok=True)
        for entry, data in pdfs[plan.book_id]:
            _write_whole(folder / entry.pdf_name, data)
        archive = out / f"{plan.stem}.zip"
        partial = archive.with_name(archive.name + ".partial")
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_STORED) as bundle:  # JPEG inside: deflate gains nothing
            for entry, data in pdfs[plan.book_id]:
                bundle.writestr(entry.pdf_name, data)
        os.replace(partial, archive)
        excel = out / f"{plan.stem}.xlsx"
        _write_whole(excel, _sheet(plan))
        result.written += [excel, archive]
    return result


@dataclass(frozen=True)
class PagePdf:
    data: bytes
    a4_pages: float


PageJob = tuple[str, str, int, str, str | None, Template]  # source dir, image, page, book, hash, template
PARALLEL_FROM = 8  # pages; fewer are made here, more over a process per core (a page costs about 0.25 s)


def _page_pdf(job: PageJob) -> PagePdf | str:
    """The PDF of one page, or why its scan cannot be one (a message: it crosses processes)."""
    try:
        page = page_jpeg(*job)
    except HotichError as error:
        return error.message
    return PagePdf(record_pdf([page]), page.a4_pages)


def _page_pdfs(jobs: list[PageJob]) -> Iterator[PagePdf | str]:
    """Each page's PDF, in order; over a process per core for a book of many pages."""
    workers = min(os.cpu_count() or 1, 8)
    if len(jobs) < PARALLEL_FROM or workers == 1:
        yield from map(_page_pdf, jobs)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # spawn: the web app calls this from a thread, and forking a process that has threads is unsafe
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        yield from pool.map(_page_pdf, jobs, chunksize=4)


def _source_dir(engine: Engine, book_id: str) -> str:
    with Session(engine) as session:
        book = session.get(Book, book_id)
        return book.source_dir if book else ""
