"""XLSX through openpyxl (read-only): a heading block per sheet, each data row a `table_row`.

Rows read `header: value | header: value` with the sheet's first non-empty row as header;
empty rows are skipped; reading stops after `max_rows` data rows in all, noted in
`metadata["truncated_at_rows"]`.
"""

from __future__ import annotations

import io
from datetime import date, datetime, time
from typing import Any

from .._types import ParsedDocument
from ._base import ParseFailed
from ._builder import MAX_ROWS, TextBuilder, count_rows, fallback_title, rows_into
from ._limits import check_zip

__all__ = ["XlsxParser"]


class XlsxParser:
    """Parses .xlsx workbooks: a heading block per sheet, its first row as the header."""

    def __init__(self, max_rows: int = MAX_ROWS) -> None:
        self.max_rows = max_rows

    def parse(self, data: bytes, name: str) -> ParsedDocument:
        """Read every sheet in read-only mode and turn rows into blocks."""
        check_zip(data, name)
        builder = TextBuilder()
        truncated = False
        sheets = []
        try:
            import openpyxl

            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                for sheet in workbook.worksheets:
                    sheets.append(sheet.title)
                    builder.heading(1, sheet.title)
                    rows = ([_cell(v) for v in row] for row in sheet.iter_rows(values_only=True))
                    truncated |= rows_into(rows, builder, self.max_rows - count_rows(builder))
                title = (workbook.properties.title or "").strip() or None
            finally:
                workbook.close()
        except Exception as exc:  # zipfile / openpyxl errors mean a broken or foreign file
            raise ParseFailed(
                name,
                f"not a readable XLSX workbook ({exc})",
                "Open it in Excel or LibreOffice and save it again as .xlsx (without a password).",
            ) from exc
        metadata: dict[str, Any] = {"sheets": sheets}
        if truncated:
            metadata["truncated_at_rows"] = self.max_rows
        if not any(b.kind == "table_row" for b in builder.blocks):
            raise ParseFailed(name, "no cell contains text", "Add data to the workbook.")
        return builder.build(name, "xlsx", title=title or fallback_title(name), metadata=metadata)


def _cell(value: Any) -> str:
    """A cell value as text: whole floats without `.0`, dates in ISO form."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat(sep=" ") if value.time() != time(0) else value.date().isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)
