"""Draw ledger pages like the printed registers, then damage them like a phone or a tired scanner."""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from records import Kind
from records.layouts import Layout, ledger
from samplebooks.content import Entry

FONT_DIRS = [Path("/usr/share/fonts/truetype")]
FONT_FILES = [
    "dejavu/DejaVuSerif.ttf",
    "dejavu/DejaVuSans.ttf",
    "liberation2/LiberationSerif-Regular.ttf",
    "liberation2/LiberationSans-Regular.ttf",
    "noto/NotoSerif-Regular.ttf",
    "noto/NotoSans-Regular.ttf",
]
# Relative column widths of a typical printing; each book jitters them.
WIDTHS = {
    Kind.birth: [8, 9, 15, 5, 11, 15, 6, 14, 14, 11],
    Kind.death: [8, 9, 15, 5, 10, 9, 14, 10, 15, 10],
    Kind.marriage: [8, 9, 15, 10, 16, 15, 10, 16, 10],
}


VIETNAMESE = "ẠạẢảẤấẦầẨẩẪẫẬậẮắẰằẲẳẴẵẶặẸẹẺẻẼẽẾếỀềỂểỄễỆệỈỉỊịỌọỎỏỐốỒồỔổỖỗỘộỚớỜờỞởỠỡỢợỤụỦủỨứỪừỬửỮữỰựỲỳỴỵỶỷỸỹĐđƠơƯư"
_NOT_UPRIGHT = ("Italic", "Oblique", "Thin", "Light", "Black", "Medium", "Semi", "Extra", "Heavy", "Math", "_RI",
                "_RZI", "_RBI", "_I.", "_K.", "_DR.", "_M.")  # fmt: skip


def vietnamese_fonts() -> list[Path]:
    """Every upright font installed (regular, bold, condensed, monospace) whose glyphs cover
    Vietnamese: the font families of the robustness matrix."""
    from fontTools.ttLib import TTFont

    found = []
    for path in sorted(Path("/usr/share/fonts").rglob("*")):
        if path.suffix.lower() not in (".ttf", ".otf") or any(part in path.name for part in _NOT_UPRIGHT):
            continue
        try:
            cmap = TTFont(path, lazy=True, fontNumber=0).getBestCmap()
        except Exception:  # noqa: BLE001 - a font fontTools cannot open is not one to print with
            continue
        if cmap and all(ord(char) in cmap for char in VIETNAMESE):
            found.append(path)
    return found


def available_fonts() -> list[Path]:
    found = [base / name for base in FONT_DIRS for name in FONT_FILES if (base / name).exists()]
    if not found:
        raise FileNotFoundError("no font with Vietnamese glyphs found: install fonts-dejavu-core or fonts-liberation2")
    return found


@dataclass
class PagePlan:
    """A printing of the book: page size, font, column widths, ink."""

    dpi: int
    font_path: Path
    font_pt: float
    widths: list[float]
    ink: int
    line_ink: int
    line_width: int
    broken_lines: bool

    @property
    def size(self) -> tuple[int, int]:
        return int(11.69 * self.dpi), int(8.27 * self.dpi)

    def font(self, scale: float = 1.0) -> ImageFont.FreeTypeFont:
        return ImageFont.truetype(str(self.font_path), int(self.font_pt * scale * self.dpi / 72))


def column_widths(kind: Kind, layout: Layout | None) -> list[float]:
    """Width shares of the layout's columns: the ledger's printing, a share of 12 for a column it lacks."""
    if layout is None:
        return [float(width) for width in WIDTHS[kind]]
    known = {key: float(width) for key, width in zip(ledger(kind).field_keys(), WIDTHS[kind], strict=True)}
    return [known.get(column.key, 12.0) for column in layout.columns]


def random_plan(rng: random.Random, kind: Kind, layout: Layout | None = None) -> PagePlan:
    faded = rng.random() < 0.35
    return PagePlan(
        dpi=rng.choice([200, 240, 300]),
        font_path=rng.choice(available_fonts()),
        font_pt=rng.uniform(9.5, 11.5),
        widths=[w * rng.uniform(0.85, 1.15) for w in column_widths(kind, layout)],
        ink=rng.randint(70, 115) if faded else rng.randint(0, 45),
        line_ink=rng.randint(110, 170) if faded else rng.randint(0, 80),
        line_width=rng.choice([1, 2, 2, 3]),
        broken_lines=rng.random() < 0.4,
    )


