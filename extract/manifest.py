"""``book.json``: read and validated before any page is touched, every problem reported at once."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError

from extract.images import MANIFEST
from records import BookManifest, HotichError

MAX_MANIFEST_BYTES = 64 * 1024


def read_manifest(book_dir: Path) -> BookManifest:
    """The book's manifest, or ``HotichError`` naming the folder and every problem."""
    where = f"book folder {book_dir}"
    if not book_dir.is_dir():
        raise HotichError("book_dir_missing", "the folder does not exist", fix="check the path", where=where)
    path = book_dir / MANIFEST
    if not path.is_file():
        raise HotichError(
            "manifest_missing", f"there is no {MANIFEST}", fix="add book.json (see README, Using it)", where=where
        )
    size = path.stat().st_size
    if size > MAX_MANIFEST_BYTES:  # a manifest is a few lines: a 60 MB locality is not one
        raise HotichError(
            "manifest_invalid",
            f"{MANIFEST} is {size:,} bytes (at most {MAX_MANIFEST_BYTES:,})",
            fix="correct book.json",
            where=where,
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except RecursionError as error:  # "[[[[…" nested thousands deep
        raise HotichError(
            "manifest_invalid",
            f"{MANIFEST} is nested too deeply to be a manifest",
            fix="correct book.json",
            where=where,
        ) from error
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise HotichError(
            "manifest_invalid", f"{MANIFEST} is not valid JSON ({error})", fix="correct book.json", where=where
        ) from error
    try:
        manifest = BookManifest.model_validate(data)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in problem['loc']) or 'book.json'}: {problem['msg']}"
            for problem in error.errors()
        )
        code = "manifest_unknown_kind" if any(p["loc"] == ("kind",) for p in error.errors()) else "manifest_invalid"
        raise HotichError(code, f"{MANIFEST} is invalid: {problems}", fix="correct book.json", where=where) from error
    layout = manifest.book_layout
    if layout is not None and not layout.read:
        raise HotichError(
            "layout_not_supported",
            f"book {manifest.book_id} has layout '{manifest.layout}' ({layout.description}); this version does not "
            "read its pages yet",
            fix="digitise it with a later hotich, or set layout to ledger if the pages are ruled tables of one row "
            "per record",
            where=where,
        )
    return manifest
