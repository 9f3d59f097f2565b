"""An upload over real HTTP with `Accept: text/event-stream`: progress per file, the broken
file failed with its reason in the final `result`, and the good files then searchable."""

from __future__ import annotations

from served import sse_events

MD = b"# Travel policy\n\nTrain tickets above 40,000 yen need the Quillfeather form.\n"
JA = "出張規程\n新幹線の乗車券は、事前に稟議書で申請する。宿泊費の上限は一泊一万二千円とする。\n"
BROKEN_PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R" + b"\x00\xff" * 200


def test_upload_streams_progress_per_file_then_the_report(site):
    files = [("files", ("travel.md", MD, "text/markdown")),
             ("files", ("shucchou-sjis.txt", JA.encode("shift_jis"), "text/plain")),
             ("files", ("broken.pdf", BROKEN_PDF, "application/pdf"))]
    with site.http.stream("POST", "/api/collections/uploads/documents", files=files,
                          headers={**site.headers("builder"), "Accept": "text/event-stream"}
                          ) as response:
        # 200, not the 201 of a plain upload: the status goes out before the work is done.
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        events = sse_events(response.iter_lines())  # as it arrives

    kinds = [k for k, _ in events]
    assert kinds[-1] == "result" and kinds.count("result") == 1 and "error" not in kinds, kinds
    assert set(kinds[:-1]) == {"progress"}
    parsed = [d for k, d in events if k == "progress" and d["stage"] == "parse"]
    assert [(d["done"], d["total"]) for d in parsed] == [(1, 3), (2, 3), (3, 3)]
    assert sorted(d["detail"] for d in parsed) == ["broken.pdf", "shucchou-sjis.txt",
                                                    "travel.md"]
    embedded = [d for k, d in events if k == "progress" and d["stage"] == "embed"]
    assert embedded and embedded[-1]["done"] == embedded[-1]["total"] > 0

    report = events[-1][1]
    assert (report["collection"], report["added"], report["failed"]) == ("uploads", 2, 1)
    status = {f["path"]: (f["status"], f["reason"]) for f in report["files"]}
    assert status["travel.md"] == status["shucchou-sjis.txt"] == ("added", None)
    assert status["broken.pdf"][0] == "failed"
    assert "corrupt or not a PDF" in status["broken.pdf"][1]
    assert report["embedded"] == report["chunks"] > 0

    listed = site.call("admin", "GET", "/api/collections/uploads/documents").json()
    assert sorted(d["path"] for d in listed["documents"]) == ["shucchou-sjis.txt", "travel.md"]
    for query, path in (("Quillfeather form", "travel.md"),
                        ("新幹線の乗車券", "shucchou-sjis.txt")):
        for mode in ("lexical", "hybrid"):
            found = site.call("member", "POST", "/api/search", json={
                "query": query, "collections": ["uploads"], "mode": mode}).json()["results"]
            assert found and found[0]["doc"] == path, (query, mode, found)
            assert mode == "lexical" or found[0]["vector_rank"] is not None  # embedded
    jp = site.call("member", "POST", "/api/search", json={"query": "宿泊費の上限"}).json()
    assert "一泊一万二千円" in jp["results"][0]["text"]
