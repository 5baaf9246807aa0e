"""Page clean-up: even out the light, straighten the page."""

from __future__ import annotations

import cv2
import numpy as np

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


def clean_page(gray: np.ndarray) -> tuple[np.ndarray, float]:
    """Flattened and straightened page, and the angle it was turned by."""
    flat = flatten_illumination(gray)
    angle = estimate_skew(flat)
    return rotate(flat, angle), angle


def box_before_rotation(
    box: tuple[int, int, int, int], angle: float, shape: tuple[int, ...]
) -> tuple[int, int, int, int]:
    """A box on the straightened page, as the upright box that holds it on the original scan."""
    x, y, w, h = box
    height, width = shape[:2]
    matrix = cv2.invertAffineTransform(cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0))
    corners = np.array([[x, y, 1], [x + w, y, 1], [x, y + h, 1], [x + w, y + h, 1]], dtype=np.float64)
    mapped = corners @ matrix.T
    left, top = np.floor(mapped.min(axis=0)).astype(int)
    right, bottom = np.ceil(mapped.max(axis=0)).astype(int)
    left, top = max(0, int(left)), max(0, int(top))
    return left, top, min(width, int(right)) - left, min(height, int(bottom)) - top
