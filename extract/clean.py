"""Page clean-up: even out the light, straighten the page."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from extract.table import ink_mask, ruling_masks

WORK_WIDTH = 800  # pixels: size at which the page's angle and light are estimated


def flatten_illumination(gray: np.ndarray) -> np.ndarray:
    """Divide by the paper's own brightness so shadows and stains become white."""
    scale = WORK_WIDTH / gray.shape[1]
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    # Closing removes the dark text and lines; what is left is the paper.
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (15, 15))
    paper = cv2.morphologyEx(small, cv2.MORPH_CLOSE, kernel)
    paper = cv2.GaussianBlur(paper, (0, 0), 8)
    paper = cv2.resize(paper, (gray.shape[1], gray.shape[0]), interpolation=cv2.INTER_LINEAR)
    flat = gray.astype(np.float32) / np.maximum(paper.astype(np.float32), 1.0) * 255.0
    return np.clip(flat, 0, 255).astype(np.uint8)


def _profile_score(ink: np.ndarray, angle: float) -> float:
    height, width = ink.shape
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
    rotated = cv2.warpAffine(ink, matrix, (width, height), flags=cv2.INTER_NEAREST)
    rows = rotated.sum(axis=1, dtype=np.float64)
    return float(np.square(rows).sum())


def estimate_skew(gray: np.ndarray, *, max_angle: float = 6.0) -> float:
    """The rotation (degrees) that makes ruling lines and text lines horizontal."""
    scale = 1600 / gray.shape[1]
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    ink = cv2.adaptiveThreshold(small, 1, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 31, 15)
    best = 0.0
    for step, span in ((0.5, max_angle), (0.1, 0.5), (0.02, 0.1)):
        candidates = np.arange(best - span, best + span + step / 2, step)
        best = float(max(candidates, key=lambda a: _profile_score(ink, float(a))))
    return best


def rotate(gray: np.ndarray, angle: float) -> np.ndarray:
    """Rotate about the centre, filling the corners with white paper."""
    if abs(angle) < 0.01:
        return gray
    height, width = gray.shape
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
    return cv2.warpAffine(gray, matrix, (width, height), flags=cv2.INTER_CUBIC, borderValue=(255,))


@dataclass(frozen=True)
class CleanPage:
    """A page ready for table finding, and how its pixels relate to the scan's."""

    image: np.ndarray
    angle: float  # degrees the scan was turned by
    transform: np.ndarray  # 3x3: scan coordinates → clean-page coordinates
    rectified: bool  # whether a perspective correction was applied


def _rotation(angle: float, shape: tuple[int, ...]) -> np.ndarray:
    height, width = shape[:2]
    return np.vstack([cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0), [0.0, 0.0, 1.0]])


