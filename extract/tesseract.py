"""The only module that runs Tesseract: many cell images, one process, words with confidences."""

from __future__ import annotations

import csv
import io
import itertools
import os
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np

from records import HotichError


@dataclass(frozen=True)
class Word:
    text: str
    confidence: float  # 0..1
    box: tuple[int, int, int, int]  # x, y, w, h in the image given to the engine
    line: int


@dataclass(frozen=True)
class Reading:
    """What an engine read in one image: its words in reading order."""

    words: tuple[Word, ...] = field(default=())

    @property
    def text(self) -> str:
        return " ".join(word.text for word in self.words)

    @property
    def confidence(self) -> float:
        """The weakest word's confidence: one bad syllable makes a wrong name."""
        return min((word.confidence for word in self.words), default=0.0)


class OcrEngine(Protocol):
    def read(self, images: Sequence[np.ndarray], *, psm: int = 6) -> list[Reading]:
        """One ``Reading`` per image, in order."""
        ...


class OcrFailed(HotichError):
    """Tesseract crashed or timed out: a transient failure worth one retry."""


def parse_tsv(tsv: str, count: int) -> list[Reading]:
    """Tesseract's TSV output for a list of ``count`` images → one Reading each."""
    words: list[list[Word]] = [[] for _ in range(count)]
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        text = (row.get("text") or "").strip()
        if row.get("level") != "5" or not text:
            continue
        index = int(row["page_num"]) - 1
        line = int(row["block_num"]) * 10_000 + int(row["par_num"]) * 100 + int(row["line_num"])
        box = (int(row["left"]), int(row["top"]), int(row["width"]), int(row["height"]))
        if 0 <= index < count:
            words[index].append(Word(text, max(0.0, float(row["conf"])) / 100, box, line))
    return [Reading(tuple(found)) for found in words]


class TesseractEngine:
    """Runs the ``tesseract`` command on lists of images: one process per share of the list.

    ``jobs`` processes run at once (each single-threaded), so one page keeps every core busy
    even when it is the last page of a book.
    """

    def __init__(
        self, *, language: str = "vie", timeout: float = 120.0, binary: str = "tesseract", jobs: int | None = None
    ) -> None:
        self.language = language
        self.timeout = timeout
        self.binary = binary
        self.jobs = jobs or max(1, min(4, os.cpu_count() or 1))

    def read(self, images: Sequence[np.ndarray], *, psm: int = 6) -> list[Reading]:
        if not images:
            return []
        shares = self._shares(len(images))
        with tempfile.TemporaryDirectory(prefix="hotich-ocr-") as folder:
            listings = []
            for number, (start, stop) in enumerate(shares):
                paths = []
                for index in range(start, stop):
                    path = Path(folder) / f"{index:05d}.png"
                    cv2.imwrite(str(path), images[index], [cv2.IMWRITE_PNG_COMPRESSION, 1])
                    paths.append(str(path))
                listing = Path(folder) / f"list-{number}.txt"
                listing.write_text("\n".join(paths) + "\n")
                listings.append(listing)
            outputs = self._run(listings, psm)
        readings: list[Reading] = []
        for (start, stop), tsv in zip(shares, outputs, strict=True):
            readings.extend(parse_tsv(tsv, stop - start))
        return readings

    def _shares(self, count: int) -> list[tuple[int, int]]:
        parts = max(1, min(self.jobs, count // 12))  # small lists are not worth a second process
        bounds = [round(count * i / parts) for i in range(parts + 1)]
        return list(itertools.pairwise(bounds))

    def _start(self, listing: Path, psm: int) -> subprocess.Popen[bytes]:
        command = [self.binary, str(listing), "stdout", "-l", self.language, "--psm", str(psm), "tsv"]
        env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
        try:
            return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        except FileNotFoundError as error:
            raise HotichError(
                "tesseract_missing",
                "the tesseract program is not installed",
                fix="apt-get install tesseract-ocr tesseract-ocr-vie",
            ) from error

    def _run(self, listings: list[Path], psm: int) -> list[str]:
        processes = [self._start(listing, psm) for listing in listings]
        try:
            return [self._finish(process) for process in processes]
        finally:
            for process in processes:
                if process.poll() is None:
                    process.kill()
                    process.wait()

    def _finish(self, process: subprocess.Popen[bytes]) -> str:
        try:
            stdout, stderr = process.communicate(timeout=self.timeout)
        except subprocess.TimeoutExpired as error:
            raise OcrFailed(
                "ocr_timeout", f"Tesseract took over {self.timeout:.0f} s", fix="run the book again"
            ) from error
        if process.returncode != 0:
            if b"Failed loading language" in stderr:
                raise HotichError(
                    "tesseract_language_missing",
                    f"Tesseract has no '{self.language}' model",
                    fix="apt-get install tesseract-ocr-vie",
                )
            message = stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no message"]
            raise OcrFailed("ocr_crashed", f"Tesseract failed: {message[0]}", fix="run the book again")
        return stdout.decode("utf-8", errors="replace")
