"""Offline Deep Research on the generated benchmark corpus at two sizes, once indexed.

Configurations, each with its latency measured against a reference taken in the same
run (one search call for the same question, the floor any research step pays), and
with the eval figures on the corpus questions (recall@10, fact recall, not-found
accuracy, false not-found):
1. a 300-document subset (the gold documents of the questions plus others), lexical
   index only;
2. the whole corpus (>= 2,000 documents in full mode), lexical index only, as right
   after ingest while vectors still fill in;
3. the 300-document subset with every vector computed (hybrid search);
4. with `--embed-all`, the whole corpus hybrid (embedding 31,000 chunks takes most
   of an hour on 2 cores).
The table shows the large corpus's fact recall and not-found accuracy as a ratio to
the 300-document figure of the same mode (issue 18: they should stay near 1.0, and
false not-found at 2,000 documents at or under 0.05).
Target: p50 <= 2 s per question once indexed.

Usage: python benchmarks/research.py [--quick] [--json] [--docs N] [--embed-all]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from ingest import corpus  # noqa: E402


def _subset(folder: Path, questions: list[dict], docs: int, out: Path) -> Path:
    """A smaller set: the gold documents of the questions plus others, same layout."""
    files = sorted(p for p in (folder / "docs").rglob("*") if p.is_file())
    gold = {g for q in questions for g in q["gold_docs"]}
    keep = [p for p in files if p.relative_to(folder / "docs").as_posix() in gold]
    keep += [p for p in files if p not in keep][: max(0, docs - len(keep))]
    for path in keep:
        target = out / "docs" / path.relative_to(folder / "docs")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)  # not a link: ingest refuses links out of a folder
    (out / "questions.jsonl").write_text(
        "\n".join(json.dumps(q, ensure_ascii=False) for q in questions) + "\n")
    return out


def _measure(set_dir: Path, data_dir: Path, embed: bool, limit: int | None) -> dict:
    from cristal.app import App
    from cristal.config import load_settings
    from cristal.governance import get_tenant
    from cristal.knowledge import embed_pending, get_collection, ingest_paths, search
    from cristal.research import ResearchOptions, evaluate
    from cristal.research._run import collection_for

    app = App(load_settings(data_dir=str(data_dir)))
    tenant = get_tenant(app.store, "default")
    name = "eval-" + collection_for(set_dir / "docs")
    t0 = time.perf_counter()
    ingest_paths(app.store, tenant, name, [set_dir / "docs"])
    ingest_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    if embed:
        embed_pending(app.store, app.gateway, tenant, get_collection(app.store, tenant, name))
    embed_s = time.perf_counter() - t0
    questions = [json.loads(line) for line in (set_dir / "questions.jsonl").open()]
    questions = questions[:limit] if limit else questions
    collection = get_collection(app.store, tenant, name)
    search_ms = []
    for q in questions:  # the reference: one hybrid search for the same question
        t1 = time.perf_counter()
        search(app.store, app.gateway, collection, q["question"], k=10)
        search_ms.append((time.perf_counter() - t1) * 1000)
    result = evaluate(app.store, app.gateway, set_dir, use_model=False,
                      options=ResearchOptions(), limit=limit, embed=embed)
    app.close()
    t = result.totals
    p50_search = statistics.median(search_ms)
    return {
        "documents": collection.documents, "chunks": collection.chunks,
        "vectors": collection.embedded, "questions": t["questions"],
        "ingest_s": round(ingest_s, 1), "embed_s": round(embed_s, 1),
        "research_ms_p50": t["latency_ms_p50"], "research_ms_p95": t["latency_ms_p95"],
        "search_ms_p50": round(p50_search, 1),
        "research_vs_search": round(t["latency_ms_p50"] / p50_search, 1),
        "recall_at_10": t["recall_at_10"], "answer_fact_recall": t["answer_fact_recall"],
        "citation_validity": t["citation_validity"],
        "not_found_correct": t["not_found_correct"], "false_not_found": t["false_not_found"],
        "neighbour_shown": t.get("neighbour_shown"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="about a minute")
    parser.add_argument("--json", action="store_true", help="last line is one JSON object")
    parser.add_argument("--docs", type=int, default=None)
    parser.add_argument("--embed-all", action="store_true")
    args = parser.parse_args()
    docs = args.docs or (300 if args.quick else 2000)
    folder = corpus(docs)
    questions = [json.loads(line) for line in (folder / "questions.jsonl").open()]
    limit = 12 if args.quick else None
    results: dict = {"corpus_documents": docs}
    small = 60 if args.quick else 300
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        subset = _subset(folder, questions, small, tmp_path / "s")
        results["lexical_small"] = _measure(subset, tmp_path / "a", False, limit)
        results["lexical_only"] = _measure(folder, tmp_path / "b", False, limit)
        results["hybrid"] = _measure(subset, tmp_path / "c", True, limit)
        if args.embed_all:
            results["hybrid_all"] = _measure(folder, tmp_path / "d", True, limit)
    for key, ref in (("lexical_only", "lexical_small"), ("hybrid_all", "hybrid")):
        if key in results:
            big, base = results[key], results[ref]
            big["fact_recall_vs_small"] = _ratio(big["answer_fact_recall"],
                                                 base["answer_fact_recall"])
            big["not_found_vs_small"] = _ratio(big["not_found_correct"],
                                               base["not_found_correct"])
    results["target_p50_ms"] = 2000
    _print(results)
    out = ROOT / "benchmarks" / "results" / "research.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    if args.json:
        print(json.dumps(results))


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 3) if a is not None and b else None


def _print(r: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table("configuration", "docs", "vectors", "research p50 / p95 ms",
                  "search p50 ms (ref)", "ratio", "recall@10", "fact recall", "not found",
                  "false not found", "vs 300 docs (facts / not found)",
                  title="Offline research (target p50 <= 2,000 ms; false not found <= 0.05)")
    rows = (("lexical index only", "lexical_small"), ("lexical index only", "lexical_only"),
            ("hybrid (vectors)", "hybrid"), ("hybrid (vectors)", "hybrid_all"))
    for label, key in rows:
        if key not in r:
            continue
        m = r[key]
        versus = (f"{m['fact_recall_vs_small']} / {m['not_found_vs_small']}"
                  if "fact_recall_vs_small" in m else "")
        table.add_row(label, f"{m['documents']:,}", f"{m['vectors']:,}",
                      f"{m['research_ms_p50']:,.0f} / {m['research_ms_p95']:,.0f}",
                      f"{m['search_ms_p50']:,.0f}", f"{m['research_vs_search']}x",
                      f"{m['recall_at_10']}", f"{m['answer_fact_recall']}",
                      f"{m['not_found_correct']}", f"{m['false_not_found']}", versus)
    Console().print(table)


if __name__ == "__main__":
    main()
