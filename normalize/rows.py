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
        text = {key: row.cells[key].text if key in row.cells else None for key in keys}
        # A cell with no writing is blank for sure: empty-cell detection is exact on our pages.
        confidence = {key: row.cells[key].confidence if key in row.cells else 1.0 for key in keys}
        suggested = {key: cell.suggestion for key, cell in row.cells.items() if cell.suggestion}
        result = normalize_record(
            layout, text, confidence, reference_year=manifest.year, settings=settings, suggested=suggested
        )
        reasons = result.review_reasons + page_reasons
        records.append(
            Record(
                record_id=record_id_for(manifest.book_id, page_no, row.row),
                kind=manifest.kind,
                source=RecordSource(
                    book=manifest.book_id, page=page_no, row=row.row, image=image_name, bbox=list(row.bbox)
                ),
                fields=result.fields,
                raw={key: row.cells[key].raw if key in row.cells else None for key in keys},
                confidence=confidence,
                status=Status.needs_review if reasons else Status.auto_accepted,
                review_reasons=reasons,
                issues={key: list(found) for key, found in result.issues.items()},
                boxes={key: list(box) for key, box in row.boxes.items()},
                places=result.places,
                suggestions=result.suggestions,
            )
        )
    return records
