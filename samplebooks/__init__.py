"""Generated sample books with ground truth, for ``hotich demo``, tests and benchmarks."""

from samplebooks.generate import Variation, generate_book, generate_books
from samplebooks.render import vietnamese_fonts

__all__ = ["Variation", "generate_book", "generate_books", "vietnamese_fonts"]
