"""CSV, TSV and XLSX: each data row becomes `header: value | ...`; encodings, caps, failures."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import openpyxl
import pytest

from cristal.knowledge import ParseFailed, parse_bytes, parse_file
from cristal.knowledge.parsers import CsvParser, XlsxParser


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_csv_in_cp932(tmp_path: Path, chunks_of) -> None:
    text = '項目,上限,備考\r\n宿泊費,"15,000円","東京は20,000円"\r\n\r\n日当,3000円,\r\n'
    doc = parse_file(_write(tmp_path, "limits.csv", text.encode("cp932")))
    assert doc.encoding == "cp932" and doc.format == "csv" and doc.lang == "ja"
    assert (
        doc.text
        == "項目: 宿泊費 | 上限: 15,000円 | 備考: 東京は20,000円\n\n項目: 日当 | 上限: 3000円"
    )
    assert [b.kind for b in doc.blocks] == ["table_row", "table_row"]
    assert doc.metadata["delimiter"] == ","
    assert doc.title == "limits"
    chunks_of(doc)


def test_tsv_and_semicolon_dialects(tmp_path: Path) -> None:
    tsv = parse_file(_write(tmp_path, "plans.tsv", b"Plan\tFee\nGold\t$95\nBasic\t$0\n"))
    assert tsv.text == "Plan: Gold | Fee: $95\n\nPlan: Basic | Fee: $0"
    semi = parse_file(_write(tmp_path, "eu.csv", "Plan;Fee\nGold;95,50 €\n".encode()))
    assert semi.text == "Plan: Gold | Fee: 95,50 €"


def test_header_only_csv_keeps_the_header(tmp_path: Path) -> None:
    doc = parse_file(_write(tmp_path, "empty-table.csv", b"Plan,Fee\n"))
    assert doc.text == "Plan | Fee"


def test_row_cap_is_noted(tmp_path: Path, chunks_of) -> None:
    data = "n,square\n" + "".join(f"{i},{i * i}\n" for i in range(10))
    doc = CsvParser(max_rows=4).parse(data.encode(), "squares.csv")
    assert len(doc.blocks) == 4 and doc.metadata["truncated_at_rows"] == 4
    chunks_of(doc)


def _workbook(tmp_path: Path) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Fees"
    sheet.append(["Plan", "Monthly fee", "Since"])
    sheet.append(["Gold", 95.0, dt.datetime(2024, 4, 1)])
    sheet.append([None, None, None])
    sheet.append(["Basic", 0, None])
    other = workbook.create_sheet("経費")
    other.append(["項目", "上限"])
    other.append(["日当", "3,000円"])
    workbook.create_sheet("Empty")
    path = tmp_path / "fees.xlsx"
    workbook.save(path)
    return path


def test_xlsx_sheets_and_rows(tmp_path: Path, chunks_of) -> None:
    doc = parse_file(_workbook(tmp_path))
    assert doc.format == "xlsx" and doc.title == "fees"
    got = [(b.kind, doc.text[b.start : b.end], b.heading_path) for b in doc.blocks]
    assert got == [
        ("heading", "Fees", ("Fees",)),
        ("table_row", "Plan: Gold | Monthly fee: 95 | Since: 2024-04-01", ("Fees",)),
        ("table_row", "Plan: Basic | Monthly fee: 0", ("Fees",)),
        ("heading", "経費", ("経費",)),
        ("table_row", "項目: 日当 | 上限: 3,000円", ("経費",)),
        ("heading", "Empty", ("Empty",)),
    ]
    assert doc.metadata["sheets"] == ["Fees", "経費", "Empty"]
    chunks_of(doc)


def test_xlsx_row_cap_spans_sheets(tmp_path: Path) -> None:
    doc = XlsxParser(max_rows=2).parse(_workbook(tmp_path).read_bytes(), "fees.xlsx")
    assert sum(b.kind == "table_row" for b in doc.blocks) == 2
    assert doc.metadata["truncated_at_rows"] == 2


def test_broken_xlsx_fails(tmp_path: Path) -> None:
    with pytest.raises(ParseFailed, match="save it again as .xlsx"):
        parse_file(_write(tmp_path, "broken.xlsx", os.urandom(2048)))


def test_workbook_without_data_fails(tmp_path: Path) -> None:
    path = tmp_path / "blank.xlsx"
    openpyxl.Workbook().save(path)
    with pytest.raises(ParseFailed, match="no cell"):
        parse_bytes(path.read_bytes(), "blank.xlsx")