def _long_runs(mask: np.ndarray, *, horizontal: bool, share: float) -> list[np.ndarray]:
    """Pixel coordinates (x, y) of each connected run at least ``share`` of the mask's extent long."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    extent = mask.shape[1] if horizontal else mask.shape[0]
    size = stats[:, cv2.CC_STAT_WIDTH if horizontal else cv2.CC_STAT_HEIGHT]
    runs = []
    for label in range(1, count):
        if size[label] >= share * extent:
            left, top, width, height = stats[label, :4]
            ys, xs = np.nonzero(labels[top : top + height, left : left + width] == label)
            points = np.column_stack([xs + left, ys + top])
            runs.append(points[:: max(1, len(points) // 2000)].astype(np.float64))
    return runs


def _crossed(runs: list[np.ndarray], others: list[np.ndarray], *, reach: float = 15.0) -> list[np.ndarray]:
    """The runs that at least three runs of the other direction touch (coordinates are (x, y))."""
    boxes = [(run.min(axis=0), run.max(axis=0)) for run in others]
    kept = []
    for run in runs:
        low, high = run.min(axis=0), run.max(axis=0)
        touching = sum(
            bool(np.all(other_low <= high + reach) and np.all(low <= other_high + reach))
            for other_low, other_high in boxes
        )
        if touching >= 3:
            kept.append(run)
    return kept


def _straight(run: np.ndarray, *, horizontal: bool) -> bool:
    """A ruling is a line (perspective keeps lines straight): its points lie within 1 % of its
    length (at least 4 px) of their fitted line. A blob where the page's edge meets the
    background is long too, and its box overlaps every ruling, but it is no line."""
    a, b = _fit(run, horizontal=horizontal)
    along, across = (run[:, 0], run[:, 1]) if horizontal else (run[:, 1], run[:, 0])
    spread = float(np.median(np.abs(across - (a * along + b))))
    return spread <= max(4.0, 0.01 * float(along.max() - along.min()))


def _fit(points: np.ndarray, *, horizontal: bool) -> np.ndarray:
    """Line through the points as (a, b): y = a·x + b (horizontal) or x = a·y + b."""
    x, y = (points[:, 0], points[:, 1]) if horizontal else (points[:, 1], points[:, 0])
    return np.polyfit(x, y, 1)


def _cross(row: np.ndarray, column: np.ndarray) -> np.ndarray:
    """Where y = a·x + b meets x = c·y + d."""
    a, b = row
    c, d = column
    y = (a * d + b) / (1 - a * c)
    return np.array([c * y + d, y], dtype=np.float32)


def table_corners(gray: np.ndarray) -> np.ndarray | None:
    """Corners (top-left, top-right, bottom-right, bottom-left) where the outer rulings meet."""
    height, width = gray.shape
    # Short runs: under perspective a ruling is tilted a little differently everywhere.
    ink = ink_mask(cv2.GaussianBlur(gray, (0, 0), 1.0), sensitivity=10)
    horizontal, vertical = ruling_masks(ink, bridge=25, length=(max(30, width // 60), max(30, height // 40)))
    frame = cv2.dilate(cv2.bitwise_or(horizontal, vertical), np.ones((21, 21), np.uint8))
    contours, _ = cv2.findContours(frame, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    x, y, w, h = cv2.boundingRect(max(contours, key=cv2.contourArea))
    if w * h < 0.15 * width * height:
        return None
    rows = [run for run in _long_runs(horizontal[y : y + h, x : x + w], horizontal=True, share=0.5)
            if _straight(run, horizontal=True)]  # fmt: skip
    columns = [run for run in _long_runs(vertical[y : y + h, x : x + w], horizontal=False, share=0.5)
               if _straight(run, horizontal=False)]  # fmt: skip
    # A page edge is long too, but no ruling of the other direction reaches it.
    rows, columns = _crossed(rows, columns), _crossed(columns, rows)
    if len(rows) < 2 or len(columns) < 2:
        return None
    rows.sort(key=lambda run: run[:, 1].mean())
    columns.sort(key=lambda run: run[:, 0].mean())
    top, bottom = (_fit(rows[i], horizontal=True) for i in (0, -1))
    left, right = (_fit(columns[i], horizontal=False) for i in (0, -1))
    corners = [_cross(top, left), _cross(top, right), _cross(bottom, right), _cross(bottom, left)]
    return np.array(corners, dtype=np.float32) + np.array([x, y], dtype=np.float32)


def rectifying_transform(corners: np.ndarray, *, tolerance: float = 4.0) -> np.ndarray | None:
    """The homography that makes the frame a rectangle in place; None when it already is one."""
    top_left, top_right, bottom_right, bottom_left = corners
    left = (top_left[0] + bottom_left[0]) / 2
    right = (top_right[0] + bottom_right[0]) / 2
    top = (top_left[1] + top_right[1]) / 2
    bottom = (bottom_left[1] + bottom_right[1]) / 2
    target = np.array([[left, top], [right, top], [right, bottom], [left, bottom]], dtype=np.float32)
    if float(np.abs(target - corners).max()) <= tolerance:
        return None
    return cv2.getPerspectiveTransform(corners, target)


def clean_page(gray: np.ndarray, *, rectify: bool = True) -> CleanPage:
    """Flatten the light, straighten the page, and square up a table photographed at an angle."""
    flat = flatten_illumination(gray)
    angle = estimate_skew(flat)
    straight = rotate(flat, angle)
    transform = _rotation(angle, gray.shape)
    corners = table_corners(straight) if rectify else None
    homography = rectifying_transform(corners) if corners is not None else None
    if homography is None:
        return CleanPage(straight, angle, transform, rectified=False)
    height, width = straight.shape
    squared = cv2.warpPerspective(straight, homography, (width, height), flags=cv2.INTER_CUBIC, borderValue=(255,))
    return CleanPage(squared, angle, homography @ transform, rectified=True)


def box_on_scan(
    box: tuple[int, int, int, int], transform: np.ndarray, shape: tuple[int, ...]
) -> tuple[int, int, int, int]:
    """A box on the clean page, as the upright box that holds it on the original scan."""
    x, y, w, h = box
    height, width = shape[:2]
    corners = np.array([[[x, y], [x + w, y], [x, y + h], [x + w, y + h]]], dtype=np.float64)
    mapped = cv2.perspectiveTransform(corners, np.linalg.inv(transform))[0]
    left, top = np.floor(mapped.min(axis=0)).astype(int)
    right, bottom = np.ceil(mapped.max(axis=0)).astype(int)
    left, top = max(0, int(left)), max(0, int(top))
    return left, top, min(width, int(right)) - left, min(height, int(bottom)) - top
