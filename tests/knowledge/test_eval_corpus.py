"""Every document of the research-dev evaluation corpus parses into sane, verbatim chunks."""

from __future__ import annotations

from pathlib import Path

import pytest

from cristal.knowledge import index_terms, parse_file, split_sentences

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "eval" / "research-dev" / "docs"


@pytest.fixture(scope="module")
def corpus_files() -> list[Path]:
    """The Markdown files of the shared evaluation set (skipped where it is not mounted)."""
    files = sorted(CORPUS.glob("*/*.md"))
    if not files:
        pytest.skip(f"the evaluation corpus is not present at {CORPUS}")
    return files


def test_whole_corpus(corpus_files: list[Path], chunks_of) -> None:
    langs = {"en": 0, "ja": 0}
    for path in corpus_files:
        doc = parse_file(path)
        raw = path.read_bytes().decode("utf-8-sig").replace("\r\n", "\n")
        assert doc.text == raw, path  # quotes must exist verbatim in the file
        assert doc.title, path
        assert doc.lang == path.parent.name, path
        langs[doc.lang] += 1
        chunks = chunks_of(doc)
        for piece in chunks:
            assert piece.heading_path, (path, piece)  # every file opens with a heading
            assert index_terms(piece.text), (path, piece)
            for start, end in split_sentences(doc.text, piece.start, piece.end):
                assert piece.start <= start < end <= piece.end
                quote = doc.text[start:end]
                assert quote in raw and quote == quote.strip()
                assert not quote.startswith(("- ", "* ", "| ", "#"))
    assert langs["en"] > 100 and langs["ja"] > 10
