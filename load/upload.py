"""A book that arrives as an upload (issue 23, point 1): checked, unpacked into a book folder,
and a digitising run queued for ``hotich worker``. Nothing here waits for OCR.

The upload's files are already on disk (the web app streams them there). A ZIP is unpacked
member by member, each checked before a byte of it is written: no path outside the folder
(ZIP slip), no link, no member that expands past the limits (decompression bomb), only page
scans (PNG, JPEG, TIFF, PDF, told by their first bytes, not their names). Everything goes
into a staging folder first and is moved into place in one rename, so a refused or broken
upload leaves no half-made book. Every problem found is reported at once."""

from __future__ import annotations

import json
import shutil
import stat
import uuid
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from extract.images import HALVES_JOIN, MANIFEST
from load.runs import queue_run
from load.schema import Book, Run
from records import BookManifest

CHUNK = 1 << 20
# What an upload may hold; the web app takes them from its settings (HOTICH_UPLOAD_MAX_MB …).
MAX_UPLOAD_BYTES = 4 << 30  # the request as sent: a book of 1,000 pages at 300 dpi, JPEG, fits
MAX_UNPACKED_BYTES = 16 << 30  # what a ZIP may expand to
MAX_MEMBERS = 5_000  # files in a ZIP (a book is a few hundred pages)
MAX_RATIO = 200  # a member expanding more than this over its compressed size is a bomb (a scan is not)
JUNK = ("__MACOSX/", ".DS_Store", "Thumbs.db", "desktop.ini")  # what copying on a Mac or Windows adds
SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": ".png",
    b"\xff\xd8\xff": ".jpg",
    b"II*\x00": ".tif",
    b"MM\x00*": ".tif",
    b"%PDF-": ".pdf",
}


@dataclass(frozen=True)
class Limits:
    upload_bytes: int = MAX_UPLOAD_BYTES
    unpacked_bytes: int = MAX_UNPACKED_BYTES
    members: int = MAX_MEMBERS


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an upload: a code the web app words, and what it is about."""

    code: str  # manifest | zip_slip | zip_link | zip_bomb | zip_members | zip_broken | not_a_scan | ...
    subject: str = ""  # a file or member name, a manifest field
    detail: str = ""


@dataclass
class UploadRefused(Exception):
    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        return "; ".join(f"{p.code} {p.subject} {p.detail}".strip() for p in self.problems)


@dataclass(frozen=True)
class Accepted:
    book_id: str
    folder: Path
    pages: int  # scan files written (a PDF or multi-page TIFF counts once here)
    run_id: int


def manifest_from_form(values: dict[str, str]) -> BookManifest:
    """The manifest from the form's fields (blank ones left out); ``UploadRefused`` lists every
    field that is wrong at once."""
    data: dict[str, object] = {}
    for key in ("book_id", "kind", "layout", "volume", "registration_place"):
        if values.get(key, "").strip():
            data[key] = values[key].strip()
    for key in ("year", "opened_year", "page_offset"):
        text = values.get(key, "").strip()
        if text:
            data[key] = text  # pydantic says "not a number" by the field's name
    locality = {key: values[key].strip() for key in ("commune", "district", "province") if values.get(key, "").strip()}
    if locality:
        data["locality"] = locality
    try:
        return BookManifest.model_validate(data)
    except ValidationError as error:
        problems = []
        for issue in error.errors():
            where = ".".join(str(part) for part in issue["loc"]) or _whole_field(issue["msg"])
            problems.append(Problem("manifest", where, issue["msg"]))
        raise UploadRefused(problems) from None


def _whole_field(message: str) -> str:
    """The field a check of the whole manifest is about (the layout must be one of the kind's)."""
    return "layout" if "layout" in message else "book"


def _kind_of(head: bytes) -> str | None:
    return next((suffix for magic, suffix in SIGNATURES.items() if head.startswith(magic)), None)


def _page_name(name: str) -> str | None:
    """The file name a member or upload is kept as; None when it cannot be a page's name."""
    base = PurePosixPath(name.replace("\\", "/")).name
    if not base or base in (".", "..") or base.startswith(".") or HALVES_JOIN in base or base == MANIFEST:
        return None
    if any(ord(char) < 32 for char in base) or len(base.encode()) > 200:
        return None
    return base


def _unsafe(name: str) -> bool:
    """A member path that would land outside the folder it is unpacked into (ZIP slip)."""
    path = name.replace("\\", "/")
    parts = PurePosixPath(path).parts
    return path.startswith("/") or (len(path) > 1 and path[1] == ":") or ".." in parts


def _copy(source: BinaryIO, target: Path, limit: int) -> int:
    """Copy at most ``limit`` bytes; -1 when the source holds more (it lied about its size)."""
    written = 0
    with target.open("xb") as out:
        while chunk := source.read(min(CHUNK, limit - written + 1)):
            written += len(chunk)
            if written > limit:
                return -1
            out.write(chunk)
    return written


def _unpack(archive: Path, shown: str, staging: Path, limits: Limits, problems: list[Problem]) -> list[str]:
    try:
        zipped = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as error:
        problems.append(Problem("zip_broken", shown, str(error)))
        return []
    written: list[str] = []
    with zipped:
        members = [info for info in zipped.infolist() if not info.is_dir() and not info.filename.startswith(JUNK)]
        members = [info for info in members if PurePosixPath(info.filename).name not in JUNK]
        if len(members) > limits.members:
            problems.append(Problem("zip_members", shown, f"{len(members)} > {limits.members}"))
            return []
        total = sum(info.file_size for info in members)
        if total > limits.unpacked_bytes:
            problems.append(Problem("zip_bomb", shown, f"{total:,} bytes unpacked > {limits.unpacked_bytes:,}"))
            return []
        for info in members:
            if _unsafe(info.filename):
                problems.append(Problem("zip_slip", info.filename))
            elif stat.S_ISLNK(info.external_attr >> 16):
                problems.append(Problem("zip_link", info.filename))
            elif info.file_size > CHUNK and info.file_size > MAX_RATIO * max(1, info.compress_size):
                problems.append(Problem("zip_bomb", info.filename, f"{info.file_size:,} from {info.compress_size:,}"))
            elif info.flag_bits & 0x1:
                problems.append(Problem("zip_encrypted", info.filename))
        if problems:
            return []
        for info in members:
            name = _page_name(info.filename)
            if PurePosixPath(info.filename.replace("\\", "/")).name == MANIFEST:
                problems.append(Problem("manifest_in_zip", info.filename))
                continue
            if name is None:
                problems.append(Problem("bad_name", info.filename))
                continue
            if (staging / name).exists():
                problems.append(Problem("same_name", info.filename))
                continue
            try:
                with zipped.open(info) as source:
                    head = source.read(8)
                    if _kind_of(head) is None:
                        problems.append(Problem("not_a_scan", info.filename))
                        continue
                    with (staging / name).open("xb") as out:
                        out.write(head)
                        copied = len(head)
                        while chunk := source.read(CHUNK):
                            copied += len(chunk)
                            if copied > info.file_size:  # the header lied: stop at what it said
                                break
                            out.write(chunk)
                if copied > info.file_size:
                    problems.append(Problem("zip_bomb", info.filename, "expands past its stated size"))
                    continue
            except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError) as error:
                problems.append(Problem("zip_broken", info.filename, str(error)))
                continue
            written.append(name)
    return written


