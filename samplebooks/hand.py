"""Writing that looks handwritten: slanted glyphs, each a little turned, sized and dropped off
a wandering baseline, in ballpoint blue or black. No packaged font covering Vietnamese has a
hand-drawn look, so the look is made from a slanted one by jittering its strokes; the
detector in extract/handwriting.py must tell it from type by the ink, not by the font."""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

HAND_FONT_FILES = [
    "dejavu/DejaVuSans-Oblique.ttf",
    "dejavu/DejaVuSerif-Italic.ttf",
    "liberation2/LiberationSerif-Italic.ttf",
    "liberation2/LiberationSans-Italic.ttf",
    "freefont/FreeSerifItalic.ttf",
    "freefont/FreeSansOblique.ttf",
    "croscore/Tinos-Italic.ttf",
    "croscore/Arimo-Italic.ttf",
]
PENS = {"blue": (28, 48, 150), "black": (35, 35, 45), "violet": (70, 40, 120)}


def hand_fonts() -> list[Path]:
    base = Path("/usr/share/fonts/truetype")
    found = [base / name for name in HAND_FONT_FILES if (base / name).exists()]
    if not found:
        raise FileNotFoundError("no slanted font with Vietnamese glyphs: install fonts-dejavu-core")
    return found


@dataclass(frozen=True)
class Hand:
    """One writer: the font the look starts from, its size, how unsteady, which pen."""

    font_path: Path
    size: int  # pixels
    wobble: float  # 0..1: how far glyphs turn, grow and leave the baseline
    pen: str
    thick: bool

    @property
    def colour(self) -> tuple[int, int, int]:
        return PENS[self.pen]


def random_hand(rng: random.Random, size: int) -> Hand:
    return Hand(
        font_path=rng.choice(hand_fonts()),
        size=int(size * rng.uniform(1.0, 1.25)),
        wobble=rng.uniform(0.5, 1.0),
        pen=rng.choices(list(PENS), [0.7, 0.22, 0.08])[0],
        thick=rng.random() < 0.4,
    )


def write_by_hand(
    mask: Image.Image, xy: tuple[int, int], text: str, hand: Hand, rng: random.Random, *, width: int | None = None
) -> tuple[int, int, int, int]:
    """Write ``text`` on ``mask`` (mode L, 255 where ink) from ``xy`` (left, baseline), glyph by
    glyph; squeezed to ``width`` pixels when given. Returns the ink's box (x, y, w, h)."""
    font = ImageFont.truetype(str(hand.font_path), hand.size)
    natural = max(1.0, font.getlength(text) * 1.04)
    squeeze = min(1.0, width / natural) if width else 1.0
    x, baseline = float(xy[0]), float(xy[1])
    drift = 0.0
    box = [10**9, 10**9, -1, -1]
    for char in text:
        advance = font.getlength(char) * squeeze * rng.uniform(0.98, 1.08)
        drift = max(-0.12, min(0.12, drift + rng.uniform(-0.03, 0.03) * hand.wobble)) if char != " " else drift
        if char != " ":
            scale = squeeze * (1 + rng.uniform(-0.1, 0.12) * hand.wobble)
            glyph_font = (
                font if abs(scale - 1) < 0.02 else ImageFont.truetype(str(hand.font_path), int(hand.size * scale))
            )
            ascent, descent = glyph_font.getmetrics()
            tile = Image.new("L", (int(hand.size * 2.2), ascent + descent + hand.size // 2), 0)
            ImageDraw.Draw(tile).text((hand.size // 2, hand.size // 4), char, font=glyph_font, fill=255)
            if hand.thick:
                tile = tile.filter(ImageFilter.MaxFilter(3))
            tile = tile.rotate(
                rng.uniform(-7, 7) * hand.wobble, resample=Image.Resampling.BILINEAR, center=(hand.size // 2, ascent)
            )
            left = int(x) - hand.size // 2
            top = int(baseline + drift * hand.size) - ascent - hand.size // 4
            mask.paste(255, (left, top), tile)
            bounds = tile.getbbox()
            if bounds:
                box = [
                    min(box[0], left + bounds[0]),
                    min(box[1], top + bounds[1]),
                    max(box[2], left + bounds[2]),
                    max(box[3], top + bounds[3]),
                ]
        x += advance
    if box[2] < 0:
        return int(xy[0]), int(xy[1]), 0, 0
    return box[0], box[1], box[2] - box[0], box[3] - box[1]


def scribble(mask: Image.Image, box: tuple[int, int, int, int], rng: random.Random, stroke: int = 3) -> None:
    """A signature: a few looping strokes inside ``box`` (x, y, w, h)."""
    x, y, w, h = box
    draw = ImageDraw.Draw(mask)
    points = [(x + w * 0.05, y + h * rng.uniform(0.4, 0.7))]
    for step in range(1, 14):
        points.append((x + w * (0.05 + 0.9 * step / 13), y + h * rng.uniform(0.15, 0.85)))
    draw.line(points, fill=255, width=stroke, joint="curve")
    draw.line([(x + w * 0.1, y + h * 0.8), (x + w * 0.85, y + h * rng.uniform(0.55, 0.9))], fill=255, width=stroke)


def compose(printed: Image.Image, hand_mask: Image.Image, colour: tuple[int, int, int]) -> Image.Image:
    """The printed page (L) with the handwriting's ink laid on in its pen's colour (RGB)."""
    page = printed.convert("RGB")
    ink = Image.new("RGB", page.size, colour)
    return Image.composite(ink, page, hand_mask)
