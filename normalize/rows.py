"""Turn a page's extracted rows into records: normalised fields, provenance, status."""

from __future__ import annotations

from extract.page import PageExtraction
from normalize.record import ReviewSettings, normalize_record
from records import BookManifest, Record, RecordSource, Status, record_id_for
from records.layouts import layout_by_id, ledger


def page_records(
    manifest: BookManifest,
    *,
    page_no: int,
    image_name: str,
    extraction: PageExtraction,
    settings: ReviewSettings,
) -> list[Record]:
    """One record per non-empty table row of the page."""
    layout = layout_by_id(extraction.layout or "") or manifest.book_layout or ledger(manifest.kind)
    keys = layout.field_keys()
    page_reasons = [warning.split(":", 1)[0] for warning in extraction.warnings]
    records = []
    for row in extraction.rows:
        # A handwritten value is not guessed (layouts.md): its field stays empty for a person to key.
        hand = [key for key in keys if key in row.cells and row.cells[key].handwritten]
        text = {key: row.cells[key].text if key in row.cells and key not in hand else None for key in keys}
        # A cell with no writing is blank for sure: empty-cell detection is exact on our pages.
        confidence = {key: row.cells[key].confidence if key in row.cells else 1.0 for key in keys}
        confidence |= {key: 0.0 for key in hand}
        suggested = {key: cell.suggestion for key, cell in row.cells.items() if cell.suggestion and key not in hand}
        result = normalize_record(
            layout, text, confidence, reference_year=manifest.year, settings=settings, suggested=suggested
        )
        reasons = [reason for reason in result.review_reasons if reason.split(":", 1)[-1] not in hand]
        reasons = [f"handwritten:{key}" for key in hand] + reasons + page_reasons
        issues = {key: list(found) for key, found in result.issues.items()}
        for key in hand:
            issues[key] = ["handwritten"]
        raw = {key: row.cells[key].raw if key in row.cells else None for key in keys}
        raw |= {key: "present" if inked else "absent" for key, inked in row.marks.items()}
        records.append(
            Record(
                record_id=record_id_for(manifest.book_id, page_no, row.row),
                kind=manifest.kind,
                source=RecordSource(
                    book=manifest.book_id, page=page_no, row=row.row, image=image_name, bbox=list(row.bbox)
                ),
                fields=result.fields,
                raw=raw,
                confidence=confidence,
                status=Status.needs_review if reasons else Status.auto_accepted,
                review_reasons=reasons,
                issues=issues,
                boxes={key: list(box) for key, box in row.boxes.items()},
                places=result.places,
                suggestions=result.suggestions,
            )
        )
    return records
