"""Pages of the ``page`` structure (layouts.md, form): one record per page, each value on the
dotted line after its printed label, up to the next label.

The whole page is read once: its printed labels come back as words with their boxes (they are
printed, so Tesseract reads them even where the values are handwritten). The labels are found
in printed order; each value's box runs from its label to the next label on the line (or the
line's end, the notes column's ruling), on to the following line when that line holds no label
(``ghi bằng chữ`` and the signer run on). The officer signs ``below`` the label, and the notes
sit in the ``margin`` column under ``Ghi chú``. The boxes are then cut and read as cells are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from difflib import SequenceMatcher

import cv2
import numpy as np

from extract.cells import BORDER, PageInk, has_writing, prepare_variants
from extract.clean import CleanPage, box_on_scan, clean_page
from extract.handwriting import by_hand, colour_crop, is_colour, look, printed_blueness
from extract.reading import read_cells
from extract.table import ruling_masks
from extract.tesseract import OcrEngine, Word
from extract.vote import CellText, choose_reading
from normalize.text import fold
from records import HotichError
from records.layouts import Layout, LayoutColumn

PAGE_PSM = 4  # a single column of text of varying sizes: the form's lines, the notes column beside
MATCHED = 0.8  # a window of words must read this close to a label to be taken for it
RECOGNISED_FORM = 0.6  # the share of a form's labels a page must show to be read as that form
_PUNCTUATION = re.compile(r"[:;,.!…]+")


@dataclass(frozen=True)
class Line:
    words: list[Word]
    top: int
    bottom: int

    @property
    def centre(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass(frozen=True)
class FoundLabel:
    column: LayoutColumn
    line: int  # index into the page's lines
    first: int  # index of its first word in the line
    last: int  # index of its last word
    box: tuple[int, int, int, int]


def page_lines(words: list[Word]) -> list[Line]:
    """The page's words grouped into printed lines by height, each left to right."""
    ordered = sorted(words, key=lambda word: word.box[1] + word.box[3] / 2)
    lines: list[list[Word]] = []
    for word in ordered:
        centre = word.box[1] + word.box[3] / 2
        if lines:
            last = lines[-1]
            height = float(np.median([w.box[3] for w in last]))
            line_centre = float(np.median([w.box[1] + w.box[3] / 2 for w in last]))
            if abs(centre - line_centre) <= 0.55 * max(height, word.box[3]):
                last.append(word)
                continue
        lines.append([word])
    found = []
    for group in lines:
        group.sort(key=lambda word: word.box[0])
        found.append(Line(group, min(w.box[1] for w in group), max(w.box[1] + w.box[3] for w in group)))
    return found


def _folded(word: Word) -> str:
    return _PUNCTUATION.sub("", fold(word.text))


def _label_words(text: str) -> list[str]:
    return [part for part in (_PUNCTUATION.sub("", fold(piece)) for piece in text.split()) if part]


def _match(line: Line, start: int, label: list[str]) -> float:
    return _window(line, start, label)[0]


def _window(line: Line, start: int, label: list[str]) -> tuple[float, int]:
    """How well the words from ``start`` read as ``label``, and how many words it takes (OCR
    may join two of its words into one, or one to the value after it)."""
    best = (0.0, len(label))
    for size in sorted({len(label), max(1, len(label) - 1)}):
        window = " ".join(_folded(word) for word in line.words[start : start + size])
        score = SequenceMatcher(None, window, " ".join(label)).ratio()
        if score > best[0] + 1e-9:
            best = (score, size)
    return best


