"""Read a page's cells in as few OCR calls as the doubt allows, whatever the layout."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from typing import TypeVar

import numpy as np

from extract.tesseract import OcrEngine, Reading
from extract.vote import needs_second_look, second_renderings, settled

Cell = TypeVar("Cell", bound=Hashable)


def read_cells(
    renderings: Mapping[Cell, list[np.ndarray]],
    key_of: Mapping[Cell, str],
    engine: OcrEngine,
    extra: list[np.ndarray],
    *,
    second: Callable[[Cell], bool] = lambda _cell: True,
) -> tuple[dict[Cell, list[Reading]], list[Reading]]:
    """Every cell read in its first rendering, with the ``extra`` images (a page's margins; one
    OCR call); the doubtful cells ``second`` allows again, rendering by rendering, until two
    readings agree on a plausible text (one more OCR call per round). Returns the cells'
    readings and the extra images'."""
    cells = list(renderings)
    first = engine.read([renderings[cell][0] for cell in cells] + extra)
    first, margins = first[: len(cells)], first[len(cells) :]
    by_cell = {cell: [reading] for cell, reading in zip(cells, first, strict=True)}
    pending = [cell for cell in cells if second(cell) and needs_second_look(key_of[cell], by_cell[cell][0])]
    for index in range(1, max((len(images) for images in renderings.values()), default=1)):
        pending = [cell for cell in pending if index in second_renderings(key_of[cell])]
        if not pending:
            break
        for cell, reading in zip(pending, engine.read([renderings[cell][index] for cell in pending]), strict=True):
            by_cell[cell].append(reading)
        pending = [cell for cell in pending if not settled(key_of[cell], by_cell[cell])]
    return by_cell, margins
