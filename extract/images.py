"""A book folder's page scans: which pages there are, and each page's pixels."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from records import HotichError, Layout, Structure

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff"}
PDF_SUFFIX = ".pdf"
MANIFEST = "book.json"
PDF_DPI = 300
# A page past this many pixels is refused before it is decoded (A3 at 600 dpi fits); Pillow itself
# only warns below twice its limit, so the size is checked here too.
MAX_PAGE_PIXELS = 120_000_000
Image.MAX_IMAGE_PIXELS = MAX_PAGE_PIXELS


# Joins the two half scans of one spread in an image name (``0001.png|0002.png``): Windows, where
# scans are named, cannot hold it in a file name, and a page file whose name has it is refused.
HALVES_JOIN = "|"


@dataclass(frozen=True)
class PageRef:
    """One page of a book: the file, which frame of it, and its 1-based page number; ``right``: the
    scan of a spread's right page when the spread came as two half scans (``file`` the left)."""

    file: str
    frame: int
    page_no: int
    right: str | None = None

    @property
    def image_name(self) -> str:
        """``0003.png``, ``book.pdf#3``, ``0005.png|0006.png`` (a spread's halves); a name that is
        not UTF-8 is shown with U+FFFD for its bad bytes."""
        shown = printable_name(self.file)
        if self.right is not None:
            return f"{shown}{HALVES_JOIN}{printable_name(self.right)}"
        return shown if self.frame == 0 else f"{shown}#{self.frame + 1}"


def page_ref(image_name: str, page_no: int) -> PageRef:
    """The page a stored ``image_name`` (``0003.png``, ``book.pdf#3``, ``0005.png|0006.png``) names."""
    left, join, right = image_name.partition(HALVES_JOIN)
    if join:
        return PageRef(left, 0, page_no, right)
    file, _, frame = image_name.partition("#")
    return PageRef(file, int(frame) - 1 if frame else 0, page_no)


def printable_name(name: str) -> str:
    """A file name as text: the bytes of a name that is not UTF-8 (os.listdir keeps them as
    surrogates) become U+FFFD, so the name can be shown, logged and stored."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def page_error(code: str, message: str, fix: str, where: str) -> HotichError:
    return HotichError(code, message, fix=fix, where=where)


def _frame_count(path: Path) -> int:
    """Frames in a scan file; 1 when the file cannot be opened (its page fails later)."""
    try:
        if path.suffix.lower() == PDF_SUFFIX:
            import pypdfium2 as pdfium

            with pdfium.PdfDocument(str(path)) as pdf:
                return max(1, len(pdf))
        if path.suffix.lower() in {".tif", ".tiff"}:
            with Image.open(path) as image:
                return _tiff_frames(image)
    except Exception:  # noqa: BLE001 - an unreadable file still counts as one page
        return 1
    return 1


def _tiff_frames(image: Image.Image) -> int:
    """The frames of a TIFF, counted by seeking one after another: a frame whose directory lies past
    the end of a file cut short counts too (it fails by name when read), where Pillow's n_frames
    raised and the whole file counted as one page, its later frames dropped without a word."""
    frames = 0
    while True:
        try:
            image.seek(frames)
        except EOFError:
            return max(1, frames)
        except Exception:  # noqa: BLE001 - Pillow raises TypeError, OSError, … for a cut directory
            return frames + 1
        frames += 1


def list_pages(book_dir: Path) -> list[PageRef]:
    """Every page of the book in name order; a non-image file, a link to nothing or a name that
    is not UTF-8 is a page that will fail, by name (never skipped without a word)."""
    files = sorted(
        p
        for p in book_dir.iterdir()
        if (p.is_file() or (p.is_symlink() and not p.exists())) and p.name != MANIFEST and not p.name.startswith(".")
    )
    pages: list[PageRef] = []
    for path in files:
        for frame in range(_frame_count(path)):
            pages.append(PageRef(path.name, frame, len(pages) + 1))
    return pages


def _upright_size(path: Path) -> tuple[int, int] | None:
    """A scan's (width, height) as it stands upright, from its header alone; None when unknown."""
    try:
        with Image.open(path) as image:
            width, height = image.size
            turned = image.getexif().get(0x0112) in (5, 6, 7, 8)  # EXIF orientation: a quarter turn
    except Exception:  # noqa: BLE001 - an unreadable scan fails by name when it is read
        return None
    return (height, width) if turned else (width, height)