def find_labels(lines: list[Line], layout: Layout) -> tuple[list[FoundLabel], list[int]]:
    """The layout's labels in printed order (a label repeated, as ``Dân tộc:``, is taken in turn),
    and the lines that are section headings. The ``margin`` label is looked for anywhere."""
    found: list[FoundLabel] = []
    cursor = (0, 0)  # (line, word) after the last label taken
    taken: set[tuple[int, int]] = set()
    for column in layout.columns:
        label = _label_words(layout.printed_label(column))
        best: tuple[float, int, int, int] | None = None
        lines_from = 0 if column.where == "margin" else cursor[0]
        for index in range(lines_from, len(lines)):
            line = lines[index]
            first_word = cursor[1] if index == cursor[0] and column.where != "margin" else 0
            for start in range(first_word, len(line.words)):
                if (index, start) in taken:
                    continue
                score, size = _window(line, start, label)
                if score >= MATCHED and (best is None or score > best[0] + 0.05):
                    best = (score, index, start, size)
            if best is not None and column.where != "margin":
                break  # the first line that has it: the labels come in printed order
        if best is None:
            continue
        _score, index, start, size = best
        last = min(len(lines[index].words), start + size) - 1
        words = lines[index].words[start : last + 1]
        x0 = min(w.box[0] for w in words)
        y0 = min(w.box[1] for w in words)
        x1 = max(w.box[0] + w.box[2] for w in words)
        tail, expected = words[-1], label[-1]
        read = _PUNCTUATION.sub("", fold(tail.text))
        if len(read) > len(expected) and not read.endswith(expected) and expected[:-1] in read:
            # OCR joined the label's last word to the value after it: keep the label's share
            end = read.index(expected[:-1]) + len(expected)
            x1 = tail.box[0] + int(tail.box[2] * end / len(read))
        y1 = max(w.box[1] + w.box[3] for w in words)
        found.append(FoundLabel(column, index, start, last, (x0, y0, x1 - x0, y1 - y0)))
        taken.update((index, i) for i in range(start, last + 1))
        if column.where != "margin":
            cursor = (index, last + 1)
    headings: list[int] = []
    for heading in layout.headings:  # in printed order, each on the line after the one before that reads best as it
        heading_words = _label_words(heading)
        after = headings[-1] + 1 if headings else 0
        scored = [(_match(lines[index], 0, heading_words), index) for index in range(after, len(lines))]
        score, heading_line = max(scored, default=(0.0, -1))
        if score >= MATCHED:
            headings.append(heading_line)
    return found, headings


def label_share(found: list[FoundLabel], layout: Layout) -> float:
    return len({label.column.key for label in found}) / max(1, len(layout.columns))


