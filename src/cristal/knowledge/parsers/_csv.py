"""CSV/TSV: encoding and dialect detected; each data row becomes a `table_row` block.

The text is synthesised from the cells as `header: value | header: value` (the file is not
prose), so quotes and offsets refer to that text. The first non-empty row is the header;
empty rows are skipped; reading stops after `max_rows` data rows, noted in
`metadata["truncated_at_rows"]`.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from .._types import ParsedDocument
from ._base import ParseFailed
from ._builder import MAX_ROWS, TextBuilder, rows_into
from ._decode import decode

__all__ = ["CsvParser"]


class CsvParser:
    """Parses .csv / .tsv files: encoding and dialect detected, first row is the header."""

    def __init__(self, max_rows: int = MAX_ROWS) -> None:
        self.max_rows = max_rows

    def parse(self, data: bytes, name: str) -> ParsedDocument:
        """Decode, sniff the dialect and turn rows into blocks."""
        text, encoding = decode(data, name)
        dialect = _dialect(text, name)
        builder = TextBuilder()
        try:
            truncated = rows_into(csv.reader(io.StringIO(text), dialect), builder, self.max_rows)
        except csv.Error as exc:
            raise ParseFailed(
                name, f"malformed CSV ({exc})", "Fix the quoting or re-export it."
            ) from exc
        metadata: dict[str, Any] = {"delimiter": dialect.delimiter}
        if truncated:
            metadata["truncated_at_rows"] = self.max_rows
        return builder.build(name, "csv", encoding=encoding, metadata=metadata)


def _dialect(text: str, name: str) -> Any:
    """The sniffed dialect of the first lines; tab for .tsv files, else comma, when unsure."""
    tsv = name.lower().endswith(".tsv")
    sample = "\n".join(text.split("\n", 64)[:64])
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters="\t" if tsv else ",\t;|")
    except csv.Error:
        return csv.excel_tab if tsv else csv.excel
    return dialect
