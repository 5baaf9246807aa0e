"""Generated sample books with ground truth, for ``hotich demo``, tests and benchmarks."""

from samplebooks.generate import generate_book, generate_books

__all__ = ["generate_book", "generate_books"]
