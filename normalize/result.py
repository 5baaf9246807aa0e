"""What every normaliser returns: the canonical value and the issues found."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Normalized:
    """A canonical value (None when unknown) and issue codes such as ``invalid_date``."""

    value: str | None
    issues: tuple[str, ...] = field(default=())

    @classmethod
    def empty(cls) -> Normalized:
        return cls(None)
