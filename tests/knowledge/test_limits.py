"""Inputs that explode fail alone, early and in bounded memory (issue 12, item 18).

Zip bombs (DOCX/XLSX parts that inflate a thousandfold), PDFs with huge page trees,
text past the per-document limit; and a parse worker that dies mid-ingest (killed
for memory, a native crash) costs only the file it was reading.
"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import zipfile

import pytest

from cristal.governance import get_tenant
from cristal.knowledge import ParsedDocument, get_collection, ingest_paths, parse_bytes, search
from cristal.knowledge.parsers import (
    MAX_PDF_PAGES,
    MAX_TEXT_CHARS,
    ParseFailed,
    PlainTextParser,
    UnsupportedFormat,
    register,
    unregister,
)

_PARTS = {".docx": "word/document.xml", ".xlsx": "xl/worksheets/sheet1.xml"}


def _bomb(seed: bytes, part: str, megabytes: int) -> bytes:
    """`seed` with `part` padded by whitespace (still valid XML) that deflates ~1000:1."""
    source = zipfile.ZipFile(io.BytesIO(seed))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename != part:
                target.writestr(info.filename, data)
                continue
            head, tail = data.rsplit(b"</", 1)
            with target.open(part, "w", force_zip64=True) as handle:
                handle.write(head)
                block = b" " * 2**20
                for _ in range(megabytes):
                    handle.write(block)
                handle.write(b"</" + tail)
    return out.getvalue()


_PARSE_IN_FRESH_PROCESS = """
import json, sys
from cristal.knowledge import ParseFailed, parse_bytes
data = sys.stdin.buffer.read()
try:
    parse_bytes(data, sys.argv[1])
    error = None
except ParseFailed as exc:
    error = exc.message
# VmHWM is this process's peak (ru_maxrss would include the forked parent's pages).
with open("/proc/self/status") as status:
    peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM"))
print(json.dumps({"error": error, "rss_mb": peak / 1024}))
"""


@pytest.mark.slow
@pytest.mark.parametrize("suffix", sorted(_PARTS))
def test_zip_bombs_are_refused_before_they_inflate(suffix, office_samples):
    bomb = _bomb(office_samples[suffix], _PARTS[suffix], 300)
    assert len(bomb) < 400_000  # about 300 KB that would become 300 MB
    out = subprocess.run(
        [sys.executable, "-c", _PARSE_IN_FRESH_PROCESS, f"bomb{suffix}"],
        input=bomb, capture_output=True, timeout=240, check=False,
    )
    assert out.returncode == 0, out.stderr.decode()[-2000:]
    result = json.loads(out.stdout.decode().strip().splitlines()[-1])
    assert result["error"] and "inflate" in result["error"] and "zip bomb" in result["error"]
    assert result["rss_mb"] < 250, result  # importing the parsers alone takes about 100 MB


def test_a_highly_compressible_but_small_document_still_parses(office_samples):
    small = _bomb(office_samples[".docx"], _PARTS[".docx"], 4)  # 4 MB of padding, ratio > 200
    assert parse_bytes(small, "padded.docx").format == "docx"


@pytest.mark.slow
def test_a_pdf_with_too_many_pages_is_refused():
    from fpdf import FPDF

    pdf = FPDF()
    for _ in range(MAX_PDF_PAGES + 1):
        pdf.add_page()
    with pytest.raises(ParseFailed, match="pages"):
        parse_bytes(bytes(pdf.output()), "huge.pdf")


def test_text_past_the_limit_is_refused():
    with pytest.raises(ParseFailed, match="characters of text"):
        parse_bytes(b"word " * (MAX_TEXT_CHARS // 5 + 1), "huge.txt")


class _Killer:
    """A real parser (the plug-in protocol) whose process dies on files that say KILL."""

    def parse(self, data: bytes, name: str) -> ParsedDocument:
        if data.startswith(b"KILL"):
            os.kill(os.getpid(), signal.SIGKILL)  # what the kernel's OOM killer does
        return PlainTextParser().parse(data, name)


@pytest.fixture
def killer_format():
    register(".boom", _Killer())
    yield ".boom"
    unregister(".boom")


def test_a_dead_parse_worker_fails_only_its_file(tmp_path, killer_format):
    from cristal.app import App
    from cristal.config import load_settings

    docs = tmp_path / "docs"
    docs.mkdir()
    for i in range(24):
        (docs / f"note-{i:02}.boom").write_text(f"Note {i} mentions the word pelican{i}.\n")
    (docs / "note-07.boom").write_text("KILL this worker\n")
    (docs / "note-15.boom").write_text("KILL this one too\n")
    app = App(load_settings(data_dir=str(tmp_path / "data")))
    try:
        tenant = get_tenant(app.store, "default")
        report = ingest_paths(app.store, tenant, "kb", [docs], workers=2)
        status = {f.path: (f.status, f.reason) for f in report.files}
        for culprit in ("note-07.boom", "note-15.boom"):
            assert status[culprit][0] == "failed" and "process died" in status[culprit][1]
        assert report.count("added") == 22
        collection = get_collection(app.store, tenant, "kb")
        assert collection.documents == 22
        hits = search(app.store, None, collection, "pelican23", mode="lexical")
        assert hits[0].doc == "note-23.boom"
    finally:
        app.close()


def test_unregister_removes_a_format(killer_format):
    from cristal.knowledge import supported_suffixes

    assert ".boom" in supported_suffixes()
    unregister(".boom")
    assert ".boom" not in supported_suffixes()
    with pytest.raises(UnsupportedFormat):
        parse_bytes(b"x", "a.boom")