def pair_halves(book_dir: Path, pages: list[PageRef], layouts: list[Layout]) -> tuple[list[PageRef], list[str]]:
    """The pages of a spread book whose spreads came as two half scans each, joined in pairs.

    A book whose layouts include a spread one (``Layout.spread``) and none with a page of its own
    (``form``, an A4 page upright) may hold each spread as its left and right page scanned apart:
    when every scan is an image file taller than wide (an opened A3 spread is wider than tall, so
    is a v1 ledger page), consecutive scans in name order are a spread's left and right pages. A
    last scan without its other half is reported and read alone (it fails by name). Returns the
    pages, numbered in order, and the reports."""
    if not pages or not any(layout.spread for layout in layouts):
        return pages, []
    if any(layout.structure == Structure.page for layout in layouts):
        return pages, []
    if any(page.frame or Path(page.file).suffix.lower() not in IMAGE_SUFFIXES for page in pages):
        return pages, []
    sizes = [size for page in pages if (size := _upright_size(book_dir / page.file)) is not None]
    if not sizes or any(height <= width for width, height in sizes):  # an unreadable scan fails when read
        return pages, []
    first = pages[0].page_no
    joined = [
        PageRef(left.file, 0, number, right.file)
        for number, (left, right) in enumerate(zip(pages[::2], pages[1::2], strict=False), start=first)
    ]
    notices = []
    if len(pages) % 2:
        last = pages[-1]
        joined.append(PageRef(last.file, 0, first + len(joined)))
        notices.append(
            f"{last.image_name} is the left page of a spread without its right page (the scans are "
            "halves of spreads, left then right): it is read alone"
        )
    return joined, notices


def number_pages(listed: list[PageRef], known: dict[str, int]) -> tuple[list[PageRef], list[str]]:
    """The pages of a book with the numbers they keep for good: a page's identity is its scan file
    (name and frame), never its place in the folder.

    ``known`` maps the image names already loaded to their page numbers. A new scan takes its place
    in the folder's order when that number is free (the first run, a scan added at the end); a scan
    put between loaded pages takes the next number after the book's last, and is reported, so no
    loaded page is renumbered. A loaded scan no longer in the folder is reported; its records stay.
    Returns the pages and those reports."""
    taken = set(known.values())
    notices: list[str] = []
    numbered: list[PageRef] = []
    for page in listed:
        number = known.get(page.image_name)
        if number is None:
            if page.page_no in taken or page.page_no <= max(taken, default=0):
                number = max(taken, default=0) + 1
                notices.append(
                    f"{page.image_name} was added between pages already loaded: it is page {number} "
                    "(pages already loaded keep their numbers)"
                )
            else:
                number = page.page_no
            taken.add(number)
        numbered.append(replace(page, page_no=number))
    present = {page.image_name for page in listed}
    for name, number in sorted(known.items(), key=lambda item: item[1]):
        if name not in present:
            notices.append(f"{name} (page {number}) is no longer in the book folder: its records are kept")
    return numbered, notices


class PageTooLarge(ValueError):
    """A page past MAX_PAGE_PIXELS: refused before it is decoded or rendered."""


def _read_pdf_page(path: Path, frame: int) -> Image.Image:
    import pypdfium2 as pdfium

    with pdfium.PdfDocument(str(path)) as pdf:
        page = pdf[frame]
        width, height = page.get_size()  # points
        pixels = width * height * (PDF_DPI / 72) ** 2
        if pixels > MAX_PAGE_PIXELS:  # a 14,400 pt page at 300 dpi is 5 GB of pixels
            raise PageTooLarge(
                f"the PDF page is {width:.0f}×{height:.0f} pt: {pixels / 1e6:,.0f} megapixels at {PDF_DPI} dpi"
            )
        return page.render(scale=PDF_DPI / 72).to_pil()


def _read_image(path: Path, frame: int) -> Image.Image:
    image = Image.open(path)
    if frame:
        image.seek(frame)
    width, height = image.size
    if width * height > MAX_PAGE_PIXELS:  # Pillow only warns below twice its own limit
        raise PageTooLarge(f"the image is {width}×{height} pixels ({width * height / 1e6:,.0f} megapixels)")
    return ImageOps.exif_transpose(image) or image


