"""Errors with a stable code and a sentence telling the operator what to do.

Every code raised anywhere in hotich is listed in ``docs/errors.md``; a test checks that.
"""

from __future__ import annotations


class HotichError(Exception):
    """A configuration or input problem the operator can fix."""

    def __init__(self, code: str, message: str, *, fix: str, where: str = "") -> None:
        self.code = code
        self.message = message
        self.fix = fix
        self.where = where
        super().__init__(self.describe())

    def describe(self) -> str:
        place = f"{self.where}: " if self.where else ""
        return f"[{self.code}] {place}{self.message} — {self.fix}"
