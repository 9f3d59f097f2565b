"""`cristal ingest/search/collections/research/eval` as a person runs them."""

from __future__ import annotations

import json
from pathlib import Path

from cli.test_cli_foundation import cristal, last_json
from corpus import write_corpus

QUESTION = "What is the late payment fee for business cards, and who approves waivers?"


def test_research_writes_the_contract_and_three_files(tmp_path):
    docs = write_corpus(tmp_path)
    out = tmp_path / "out"
    proc = cristal("research", QUESTION, "--docs", str(docs), "--out", str(out), "--json")
    assert proc.returncode == 0, proc.stderr
    report = last_json(proc)
    for key in ("id", "question", "lang", "answer", "not_found", "claims", "retrieved",
                "timings_ms", "model_calls"):
        assert key in report
    assert report["lang"] == "en" and report["not_found"] is False
    assert report["model_calls"] == 0 and report["timings_ms"]["ingest"] > 0
    cite = report["claims"][0]["citations"][0]
    assert set(cite) >= {"doc", "quote", "start", "end"}
    assert cite["quote"] in (docs / cite["doc"]).read_text(encoding="utf-8")
    assert [d["rank"] for d in report["retrieved"]] == list(range(1, len(report["retrieved"]) + 1))
    assert {p.name for p in out.iterdir()} == {"report.md", "report.html", "report.json"}
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "href='#src-1'" in html and "id='src-1'" in html and "<mark>" in html
    assert json.loads((out / "report.json").read_text(encoding="utf-8"))["id"] == report["id"]
    listed = last_json(cristal("research", "list", "--json"))["sessions"]
    assert [s["id"] for s in listed] == [report["id"]]
    shown = last_json(cristal("research", "show", report["id"], "--json"))
    assert shown["answer"] == report["answer"] and shown["out_dir"] == str(out)


def test_research_human_output_and_default_out_dir(tmp_path):
    docs = write_corpus(tmp_path)
    proc = cristal("research", "ニューヨークのホテル宿泊費の上限は？", "--docs", str(docs))
    assert proc.returncode == 0, proc.stderr
    assert "$180" in proc.stdout and "report.html" in proc.stdout
    assert list(Path("reports").glob("res_*/report.html"))  # cwd is the test's home


def test_not_found_and_bad_input(tmp_path):
    docs = write_corpus(tmp_path)
    nf = last_json(cristal("research", "What does the Platinum Card cost per year?",
                           "--docs", str(docs), "--json"))
    assert nf["not_found"] is True and nf["claims"] == []
    missing = cristal("research", "anything", "--docs", str(tmp_path / "nope"))
    assert missing.returncode == 2 and "no such file or folder" in missing.stderr
    assert "Traceback" not in missing.stderr
    nowhere = cristal("research", "anything")
    assert nowhere.returncode == 2 and "--docs FOLDER" in nowhere.stderr


def test_ingest_search_and_collections(tmp_path):
    docs = write_corpus(tmp_path)
    (docs / "broken.docx").write_bytes(b"not a zip")
    data = last_json(cristal("ingest", str(docs), "--collection", "kb", "--json"))
    assert data["added"] == 5 and data["failed"] == 1 and data["embedded"] > 0
    assert any(f["path"] == "broken.docx" and f["reason"] for f in data["files"])
    again = last_json(cristal("ingest", str(docs), "-c", "kb", "--json"))
    assert again["unchanged"] == 5 and again["added"] == 0
    hits = last_json(cristal("search", "経費精算", "-c", "kb", "--json"))["results"]
    assert hits[0]["doc"] == "hr/keihi.md" and hits[0]["score"] > 0
    listed = last_json(cristal("collections", "list", "--json"))["collections"]
    assert [c["name"] for c in listed] == ["kb"] and listed[0]["documents"] == 5
    shown = last_json(cristal("collections", "show", "kb", "--json"))
    assert shown["pending_vectors"] == 0
    assert cristal("collections", "delete", "kb", "--yes").returncode == 0
    assert cristal("search", "x", "-c", "kb").returncode == 2


def test_eval_research_on_a_small_set(tmp_path):
    write_corpus(tmp_path)
    rows = [
        {"id": "q1", "question": "What is the nightly hotel limit in New York?", "lang": "en",
         "answer_facts": ["$180"], "gold_docs": ["hr/travel-policy.md"], "hops": 1,
         "answerable": True},
        {"id": "q2", "question": "経費はいつ振り込まれますか？", "lang": "ja",
         "answer_facts": ["25日"], "gold_docs": ["hr/keihi.md"], "hops": 1, "answerable": True},
        {"id": "q3", "question": "What is the pension plan of the Platinum Club?", "lang": "en",
         "answer_facts": [], "gold_docs": [], "hops": 1, "answerable": False},
    ]
    (tmp_path / "questions.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    proc = cristal("eval", "research", "--set", str(tmp_path), "--json")
    assert proc.returncode == 0, proc.stderr
    data = last_json(proc)
    totals = data["totals"]
    assert totals["questions"] == 3 and totals["recall_at_5"] == 1.0
    assert totals["answer_fact_recall"] == 1.0 and totals["citation_validity"] == 1.0
    assert totals["not_found_correct"] == 1.0 and totals["false_not_found"] == 0.0
    assert totals["latency_ms_p50"] > 0 and len(data["questions"]) == 3
    bad = tmp_path / "bad"
    bad.mkdir()
    assert cristal("eval", "research", "--set", str(bad)).returncode == 2
    # Ablation: one piece switched off is named in the output; an unknown piece is bad input.
    off = cristal("eval", "research", "--set", str(tmp_path), "--limit", "1", "--without",
                  "feedback", "--without", "focus", "--json")
    assert off.returncode == 0, off.stderr
    assert last_json(off)["without"] == ["feedback", "focus"]
    wrong = cristal("eval", "research", "--set", str(tmp_path), "--without", "nothing")
    assert wrong.returncode == 2 and "choose among" in wrong.stderr
