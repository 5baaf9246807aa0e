"""Keyed entry in the real browser (issue 21, point 5): keys per handwritten record, against
typing the same record into an empty form, and how fast the page answers.

    .venv/bin/python bench/keying.py [--seed 301] [--form-pages 4] [--couple-pages 2]

For each later layout (``form``, ``couple-ledger``) a handwriting-look book of a seed the tests
never use is generated, digitised as ``hotich digitize`` does (real Tesseract), and served by
the review app; Debian's chromium (Playwright) then keys every record of the book's queue from
the ground truth, as a person would type what the crop shows: it takes a proposal (Enter on an
empty field) or a completion (→ what all known values that fit share next, End the likeliest
whole) only when it is exactly right, else types the next character;
a wrong value is cleared (Ctrl+A, Backspace) first; a date is keyed as digits (6, then 8 if the
century came out wrong). Every key pressed counts; a character costs its Telex keystrokes
(``ệ`` = ``eej``, 3; ``đ`` = ``dd``, 2). The empty form costs every true value typed in full
(dates as dd/mm/yyyy, the date in words as written) plus one key per field to move on.

Prints per layout: records keyed, records stored exactly right, keys with help / keys on an
empty form, where the keys went, the check response per field (ms: median, 95th percentile,
max; the request from the browser to the verdict back), and the record page load (s).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import sys
import tempfile
import threading
import time
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from records import Kind
from records.layouts import ValueType, layout_of, value_type

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "mat-khau-bench-1"
LAYOUTS = [("form", Kind.birth), ("couple-ledger", Kind.marriage)]
SHOW = "--show" in sys.argv
WORDS_KEYS = {"birth_date_in_words"}  # typed as written, in words


def telex(text: str) -> int:
    """Keystrokes to type ``text`` with Telex: a letter, plus one per mark (â ă ơ ư and each tone), đ two."""
    keys = 0
    for char in unicodedata.normalize("NFC", text):
        if char in "đĐ":
            keys += 2
            continue
        decomposed = unicodedata.normalize("NFD", char)
        keys += 1 + sum(unicodedata.combining(part) > 0 for part in decomposed[1:])
    return keys


try:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
except ImportError:  # the dev extra installs it
    PlaywrightTimeout = TimeoutError  # type: ignore[misc,assignment]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(db: str) -> tuple[str, Any]:
    import uvicorn

    from review_ui.app import create_app

    port = _free_port()
    web = uvicorn.Server(uvicorn.Config(create_app(db), host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=web.run, daemon=True).start()
    while not web.started:
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", web


def _digitised(root: Path, name: str, kind: Kind, seed: int, pages: int) -> tuple[Path, str]:
    from flows.digitize import digitize_book
    from samplebooks.generate import Variation, generate_book

    book = generate_book(
        root / name,
        kind=kind,
        seed=seed,
        pages=pages,
        layout=layout_of(name, kind),
        variation=Variation(writing="hand"),
    )
    db = f"sqlite:///{root / name}.db"
    started = time.perf_counter()
    summary = digitize_book(book, db)
    print(f"{name}: {book.name}, {summary.rows} records digitised in {time.perf_counter() - started:.0f} s")
    return book, db


def _truth(root: Path, name: str, book: Path) -> dict[tuple[int, int], dict[str, Any]]:
    rows = [json.loads(line) for line in (root / name / "truth" / f"{book.name}.jsonl").open(encoding="utf-8")]
    return {(row["page"], row["row"]): row for row in rows}


class Keyer:
    """Types a record as a person would, counting every key."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.keys: Counter[str] = Counter()
        self.by_field: Counter[str] = Counter()  # keys per field, to see where they go
        self.current = ""
        self.checks: list[float] = []
        self.slow: list[tuple[float, str | None]] = []
        page.on("requestfinished", self._finished)

    def _finished(self, request: Any) -> None:
        if SHOW and "/field/" in request.url:
            self.slow.append((request.timing["responseEnd"] - request.timing["requestStart"], "crop"))
        if request.url.endswith("/check"):
            timing = request.timing
            self.checks.append(timing["responseEnd"] - timing["requestStart"])
            self.slow.append((self.checks[-1], _field_of(request)))
            if SHOW and self.checks[-1] > 100:
                print(f"    slow check {_field_of(request)}: {self.checks[-1]:.0f} ms")

    def state(self) -> dict[str, str]:
        return self.page.evaluate(
            """() => { const input = document.activeElement;
                      const shown = document.getElementById("completion-" + input.name);
                      return {name: input.name, value: input.value, placeholder: input.placeholder || "",
                              completion: shown ? (shown.dataset.value || "") : "",
                              part: shown ? (shown.dataset.part || "") : ""}; }"""
        )

    def press(self, key: str, kind: str) -> None:
        self.page.keyboard.press(key)
        self.keys[kind] += 1
        self.by_field[self.current] += 1

    def type_char(self, char: str) -> None:
        self.page.keyboard.type(char)
        self.keys["typed"] += telex(char)
        self.by_field[self.current] += telex(char)

    def field(self, key: str, target: str, *, last: bool) -> None:
        state = self.state()
        assert state["name"] == key, (state["name"], key)
        self.current = key
        initial = state["value"]
        if state["value"] and state["value"] != target and not target.startswith(state["value"]):
            self.press("Control+a", "clear")
            self.press("Backspace", "clear")
            state = self.state()
        if not state["value"] and target:
            proposal = self.page.evaluate("() => { const i = document.activeElement; return i.placeholder || ''; }")
            taken = self.page.evaluate("() => document.activeElement.dataset.proposal || ''")
            if proposal and (proposal == target or (target.startswith(proposal + " ") and not taken)):
                if proposal == target:
                    self._move_on(last, "proposal", key)
                    return
                self.press("Enter", "proposal")  # a family name: the rest typed after it
        text = target
        if value_type(key) is ValueType.date and key not in WORDS_KEYS and target:
            keyed = self._date(key, target)
            if keyed is None:
                self._move_on(last, "move")  # its verdict was waited for
                return
            text = keyed
        while True:
            state = self.state()
            value, completion = state["value"], state["completion"]
            if value.rstrip() == text:
                break
            if _fits(completion, value, text):
                self.press("End", "completion")  # all of it is what is written
                continue
            if _fits(state["part"], value, text):
                self.press("ArrowRight", "completion")  # what is written, up to a word's or a part's end
                continue
            if not text.startswith(value):
                self.press("Backspace", "clear")
                continue
            self.type_char(text[len(value)])
        self._move_on(last, "move", key if self.state()["value"] != initial else None)

    def _date(self, key: str, target: str) -> str | None:
        """Key the date as digits, six then eight; returns None once the field holds it."""
        day, month, year = target.split("/")
        iso = f"{year}-{month:0>2}-{day:0>2}"
        for digits in (f"{day:0>2}{month:0>2}{year[2:]}", f"{day:0>2}{month:0>2}{year}"):
            with self.page.expect_response(lambda response: _is_check(response, key)):
                for char in digits:
                    self.type_char(char)
            try:
                self.page.wait_for_function(
                    "([key, iso]) => document.getElementById('verdict-' + key).textContent.includes(iso)",
                    arg=[key, iso],
                    timeout=2000,
                )
                return None
            except PlaywrightTimeout:
                self.press("Control+a", "clear")
                self.press("Backspace", "clear")
        return target  # typed in full, as a last resort

    def _move_on(self, last: bool, kind: str, checked: str | None = None) -> None:
        """Enter to the next field; for a field typed into, first the normaliser's verdict on it,
        as a person glances at it (its response time is what the page needs per field)."""
        self.keys[kind] += 1
        self.by_field[self.current] += 1
        if checked and kind != "proposal":
            self.page.wait_for_event("response", lambda response: _is_check(response, checked), timeout=5000)
            self.page.keyboard.press("Enter")
            return
        if checked and not last:  # the proposal is filled in by this Enter: its verdict after it
            with self.page.expect_response(lambda response: _is_check(response, checked), timeout=5000):
                self.page.keyboard.press("Enter")
            return
        self.page.keyboard.press("Enter")


