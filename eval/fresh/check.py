"""Check the fresh set: layout, verbatim facts, absent answers, and overlap with older sets."""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
REQUIRED = {"id", "question", "lang", "answer_facts", "gold_docs", "hops", "answerable"}

# The composition the set was written to: (lang, answerable) -> number of questions.
EXPECTED = {("ja", True): 30, ("en", True): 15, ("ja", False): 12, ("en", False): 8}

# For each unanswerable question, the searches over docs/ that showed its answer is absent:
# (glob under docs/, regular expression). Any hit is a problem: the corpus may now answer it.
ABSENT: dict[str, list[tuple[str, str]]] = {
    "fr-ja-u01": [("ja/*.md", r"基本給|月給|賃金|年収|年俸|給与(?!振込)")],
    "fr-ja-u02": [("ja/*.md", r"(スマートフォン|スマホ|携帯)[^\n。]{0,30}(\d+分|自動ロック)")],
    "fr-ja-u03": [("ja/*.md", r"ハラスメント|研修")],
    "fr-ja-u04": [("ja/*.md", r"再登録|再開|再取引|取引を再")],
    "fr-ja-u05": [("ja/*.md", r"招集通知|招集の(通知|連絡)|招集[^\n。]{0,20}日前")],
    "fr-ja-u06": [("ja/*.md", r"経営会議")],
    "fr-ja-u07": [("ja/*.md", r"歓送迎|懇親|社内行事|福利厚生|補助")],
    "fr-ja-u08": [("ja/*.md", r"通勤手当|(通勤|定期代)[^\n。]{0,20}(上限|\d+円)")],
    "fr-ja-u09": [("ja/*.md", r"kW|キロワット|消費電力[^\n。]{0,10}[は：:]\s*\d")],
    "fr-ja-u10": [("ja/*.md", r"部品代|部品費|部品の価格|修理代|修理費|工賃|技術料")],
    "fr-ja-u11": [("ja/*.md", r"(不具合報告書|QA-F07|8D報告書)[^\n]{0,60}(保管|保存)")],
    "fr-ja-u12": [("ja/*.md", r"GB|MB|容量|サイズ|アップロード")],
    "fr-en-u01": [("en/checking_accounts_blue_account_*.md", r"(?i)gold")],
    "fr-en-u02": [
        (
            "en/business_checking_accounts_beige_*.md",
            r"(?i)withdrawal limit|ATM limit|daily (ATM|cash)",
        )
    ],
    "fr-en-u03": [("en/business_checking_accounts_beige_*.md", r"(?i)returned|bounced?|unpaid")],
    "fr-en-u04": [
        (
            "en/business_credit_cards_silver_zoom_card_*.md",
            r"(?i)minimum (monthly )?payment|\d% of (your|the) (statement|outstanding)",
        )
    ],
    "fr-en-u05": [
        (
            "en/checking_accounts_purple_account_*.md",
            r"(?i)\binterest\b|annual percentage yield|APY (is|of)|earns? [\d.]+%",
        )
    ],
    "fr-en-u06": [("en/savings_accounts_bronze_account_*.md", r"(?i)cashier")],
    "fr-en-u07": [("en/credit_cards_silver_rewards_card_*.md", r"(?i)lounge")],
    "fr-en-u08": [
        (
            "en/*.md",
            r"(?i)(international|foreign|outgoing|outbound)[^\n]{0,40}\bwires?\b"
            r"|\bwires?\b[^\n]{0,40}(international|abroad|foreign|outgoing|outbound)",
        )
    ],
}