def load_page(book_dir: Path, page: PageRef, *, book_id: str) -> np.ndarray:
    """The page as an 8-bit grey image; ``HotichError`` naming the book and file on failure."""
    return load_page_as_scanned(book_dir, page, book_id=book_id)[1]


def load_page_as_scanned(book_dir: Path, page: PageRef, *, book_id: str) -> tuple[Image.Image, np.ndarray]:
    """The page as scanned (colour, upright) and as the 8-bit grey image it is read from; a spread
    that came as two half scans is their join, the left page then the right, tops aligned."""
    if page.right is None:
        return _load_scan(book_dir, page, where=f"book {book_id}, file {page.image_name}")
    halves = [
        _load_scan(book_dir, PageRef(name, 0, page.page_no), where=f"book {book_id}, file {printable_name(name)}")
        for name in (page.file, page.right)
    ]
    width = sum(gray.shape[1] for _, gray in halves)
    height = max(gray.shape[0] for _, gray in halves)
    if width * height > MAX_PAGE_PIXELS:
        raise page_error(
            "page_too_large",
            f"the spread's halves joined are {width}×{height} pixels; at most {MAX_PAGE_PIXELS / 1e6:.0f} megapixels",
            "scan the pages again at 300 dpi",
            f"book {book_id}, file {page.image_name}",
        )
    gray = np.full((height, width), 255, np.uint8)
    mode = "RGB" if any(image.mode not in ("L", "1", "I;16", "I") for image, _ in halves) else "L"
    image = Image.new(mode, (width, height), "white")
    x = 0
    for scanned, half in halves:
        gray[: half.shape[0], x : x + half.shape[1]] = half
        image.paste(scanned.convert(mode), (x, 0))
        x += half.shape[1]
    return image, gray


def _load_scan(book_dir: Path, page: PageRef, *, where: str) -> tuple[Image.Image, np.ndarray]:
    path = book_dir / page.file
    if HALVES_JOIN in page.file:
        raise page_error(
            "page_bad_name",
            f"the file's name holds '{HALVES_JOIN}', which hotich joins a spread's two half scans with",
            "rename the file (e.g. 0007.png)",
            where,
        )
    if printable_name(page.file) != page.file:
        raise page_error(
            "page_bad_name",
            "the file's name is not UTF-8 text (copied from an old system?)",
            "rename the file (e.g. 0007.png)",
            where,
        )
    if path.is_symlink() and not path.exists():
        raise page_error(
            "page_unreadable", "the file is a link to a file that does not exist", "copy the scan in", where
        )
    suffix = path.suffix.lower()
    if suffix not in IMAGE_SUFFIXES | {PDF_SUFFIX}:
        raise page_error(
            "page_not_an_image",
            f"'{page.file}' is not a page scan (PNG, JPEG, TIFF or PDF expected)",
            "move other files out of the book folder",
            where,
        )
    try:
        image = _read_pdf_page(path, page.frame) if suffix == PDF_SUFFIX else _read_image(path, page.frame)
        gray = np.asarray(image.convert("L"))
    except PageTooLarge as error:
        raise page_error(
            "page_too_large",
            f"{error}; at most {MAX_PAGE_PIXELS / 1e6:.0f} megapixels (A3 at 600 dpi)",
            "scan the page again at 300 dpi",
            where,
        ) from error
    except (UnidentifiedImageError, OSError, ValueError, EOFError) as error:
        raise page_error(
            "page_unreadable", f"the scan cannot be decoded ({error})", "scan the page again", where
        ) from error
    except Exception as error:  # pdfium raises its own error types
        raise page_error(
            "page_unreadable", f"the scan cannot be decoded ({error})", "scan the page again", where
        ) from error
    if gray.size == 0 or min(gray.shape) < 200:
        raise page_error(
            "page_empty", f"the image is {gray.shape[1]}x{gray.shape[0]} pixels", "scan the page again", where
        )
    if int(gray.max()) - int(gray.min()) < 16:
        raise page_error(
            "page_blank", "the page is blank", "check the scan; remove blank pages or set page_offset", where
        )
    return image, gray


def content_hash(gray: np.ndarray) -> str:
    """A hash of the page's pixels: the cache key of everything read from it."""
    digest = hashlib.sha256()
    digest.update(f"{gray.shape}".encode())
    digest.update(np.ascontiguousarray(gray).tobytes())
    return digest.hexdigest()
