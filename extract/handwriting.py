"""Printed or handwritten, per field, from the ink (layouts.md, Handwriting).

Type stands upright on a straight baseline and is printed in the book's black; a pen's ink is
usually blue or violet, and handwriting leans and wanders. Two measures, each from the ink
alone, never from how sure the OCR was:

- **pen colour**: how much bluer than red the field's ink is, beside the printed labels' ink
  on the same page (a colour scan; a grey scan says nothing here);
- **slant**: the shear that stands the strokes most upright (a vertical stroke piles its ink
  into few columns of the projection).

A field is handwritten when its ink is a pen's colour, or when it leans. The thresholds were set
on generated books of seeds 1–3 and measured on others (bench/handwriting.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

PEN_BLUE = 18.0  # the ink's blue − red above the printed ink's, 0–255
SLANT = 0.1  # |shear| (tan of the lean) at which writing counts as slanted: type measures 0.00


@dataclass(frozen=True)
class InkLook:
    blue: float | None  # blue − red of the ink, above the printed ink's (None: grey scan or no ink)
    slant: float | None  # the lean, as the tangent of its angle (None: too little ink)

    @property
    def handwritten(self) -> bool:
        return (self.blue is not None and self.blue >= PEN_BLUE) or (
            self.slant is not None and abs(self.slant) >= SLANT
        )

    @property
    def printed(self) -> bool:
        """Clearly type: upright strokes, and no pen's colour."""
        upright = self.slant is not None and abs(self.slant) < 0.05
        return upright and (self.blue is None or self.blue < PEN_BLUE / 2)


def by_hand(looks: dict[str, InkLook]) -> set[str]:
    """The fields of one entry written by hand. When most of an entry is handwritten, a field
    whose ink is not clearly type (a digit or two, too little to lean; a grey scan) is taken as
    handwritten too: one hand writes an entry, and keying a typed value costs less than
    guessing a written one. A stamped number, upright, stays printed."""
    hand = {key for key, found in looks.items() if found.handwritten}
    if len(hand) * 2 > len(looks):
        blues = [blue for key in hand if (blue := looks[key].blue) is not None]
        coloured_pen = bool(blues) and float(np.median(blues)) >= PEN_BLUE
        for key, found in looks.items():
            # beside a blue pen, ink of the printed colour that does not lean is type (a stamped number)
            typed = (
                coloured_pen
                and found.blue is not None
                and found.blue < PEN_BLUE / 2
                and not (found.slant is not None and abs(found.slant) >= SLANT)
            )
            if not found.printed and not typed:
                hand.add(key)
    return hand


def ink_mask(gray: np.ndarray) -> np.ndarray:
    _, mask = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    return mask


def slant(gray: np.ndarray) -> float | None:
    """The lean of the strokes in a crop (positive: to the right), or None with too little ink.

    Measured on the edges of the near-upright strokes: where the ink's gradient points mostly
    sideways, its tilt from the horizontal is the stroke's lean. The median over them is the
    writing's slant; a slash or a round letter among upright type moves it little."""
    height, width = gray.shape[:2]
    if height < 8 or width < 8:
        return None
    smooth = cv2.GaussianBlur(gray, (0, 0), 1.0).astype(np.float32)
    gx = cv2.Sobel(smooth, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(smooth, cv2.CV_32F, 0, 1, ksize=3)
    magnitude = np.hypot(gx, gy)
    strong = magnitude > max(40.0, float(np.percentile(magnitude, 90)))
    sideways = strong & (np.abs(gx) > 2.0 * np.abs(gy))
    if sideways.sum() < 60:  # a digit or two: too little to lean
        return None
    # an edge of a stroke leaning right by t has its gradient turned by atan(t): gy/gx = -t
    # for the ink's left edge (dark to the right) and the same sign for its right edge
    lean = -gy[sideways] / gx[sideways]
    return float(np.median(lean))


def blueness(colour: np.ndarray) -> float | None:
    """How blue a colour crop's (BGR) ink is: the 80th percentile of blue − red over its ink,
    rulings left out (rows and columns mostly ink), so a pen's strokes show among printed dots
    and lines. None without ink."""
    if colour.ndim != 3 or colour.size == 0:
        return None
    gray = cv2.cvtColor(colour, cv2.COLOR_BGR2GRAY)
    mask = ink_mask(gray) > 0
    ruled_rows = mask.mean(axis=1) > 0.35
    ruled_columns = mask.mean(axis=0) > 0.35
    for shift in (1, 2):  # a blurred ruling's fringe
        ruled_rows |= np.roll(ruled_rows, shift) | np.roll(ruled_rows, -shift)
        ruled_columns |= np.roll(ruled_columns, shift) | np.roll(ruled_columns, -shift)
    mask[ruled_rows, :] = False
    mask[:, ruled_columns] = False
    if mask.sum() < 20:
        return None
    ink = colour[mask].astype(np.float64)
    return float(np.percentile(ink[:, 0] - ink[:, 2], 80))


def look(gray: np.ndarray, colour: np.ndarray | None, printed_blue: float | None) -> InkLook:
    """How a field's ink looks: ``gray`` its cleaned crop, ``colour`` its crop of the colour scan
    (None for a grey scan), ``printed_blue`` the blueness of the page's printed labels."""
    blue = None
    if colour is not None and printed_blue is not None:
        own = blueness(colour)
        blue = None if own is None else own - printed_blue
    return InkLook(blue=blue, slant=slant(gray))


INSET = 5  # pixels left out at a box's edges: a cell's rulings


def colour_crop(colour: np.ndarray | None, box: tuple[int, int, int, int]) -> np.ndarray | None:
    """The box on the colour scan, inside its edges (where a cell's rulings run)."""
    if colour is None or colour.ndim != 3:
        return None
    x, y, w, h = box
    crop = colour[max(0, y + INSET) : y + h - INSET, max(0, x + INSET) : x + w - INSET]
    return crop if crop.size else None


def is_colour(image: np.ndarray | None) -> bool:
    """A colour scan whose channels differ somewhere (a grey picture saved as RGB is not)."""
    if image is None or image.ndim != 3:
        return False
    sample = image[:: max(1, image.shape[0] // 200), :: max(1, image.shape[1] // 200)].astype(np.int16)
    return bool(np.abs(sample[:, :, 0] - sample[:, :, 2]).max() > 30)


def printed_blueness(colour: np.ndarray | None, boxes: list[tuple[int, int, int, int]]) -> float | None:
    """The blueness of the printed labels' ink (their boxes on the colour scan)."""
    found = [
        value
        for box in boxes
        if (crop := colour_crop(colour, box)) is not None and (value := blueness(crop)) is not None
    ]
    return float(np.median(found)) if found else None
