"""Every error code raised anywhere in hotich is documented in docs/errors.md."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ["records", "extract", "normalize", "load", "flows", "samplebooks", "review_ui"]
RAISERS = {"HotichError", "OcrFailed", "page_error"}


def raised_codes() -> set[str]:
    codes = set()
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.Call) or not node.args:
                    continue
                name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
                first = node.args[0]
                if name in RAISERS and isinstance(first, ast.Constant) and isinstance(first.value, str):
                    codes.add(first.value)
    return codes


def test_every_code_is_documented() -> None:
    codes = raised_codes()
    assert len(codes) >= 15  # the scan found the raisers
    documented = (ROOT / "docs" / "errors.md").read_text(encoding="utf-8")
    missing = sorted(code for code in codes if f"`{code}`" not in documented)
    assert not missing, f"document these codes in docs/errors.md: {missing}"


def test_contracts_are_carried_in_docs() -> None:
    """A clone has no ../shared: the contracts it implements are in docs/spec, and nothing points outside."""
    for name in ("records.md", "layouts.md", "moj-package.md"):
        assert (ROOT / "docs" / "spec" / name).read_text(encoding="utf-8").startswith("#"), name
    pointing_out = [
        str(path.relative_to(ROOT))
        for folder in ("docs", *PACKAGES)
        for path in (ROOT / folder).rglob("*")
        if path.suffix in {".md", ".py", ".html"} and "../shared" in path.read_text(encoding="utf-8")
    ]
    assert "../shared" not in (ROOT / "README.md").read_text(encoding="utf-8")
    assert not pointing_out, pointing_out
