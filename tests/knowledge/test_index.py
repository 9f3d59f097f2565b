"""Ingest and search on the store's database: incremental, failure-safe, hybrid (both DBs)."""

from __future__ import annotations

import pytest

from corpus import write_corpus
from cristal.errors import InvalidInput, NotFound
from cristal.governance import get_tenant
from cristal.knowledge import (
    count_pending,
    delete_collection,
    embed_pending,
    get_collection,
    ingest_paths,
    list_collections,
    search,
)


@pytest.fixture
def setup(db_url, tmp_path):
    from cristal.app import App
    from cristal.config import load_settings

    app = App(load_settings(data_dir=str(tmp_path / "data"), database_url=db_url))
    docs = write_corpus(tmp_path)
    yield app, get_tenant(app.store, "default"), docs
    app.close()


def _status(report) -> dict[str, str]:
    return {f.path: f.status for f in report.files}


def test_incremental_ingest(setup):
    app, tenant, docs = setup
    first = ingest_paths(app.store, tenant, "kb", [docs])
    assert set(_status(first).values()) == {"added"} and len(first.files) == 5
    again = ingest_paths(app.store, tenant, "kb", [docs])
    assert set(_status(again).values()) == {"unchanged"}
    (docs / "hr" / "travel-policy.md").write_text("# Travel Policy\n\nHotels: $200 a night.\n")
    (docs / "hr" / "keihi.md").unlink()
    third = ingest_paths(app.store, tenant, "kb", [docs])
    status = _status(third)
    assert status["hr/travel-policy.md"] == "updated" and status["hr/keihi.md"] == "removed"
    collection = get_collection(app.store, tenant, "kb")
    assert collection.documents == 4
    hits = search(app.store, None, collection, "hotel night", mode="lexical")
    assert hits and "$200" in hits[0].text
    assert not search(app.store, None, collection, "立替経費", mode="lexical")


def test_broken_and_unknown_files_are_reported_not_fatal(setup):
    app, tenant, docs = setup
    (docs / "broken.pdf").write_bytes(b"%PDF-1.7 this is not really a pdf")
    (docs / "picture.png").write_bytes(b"\x89PNG\r\n")
    (docs / "empty.md").write_text("")
    report = ingest_paths(app.store, tenant, "kb", [docs])
    status = _status(report)
    assert status["broken.pdf"] == "failed" and status["picture.png"] == "skipped"
    assert status["empty.md"] == "failed"
    reasons = {f.path: f.reason for f in report.files}
    assert "PDF" in reasons["broken.pdf"] and "unsupported format '.png'" in reasons["picture.png"]
    assert sum(1 for s in status.values() if s == "added") == 5


def test_a_file_that_breaks_keeps_its_last_good_version(setup):
    app, tenant, docs = setup
    ingest_paths(app.store, tenant, "kb", [docs])
    (docs / "hr" / "zaitaku.txt").write_bytes(b"\x00\x01\x02binary\x00" * 50)
    report = ingest_paths(app.store, tenant, "kb", [docs])
    failed = next(f for f in report.files if f.path == "hr/zaitaku.txt")
    assert failed.status == "failed" and "previously indexed version is kept" in failed.reason
    hits = search(app.store, None, get_collection(app.store, tenant, "kb"), "在宅勤務",
                  mode="lexical")
    assert hits and hits[0].doc == "hr/zaitaku.txt"


def test_missing_path_is_refused_before_anything_changes(setup, tmp_path):
    app, tenant, docs = setup
    with pytest.raises(InvalidInput, match="no such file or folder"):
        ingest_paths(app.store, tenant, "kb", [docs, tmp_path / "nope"])
    assert list_collections(app.store, tenant)[0].documents == 0


def test_japanese_compounds_match_their_parts(setup):
    app, tenant, docs = setup
    ingest_paths(app.store, tenant, "kb", [docs])
    collection = get_collection(app.store, tenant, "kb")
    for query in ("経費精算", "精算", "経費"):
        hits = search(app.store, None, collection, query, mode="lexical")
        assert hits[0].doc == "hr/keihi.md", query
    sjis = search(app.store, None, collection, "在宅勤務手当", mode="lexical")
    assert sjis[0].doc == "hr/zaitaku.txt" and "日額200円" in sjis[0].text


def test_vectors_fill_in_after_lexical_and_enable_cross_lingual_search(setup):
    app, tenant, docs = setup
    ingest_paths(app.store, tenant, "kb", [docs])
    collection = get_collection(app.store, tenant, "kb")
    assert count_pending(app.store, collection.id) == collection.chunks > 0
    # lexical search works before any vector exists
    assert search(app.store, app.gateway, collection, "hotel limit")[0].doc == \
        "hr/travel-policy.md"
    done = embed_pending(app.store, app.gateway, tenant, collection, batch=4)
    collection = get_collection(app.store, tenant, "kb")
    assert done == collection.chunks == collection.embedded
    assert count_pending(app.store, collection.id) == 0
    # a Japanese question finds the English travel policy only through vectors
    hits = search(app.store, app.gateway, collection, "ニューヨークのホテル宿泊費の上限は？", k=3)
    assert "hr/travel-policy.md" in [h.doc for h in hits]
    vector_only = search(app.store, app.gateway, collection, "hotel price per night",
                         mode="vector", k=2)
    assert vector_only[0].doc == "hr/travel-policy.md" and vector_only[0].vector_rank == 1


def test_delete_collection(setup):
    app, tenant, docs = setup
    ingest_paths(app.store, tenant, "kb", [docs])
    delete_collection(app.store, tenant, "kb")
    with pytest.raises(NotFound, match="cristal ingest PATH --collection kb"):
        get_collection(app.store, tenant, "kb")
    assert list_collections(app.store, tenant) == []