def read_rows(path: Path) -> list[dict]:
    """Return the JSON objects of a JSONL file, one per non-empty line."""
    lines = path.read_text("utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def row_problems(row: dict, docs: Path) -> list[str]:
    """Return the problems of one question row against the documents under docs."""
    qid = row.get("id")
    missing = REQUIRED - row.keys()
    if missing:
        return [f"{qid}: missing fields {sorted(missing)}"]
    out: list[str] = []
    if row["lang"] not in ("ja", "en"):
        out.append(f"{qid}: lang {row['lang']!r} is neither ja nor en")
    if row["hops"] not in (1, 2):
        out.append(f"{qid}: hops {row['hops']!r} is neither 1 nor 2")
    if not row["answerable"]:
        if row["answer_facts"] or row["gold_docs"]:
            out.append(f"{qid}: unanswerable but answer_facts or gold_docs is not empty")
        if not str(row.get("neighbour_note", "")).strip():
            out.append(f"{qid}: unanswerable without a neighbour_note")
        if qid not in ABSENT:
            out.append(f"{qid}: unanswerable without a corpus search in ABSENT")
        for pattern_glob, pattern in ABSENT.get(qid, []):
            paths = sorted(docs.glob(pattern_glob))
            if not paths:
                out.append(f"{qid}: no document matches {pattern_glob}")
            for path in paths:
                hit = re.search(pattern, path.read_text("utf-8"))
                if hit:
                    rel = path.relative_to(docs)
                    out.append(f"{qid}: {rel} has {hit.group(0)!r}; is it answerable now?")
        return out
    if not row["answer_facts"] or not row["gold_docs"]:
        return out + [f"{qid}: answerable but answer_facts or gold_docs is empty"]
    if row["hops"] == 2 and len(row["gold_docs"]) < 2:
        out.append(f"{qid}: two hops need at least two gold docs")
    texts: dict[str, str] = {}
    for rel in row["gold_docs"]:
        path = docs / rel
        if ".." in Path(rel).parts or not path.is_file():
            out.append(f"{qid}: gold doc {rel} does not exist under docs/")
            continue
        if Path(rel).parts[0] != row["lang"]:
            out.append(
                f"{qid}: a {row['lang']} question with gold doc {rel} outside {row['lang']}/"
            )
        texts[rel] = path.read_text("utf-8")
    for fact in row["answer_facts"]:
        if not any(fact in text for text in texts.values()):
            out.append(f"{qid}: fact {fact!r} is not verbatim in any gold doc")
    if row["hops"] == 1:
        for rel, text in texts.items():
            if not any(fact in text for fact in row["answer_facts"]):
                out.append(f"{qid}: one-hop gold doc {rel} holds none of the facts")
    return out


def set_problems(set_dir: Path) -> list[str]:
    """Return every problem of the set in set_dir (empty when all is well)."""
    docs = set_dir / "docs"
    if not docs.is_dir():
        return [f"{docs} is missing or does not resolve to a folder"]
    rows = read_rows(set_dir / "questions.jsonl")
    out = [
        f"id {q!r} occurs {n} times" for q, n in Counter(r.get("id") for r in rows).items() if n > 1
    ]
    for row in rows:
        out.extend(row_problems(row, docs))
    extra = set(ABSENT) - {r.get("id") for r in rows if r.get("answerable") is False}
    out.extend(f"ABSENT names {q}, which is not an unanswerable question" for q in sorted(extra))
    got = Counter((r.get("lang"), r.get("answerable")) for r in rows)
    for key, want in EXPECTED.items():
        if got[key] != want:
            out.append(
                f"{key[0]} {'answerable' if key[1] else 'unanswerable'}: {got[key]}, want {want}"
            )
    return out


def other_sets(set_dir: Path) -> list[Path]:
    """Return the other question files over the same corpus: sibling sets and the dev set."""
    found = [p for p in sorted(set_dir.parent.glob("*/questions.jsonl")) if p.parent != set_dir]
    dev = (set_dir / "docs").resolve().parent / "questions.jsonl"
    return found + ([dev] if dev.is_file() else [])


def fact_places(row: dict, docs: Path) -> set[tuple[str, str]]:
    """Return the (gold doc, fact) pairs of a row where the fact really stands in that doc."""
    pairs = set()
    for rel in row.get("gold_docs", []):
        path = docs / rel
        text = path.read_text("utf-8") if ".." not in Path(rel).parts and path.is_file() else ""
        pairs.update((rel, f) for f in row.get("answer_facts", []) if f in text)
    return pairs


def overlap(set_dir: Path) -> tuple[list[str], list[str]]:
    """Return (questions repeated verbatim from another set, facts shared with another set)."""
    docs = set_dir / "docs"
    seen_q: dict[str, str] = {}
    seen_f: dict[tuple[str, str], str] = {}
    for path in other_sets(set_dir):
        for r in read_rows(path):
            where = f"{path.parent.name}:{r.get('id')}"
            seen_q.setdefault(" ".join(str(r.get("question", "")).split()), where)
            for pair in fact_places(r, docs):
                seen_f.setdefault(pair, where)
    repeated, shared = [], []
    for r in read_rows(set_dir / "questions.jsonl"):
        text = " ".join(r["question"].split())
        if text in seen_q:
            repeated.append(f"{r['id']}: same question as {seen_q[text]}")
        for fact in r["answer_facts"]:
            where = sorted(seen_f[p] for p in fact_places(r, docs) if p[1] == fact and p in seen_f)
            if where:
                shared.append(f"{r['id']}: {fact!r} is also a fact of {where[0]} in the same doc")
    return repeated, shared


def summary(set_dir: Path) -> str:
    """Return the counts of the set by language, answerability and hops."""
    c = Counter(
        (r["lang"], r["answerable"], r["hops"]) for r in read_rows(set_dir / "questions.jsonl")
    )
    parts = [
        f"{lang} {'answerable' if ok else 'unanswerable'} hops={h}: {n}"
        for (lang, ok, h), n in sorted(c.items())
    ]
    return f"{sum(c.values())} questions; " + "; ".join(parts)


def main() -> int:
    """Check the set (first argument, default this folder); exit 1 on any problem."""
    set_dir = Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else HERE
    problems = set_problems(set_dir)
    if not problems:
        repeated, shared = overlap(set_dir)
        problems.extend(repeated)
        n_facts = sum(len(r["answer_facts"]) for r in read_rows(set_dir / "questions.jsonl"))
        for line in shared:
            print(f"note: {line}")
        print(f"{len(shared)} of {n_facts} facts are also an older set's (same string, same doc)")
    for line in problems:
        print(line)
    print(summary(set_dir))
    print("OK" if not problems else f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
