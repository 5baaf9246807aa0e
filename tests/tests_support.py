"""Helpers shared by tests that need the generated sample books."""

from __future__ import annotations

from pathlib import Path


def birth_book_dir(sample_root: Path) -> Path:
    return next((sample_root / "books").glob("KS-*"))