def wrap(text: str, font: ImageFont.FreeTypeFont, width: float) -> list[str]:
    """Greedy word wrap within ``width`` pixels."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        attempt = f"{current} {word}".strip()
        if current and font.getlength(attempt) > width:
            lines.append(current)
            current = word
        else:
            current = attempt
    return [*lines, current] if current else lines


class PageDrawer:
    def __init__(self, plan: PagePlan, kind: Kind, rng: random.Random, layout: Layout | None = None) -> None:
        self.plan = plan
        self.kind = kind
        self.columns = (layout or ledger(kind)).columns
        self.rng = rng
        self.width, self.height = plan.size
        self.margin = int(0.45 * plan.dpi)
        self.font = plan.font()
        self.line_height = int(self.font.size * 1.25)
        self.pad = max(4, self.font.size // 3)
        self.edges = self._column_edges(self.width - 2 * self.margin)

    def _column_edges(self, table_width: int) -> list[int]:
        """Column edges from the printing's shares, widened so no unbreakable value overflows."""
        longest = {"registration_number": "000/2000", "sex": "Nam"}
        widths = [table_width * share / sum(self.plan.widths) for share in self.plan.widths]
        for i, column in enumerate(self.columns):
            sample = longest.get(column.key, "28/12/2000" if "date" in column.key else "")
            widths[i] = max(widths[i], self.font.getlength(sample) + 2 * self.pad + 4)
        scale = table_width / sum(widths)
        widest = max(range(len(widths)), key=widths.__getitem__)
        if scale < 1:  # take the excess from the widest column
            widths[widest] -= sum(widths) - table_width
        edges = [self.margin]
        for width in widths:
            edges.append(edges[-1] + int(width))
        return edges

    def cell_lines(self, texts: list[str]) -> list[list[str]]:
        return [wrap(text, self.font, self.edges[i + 1] - self.edges[i] - 2 * self.pad) for i, text in enumerate(texts)]

    def row_height(self, lines: list[list[str]]) -> int:
        """At least two lines high, like the printed books."""
        return int(max(2, max((len(cell) for cell in lines), default=1)) * self.line_height + 2 * self.pad)

    def hline(self, draw: ImageDraw.ImageDraw, y: int) -> None:
        self._line(draw, (self.edges[0], y), (self.edges[-1], y))

    def _line(self, draw: ImageDraw.ImageDraw, start: tuple[int, int], end: tuple[int, int]) -> None:
        if not self.plan.broken_lines:
            draw.line([start, end], fill=self.plan.line_ink, width=self.plan.line_width)
            return
        (x0, y0), (x1, y1) = start, end
        length = max(abs(x1 - x0), abs(y1 - y0))
        position = 0
        while position < length:
            run = self.rng.randint(40, 400)
            a, b = position / length, min(position + run, length) / length
            draw.line(
                [(x0 + (x1 - x0) * a, y0 + (y1 - y0) * a), (x0 + (x1 - x0) * b, y0 + (y1 - y0) * b)],
                fill=self.plan.line_ink,
                width=self.plan.line_width,
            )
            position += run + self.rng.randint(2, 14)

    def draw_text_rows(self, draw: ImageDraw.ImageDraw, top: int, lines: list[list[str]]) -> None:
        for i, cell in enumerate(lines):
            for j, line in enumerate(cell):
                jitter = self.rng.randint(-2, 2)
                y = top + self.pad + j * self.line_height + jitter
                draw.text((self.edges[i] + self.pad, y), line, font=self.font, fill=self.plan.ink)

    def page(
        self, title: str, entries: list[Entry], empty_rows: int, page_no: int
    ) -> tuple[Image.Image, list[list[int]]]:
        image = Image.new("L", self.plan.size, 255)
        draw = ImageDraw.Draw(image)
        title_font = self.plan.font(1.4)
        draw.text((self.width // 2, self.margin // 2), title, font=title_font, fill=self.plan.ink, anchor="mt")
        top = self.margin + int(title_font.size * 1.6)
        header = self.cell_lines([column.label for column in self.columns])
        rows = [header] + [self.cell_lines(self._written(entry)) for entry in entries]
        rows += [[[]] * len(header)] * empty_rows
        y_edges = [top]
        for lines in rows:
            y_edges.append(y_edges[-1] + self.row_height(lines))
        for lines, y in zip(rows, y_edges, strict=False):
            self.draw_text_rows(draw, y, lines)
        for y in y_edges:
            self.hline(draw, y)
        for x in self.edges:
            self._line(draw, (x, y_edges[0]), (x, y_edges[-1]))
        draw.text(
            (self.width // 2, self.height - self.margin // 2),
            f"Trang {page_no}",
            font=self.font,
            fill=self.plan.ink,
            anchor="mb",
        )
        boxes = [
            [self.edges[0], y_edges[i], self.edges[-1] - self.edges[0], y_edges[i + 1] - y_edges[i]]
            for i in range(1, len(entries) + 1)
        ]
        return image, boxes

    def _written(self, entry: Entry) -> list[str]:
        """What the entry writes in each of the layout's columns, in printed order."""
        return [entry.cells[column.key].written if column.key in entry.cells else "" for column in self.columns]

    def rows_that_fit(self, entries: list[Entry], *, empty_rows: int = 0) -> int:
        """How many of ``entries`` fit below the header on one page, with ``empty_rows`` after them."""
        available = self.height - 2 * self.margin - int(self.font.size * 1.4 * 1.6) - self.line_height * 2
        available -= empty_rows * self.row_height([])
        header = self.row_height(self.cell_lines([c.label for c in self.columns]))
        used = header
        for count, entry in enumerate(entries):
            used += self.row_height(self.cell_lines(self._written(entry)))
            if used > available:
                return count
        return len(entries)


@dataclass
class Damage:
    angle: float
    light: float
    noise: float
    blur: float
    jpeg_quality: int | None
    stains: int
    tint: bool


def random_damage(rng: random.Random) -> Damage:
    return Damage(
        angle=rng.uniform(-3.0, 3.0),
        light=rng.uniform(0.0, 0.4),
        noise=rng.uniform(3.0, 10.0),
        blur=rng.uniform(0.3, 1.0),
        jpeg_quality=rng.choice([None, 45, 60, 75]),
        stains=rng.choice([0, 0, 1, 2]),
        tint=rng.random() < 0.5,
    )


def damage_page(image: Image.Image, damage: Damage, seed: int) -> np.ndarray:
    """Skew, uneven light, stains, blur and noise; returns a BGR uint8 image. A grey page (L)
    is printed ink only; a colour one (RGB) carries handwriting in its pen's colour."""
    rng = np.random.default_rng(seed)
    page: np.ndarray = np.asarray(image, dtype=np.float32)
    colour = page.ndim == 3
    height, width = page.shape[:2]

    def spread(plane: np.ndarray) -> np.ndarray:
        return plane[..., None] if colour else plane

    for _ in range(damage.stains):
        mask: np.ndarray = np.zeros((height, width), np.float32)
        centre = (int(rng.uniform(0, width)), int(rng.uniform(0, height)))
        axes = (int(rng.uniform(0.03, 0.12) * width), int(rng.uniform(0.03, 0.1) * height))
        cv2.ellipse(mask, centre, axes, float(rng.uniform(0, 180)), 0, 360, 1.0, -1)
        mask = cv2.GaussianBlur(mask, (0, 0), max(axes) / 6)
        page *= spread(1.0 - 0.25 * mask)
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    gx, gy = rng.uniform(-1, 1, 2)
    gradient = (gx * xs / width + gy * ys / height + 1) / 2
    page *= spread(1.0 - damage.light * gradient)
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), damage.angle, 1.0)
    border = (235.0, 235.0, 235.0) if colour else (235.0,)
    page = cv2.warpAffine(page, matrix, (width, height), borderValue=border, flags=cv2.INTER_LINEAR)
    if damage.blur > 0:  # a clean printing (bench/robustness.py's damage 0) is not blurred
        page = cv2.GaussianBlur(page, (0, 0), damage.blur)
    page += spread(rng.normal(0, damage.noise, (height, width)).astype(np.float32))
    tint = (0.86, 0.95, 1.0) if damage.tint else (1.0, 1.0, 1.0)  # B, G, R: yellowed paper
    if colour:
        bgr = np.clip(page, 0, 255)[:, :, ::-1]
        return np.dstack([np.clip(bgr[:, :, c] * t, 0, 255).astype(np.uint8) for c, t in enumerate(tint)])
    gray = np.clip(page, 0, 255).astype(np.uint8)
    return np.dstack([np.clip(gray * t, 0, 255).astype(np.uint8) for t in tint])


def box_after_damage(box: tuple[int, int, int, int], damage: Damage, size: tuple[int, int]) -> list[int]:
    """Where a box (x, y, w, h) of the undamaged page lies on the scan: the bounds of its turned corners."""
    width, height = size
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), damage.angle, 1.0)
    x, y, w, h = box
    corners = np.array([[x, y, 1], [x + w, y, 1], [x, y + h, 1], [x + w, y + h, 1]], dtype=np.float64)
    turned = corners @ matrix.T
    x0, y0 = np.floor(turned.min(axis=0)).astype(int)
    x1, y1 = np.ceil(turned.max(axis=0)).astype(int)
    return [int(x0), int(y0), int(x1 - x0), int(y1 - y0)]


def save_scan(page: np.ndarray, path_stem: Path, damage: Damage, dpi: int) -> Path:
    """PNG, or JPEG at the damage's quality; the dpi is recorded in the file."""
    if damage.jpeg_quality is None:
        path = path_stem.with_suffix(".png")
        Image.fromarray(page[:, :, ::-1]).save(path, dpi=(dpi, dpi))
    else:
        path = path_stem.with_suffix(".jpg")
        Image.fromarray(page[:, :, ::-1]).save(path, quality=damage.jpeg_quality, dpi=(dpi, dpi))
    return path