def _is_check(response: Any, key: str) -> bool:
    return response.url.endswith("/check") and _field_of(response.request) == key


def _fits(completion: str, value: str, text: str) -> bool:
    """Taking ``completion`` leaves only what is written (to a word's end: its space is written too)."""
    return len(completion.rstrip()) > len(value) and (completion.rstrip() == text or text.startswith(completion))


def _field_of(request: Any) -> str | None:
    return (parse_qs(request.post_data or "").get("field") or [None])[0]


def _typed_target(key: str, true: dict[str, Any]) -> str:
    from normalize.typed import as_typed

    if key in WORDS_KEYS:
        written = str(true["written"].get(key) or "")
        return written[:1].upper() + written[1:]
    return as_typed(true["fields"].get(key), key)


def _empty_form_keys(keys: list[str], true: dict[str, Any]) -> int:
    return sum(telex(_typed_target(key, true)) + 1 for key in keys)


def key_book(name: str, kind: Kind, book: Path, db: str, truth: dict[tuple[int, int], dict[str, Any]]) -> None:
    from playwright.sync_api import sync_playwright
    from sqlalchemy.orm import Session

    from load.db import open_database
    from load.schema import RecordRow
    from review_ui.auth import add_user

    engine = open_database(db)
    add_user(engine, "bench", "reviewer", PASSWORD)
    base, web = _serve(db)
    layout = layout_of(name, kind)
    keys = layout.field_keys()
    totals: Counter[str] = Counter()
    loads: list[float] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        page.goto(f"{base}/login")
        page.fill("input[name=name]", "bench")
        page.fill("input[name=password]", PASSWORD)
        page.press("input[name=password]", "Enter")
        page.wait_for_url(f"{base}/queue")
        keyer = Keyer(page)
        page.goto(f"{base}/queue/next?book={book.name}")
        page.wait_for_load_state("networkidle")
        while "/records/" in page.url:
            record_id = page.url.split("/records/")[1].split("?")[0]
            page.wait_for_function("document.activeElement && document.activeElement.name")
            with Session(engine) as session:
                row = session.get(RecordRow, record_id)
                assert row is not None
                position = (row.page_no or 0, row.row_no or 0)
            true = truth[position]
            totals["records"] += 1
            totals["empty form"] += _empty_form_keys(keys, true)
            before = sum(keyer.keys.values())
            for index, key in enumerate(keys):
                last = index == len(keys) - 1
                if last:
                    started = time.perf_counter()
                    with page.expect_navigation():
                        keyer.field(key, _typed_target(key, true), last=True)
                    page.wait_for_load_state("networkidle")  # every field's crop shown: a person reads them
                    loads.append(time.perf_counter() - started)
                else:
                    keyer.field(key, _typed_target(key, true), last=False)
            totals["with help"] += sum(keyer.keys.values()) - before
            if "/save" in page.url:  # refused (422) or a conflict: the page says why
                print(f"  {record_id}: not saved: {page.inner_text('main')[:300]!r}")
                page.goto(f"{base}/queue/next?book={book.name}&after={record_id}")
            with Session(engine) as session:
                stored = session.get(RecordRow, record_id)
                assert stored is not None
                wrong = [key for key in keys if stored.fields.get(key) != true["fields"].get(key)]
                totals["stored right"] += not wrong and stored.status == "reviewed"
                if wrong:
                    print(f"  {record_id}: {stored.status}; differs in {wrong}: "
                          f"{[(stored.fields.get(k), true['fields'].get(k)) for k in wrong]}")  # fmt: skip
        browser.close()
    web.should_exit = True
    checks = sorted(keyer.checks)
    share = totals["with help"] / totals["empty form"] if totals["empty form"] else 0.0
    print(f"{name} (hand): {totals['records']} records keyed, {totals['stored right']} stored exactly right")
    print(f"  keys              {totals['with help']} with help / {totals['empty form']} on an empty form = {share:.1%}"
          f" ({totals['with help'] / max(1, totals['records']):.0f} per record)")  # fmt: skip
    print(f"  where the keys go {dict(keyer.keys)}")
    if SHOW:
        print(f"  keys per field    {dict(keyer.by_field.most_common())}")
    if checks:
        p95 = checks[min(len(checks) - 1, int(0.95 * len(checks)))]
        print(f"  check per field   median {statistics.median(checks):.0f} ms, p95 {p95:.0f} ms, "
              f"max {checks[-1]:.0f} ms ({len(checks)} checks)")  # fmt: skip
    if SHOW:
        print(f"  slowest checks    {sorted(keyer.slow, reverse=True)[:8]}")
    if loads:
        print(f"  next record page  median {statistics.median(loads):.2f} s, max {max(loads):.2f} s "
              f"(save, then the next record's page and its field crops loaded)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=301)
    parser.add_argument("--form-pages", type=int, default=4)
    parser.add_argument("--couple-pages", type=int, default=2)
    parser.add_argument("--show", action="store_true", help="print the keys per field")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        sys.exit(f"{CHROMIUM} is missing: apt-get install chromium")
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        os.environ.setdefault("PREFECT_HOME", str(root / "prefect"))
        for name, kind in LAYOUTS:
            pages = args.form_pages if name == "form" else args.couple_pages
            book, db = _digitised(root, name, kind, args.seed, pages)
            key_book(name, kind, book, db, _truth(root, name, book))


if __name__ == "__main__":
    main()