def accept_upload(
    engine: Engine,
    manifest: BookManifest,
    files: Iterable[tuple[str, BinaryIO]],
    books_dir: Path,
    user: str,
    limits: Limits = Limits(),
) -> Accepted:
    """Check the uploaded ``files`` (a ZIP of scans, one PDF, or images), write the book folder
    ``books_dir/BOOK_ID`` with its book.json and queue a digitising run; ``UploadRefused`` with
    every problem otherwise (then nothing is left behind)."""
    target = books_dir / manifest.book_id
    with Session(engine) as session:
        held = session.get(Book, manifest.book_id) is not None
        queued = session.scalar(select(Run.id).where(Run.book_id == manifest.book_id).limit(1)) is not None
    if held or queued or target.exists():
        raise UploadRefused([Problem("book_exists", manifest.book_id)])
    books_dir.mkdir(parents=True, exist_ok=True)
    staging = books_dir / f".incoming-{uuid.uuid4().hex}"
    staging.mkdir()
    try:
        problems: list[Problem] = []
        written = _take_files(files, staging, limits, problems)
        if not written and not problems:
            problems.append(Problem("empty"))
        if problems:
            raise UploadRefused(problems)
        (staging / MANIFEST).write_text(
            json.dumps(manifest.model_dump(exclude_none=True, mode="json"), ensure_ascii=False, indent=2) + "\n",
            encoding="utf-8",
        )
        try:
            staging.rename(target)  # one step: the book appears whole or not at all
        except OSError:
            raise UploadRefused([Problem("book_exists", manifest.book_id)]) from None
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    run_id = queue_run(engine, manifest.book_id, target, user, detail=f"upload of {len(written)} files")
    return Accepted(manifest.book_id, target, len(written), run_id)


def _take_files(
    files: Iterable[tuple[str, BinaryIO]], staging: Path, limits: Limits, problems: list[Problem]
) -> list[str]:
    written: list[str] = []
    for shown, source in files:
        head = source.read(8)
        source.seek(0)
        if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
            archive = staging / f".upload-{uuid.uuid4().hex}.zip"
            if _copy(source, archive, limits.upload_bytes) < 0:
                problems.append(Problem("too_big", shown))
                continue
            written += _unpack(archive, shown, staging, limits, problems)
            archive.unlink()
            continue
        name = _page_name(shown)
        if name is None:
            problems.append(Problem("bad_name", shown))
        elif _kind_of(head) is None:
            problems.append(Problem("not_a_scan", shown))
        elif (staging / name).exists():
            problems.append(Problem("same_name", shown))
        elif _copy(source, staging / name, limits.upload_bytes) < 0:
            problems.append(Problem("too_big", shown))
        else:
            written.append(name)
    return written