def _notes_ruling(cleaned: np.ndarray) -> tuple[int, int, int] | None:
    """The vertical ruling of the notes column: (x, top, bottom), if the page prints one."""
    height, width = cleaned.shape
    ink = cv2.adaptiveThreshold(cleaned, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C, cv2.THRESH_BINARY_INV, 41, 12)
    _, vertical = ruling_masks(ink, bridge=9, length=(width, max(40, height // 4)))
    profile = (vertical[:, width // 2 :] > 0).sum(axis=0)
    if profile.max(initial=0) < height // 4:
        return None
    x = width // 2 + int(np.argmax(profile))
    rows = np.flatnonzero(vertical[:, max(0, x - 3) : x + 4].any(axis=1))
    return x, int(rows.min()), int(rows.max())


def value_boxes(
    lines: list[Line],
    found: list[FoundLabel],
    headings: list[int],
    shape: tuple[int, int],
    notes: tuple[int, int, int] | None,
) -> dict[str, list[tuple[int, int, int, int]]]:
    """Each found label's value: the boxes (one per line it runs over) on the cleaned page."""
    height, width = shape
    right_end = (notes[0] - 6) if notes else int(width * 0.97)
    centres = sorted({lines[label.line].centre for label in found})
    spacing = float(np.median(np.diff(centres))) if len(centres) > 2 else height / 30
    label_lines = {label.line for label in found} | set(headings)
    boxes: dict[str, list[tuple[int, int, int, int]]] = {}
    by_line: dict[int, list[FoundLabel]] = {}
    for label in found:
        by_line.setdefault(label.line, []).append(label)
    left_margin = min((label.box[0] for label in found), default=0)
    for label in found:
        x0, y0, w, h = label.box
        key = label.column.key
        if label.column.where == "margin":
            if notes is None:
                continue
            bottom = notes[2]
            boxes[key] = [(notes[0] + 4, y0 + h, max(1, width - notes[0] - 8), max(1, bottom - y0 - h))]
            continue
        if label.column.where == "below":
            reach = int(0.7 * w)
            top = y0 + h + 2
            boxes[key] = [
                (
                    max(0, x0 - reach),
                    top,
                    min(width, x0 + w + reach) - max(0, x0 - reach),
                    min(height - top, int(3.2 * spacing)),
                )
            ]
            continue
        centre = lines[label.line].centre
        top = int(max(0, centre - 0.55 * spacing))
        bottom = int(min(height, centre + 0.42 * spacing))
        start = x0 + w + max(4, h // 4)
        later = [other for other in by_line[label.line] if other.box[0] > x0]
        end = min((other.box[0] for other in later), default=right_end) - max(4, h // 4)
        if not later and headings and label.line < headings[0]:  # the form's head shares its lines with the title
            end = _before_a_gap(lines[label.line], label.last, end, h)
        if end - start < h:
            continue
        parts = [(start, top, end - start, bottom - top)]
        # a printed line below with no label of its own is this value's, run on (found by where
        # the lines are, not by OCR's words: a handwritten continuation may read as none)
        if not later:
            below = [lines[index].centre for index in label_lines if lines[index].centre > centre + 0.5 * spacing]
            stop = min(below, default=float(height))
            step = 1
            while centre + step * spacing <= stop - 0.6 * spacing and step <= 3:
                middle = centre + step * spacing
                band = (int(middle - 0.55 * spacing), int(min(height, middle + 0.42 * spacing)))
                parts.append((left_margin, band[0], right_end - left_margin, band[1] - band[0]))
                step += 1
        boxes[key] = parts
    return boxes


def _before_a_gap(line: Line, last: int, end: int, height: int) -> int:
    """The value ends before a wide gap: what follows it (a page's title) is not the value. A
    dotted leader read as a word of dots is no word here."""
    previous = line.words[last].box[0] + line.words[last].box[2]
    for word in line.words[last + 1 :]:
        if word.box[0] > end:
            break
        if not _folded(word):
            continue
        if word.box[0] - previous > 2.5 * height:
            return word.box[0] - height // 2
        previous = word.box[0] + word.box[2]
    return end


def _without_leaders(crop: np.ndarray, ink: PageInk) -> np.ndarray:
    """The crop with its printed dotted line painted out: small dots in a row at one height,
    evenly spaced. A tone's dot below a letter stands alone and is kept."""
    mask = (crop < ink.threshold).astype(np.uint8)
    count, _, stats, centroids = cv2.connectedComponentsWithStats(mask, connectivity=8)
    small = [
        i
        for i in range(1, count)
        if stats[i, cv2.CC_STAT_HEIGHT] <= 0.25 * ink.text_height
        and stats[i, cv2.CC_STAT_WIDTH] <= 0.35 * ink.text_height
    ]
    if len(small) < 6:
        return crop
    points = np.array([centroids[i] for i in small])
    order = np.argsort(points[:, 0])
    xs, ys = points[order, 0], points[order, 1]
    gaps = np.diff(xs)
    step = float(np.median(gaps[gaps > 1])) if (gaps > 1).any() else 0.0
    if step <= 0:
        return crop
    chain = []
    for position, index in enumerate(order):
        neighbours = [p for p in (position - 1, position + 1) if 0 <= p < len(order)]
        if any(
            abs(abs(xs[p] - xs[position]) - step) <= 0.25 * step and abs(ys[p] - ys[position]) <= 2.5
            for p in neighbours
        ):
            chain.append(small[index])
    if not chain:
        return crop
    # a printed dot is as small as the others of its row; a tone's dot below a letter is larger
    typical = float(np.median([stats[i, cv2.CC_STAT_AREA] for i in chain]))
    cleaned = crop.copy()
    for i in chain:
        if stats[i, cv2.CC_STAT_AREA] <= 1.6 * typical:
            x, top, w, h = stats[i, :4]
            cleaned[top : top + h, x : x + w] = 255
    return cleaned


def _joined(parts: list[np.ndarray]) -> np.ndarray:
    """A value's line pieces side by side, as one line of text to read."""
    height = max(part.shape[0] for part in parts)
    padded = [
        cv2.copyMakeBorder(part, 0, height - part.shape[0], 0, BORDER * 2, cv2.BORDER_CONSTANT, value=255)
        for part in parts
    ]
    return np.hstack(padded)


def form_ink(cleaned: np.ndarray, lines: list[Line]) -> PageInk:
    threshold, _ = cv2.threshold(cleaned, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    heights = [word.box[3] for line in lines for word in line.words if len(word.text) > 1]
    return PageInk(threshold=int(threshold), text_height=float(np.median(heights)) * 0.7 if heights else 24.0)


@dataclass(frozen=True)
class FormPage:
    cells: dict[str, CellText]
    boxes: dict[str, tuple[int, int, int, int]]  # on the scan
    crops: dict[str, np.ndarray]  # the cleaned value crops, for the handwriting check
    score: float
    angle: float
    bbox: tuple[int, int, int, int]


FormLabels = tuple[CleanPage, list[Line], list[FoundLabel], list[int]]  # the cleaned page, its lines, labels, headings


def read_form_labels(gray: np.ndarray, layout: Layout, engine: OcrEngine) -> FormLabels:
    cleaned = clean_page(gray, rectify=False)
    reading = engine.read([cleaned.image], psm=PAGE_PSM)[0]
    lines = page_lines(list(reading.words))
    found, headings = find_labels(lines, layout)
    return cleaned, lines, found, headings


def extract_form(
    gray: np.ndarray,
    *,
    layout: Layout,
    engine: OcrEngine,
    where: str,
    prepared: FormLabels | None = None,
    colour: np.ndarray | None = None,
) -> FormPage:
    """The one record of a form page: each labelled value cut out and read."""
    cleaned, lines, found, headings = prepared or read_form_labels(gray, layout, engine)
    score = label_share(found, layout)
    if score < RECOGNISED_FORM:
        raise HotichError(
            "page_layout_unknown",
            f"the page shows {score:.0%} of the printed labels of a {layout.kind} {layout.name}"
            f" ({RECOGNISED_FORM:.0%} needed)",
            fix="check the book's layout in book.json, or rescan the page sharper",
            where=where,
        )
    image = cleaned.image
    ink = form_ink(image, lines)
    notes = _notes_ruling(image)
    parts_of = value_boxes(lines, found, headings, image.shape, notes)
    renderings: dict[str, list[np.ndarray]] = {}
    crops: dict[str, np.ndarray] = {}
    boxes: dict[str, tuple[int, int, int, int]] = {}
    for key, parts in parts_of.items():
        pieces = [_without_leaders(image[y : y + h, x : x + w], ink) for x, y, w, h in parts]
        crop = pieces[0] if len(pieces) == 1 else _joined(pieces)
        x0 = min(x for x, _, _, _ in parts)
        y0 = min(y for _, y, _, _ in parts)
        x1 = max(x + w for x, _, w, _ in parts)
        y1 = max(y + h for _, y, _, h in parts)
        boxes[key] = box_on_scan((x0, y0, x1 - x0, y1 - y0), cleaned.transform, gray.shape)
        crops[key] = crop
        if has_writing(crop, ink):
            renderings[key] = prepare_variants(crop, ink)
    by_cell, _ = read_cells(renderings, {key: key for key in renderings}, engine, [])
    cells = {key: choose_reading(key, readings) for key, readings in by_cell.items()}
    if is_colour(colour):
        labels = [box_on_scan(label.box, cleaned.transform, gray.shape) for label in found]
        printed = printed_blueness(colour, labels)
    else:
        colour, printed = None, None
    looks = {key: look(crops[key], colour_crop(colour, boxes[key]), printed) for key in cells}
    for key in by_hand(looks):
        cells[key] = replace(cells[key], handwritten=True)
    height, width = gray.shape[:2]
    return FormPage(cells, boxes, crops, score, cleaned.angle, (0, 0, width, height))
