"""Research tasks from a collection's own documents (`cristal envs synth`).

Offline, from structure (Japanese and English):

- `table`: a row of a Markdown table → "what is the <column> for <row>?" (the cell);
- `amount`: a sentence with an amount, rate or deadline → that sentence with the figure
  blanked out ("what goes in the blank?");
- `reference`: a document that names another one (a control number such as `FP-12`, or
  its title) → a two-hop question about a figure in the referenced document;
- `unanswerable`: a table question about a product or subject no document mentions.

With a model route, each question is rewritten in natural words (the facts stay).
Every task is checked before it is kept: answerable ones need their fact verbatim in the
gold document, and a passage of the gold document holding the fact among the top 10 of
Cristal's search for the question;
unanswerable ones need their invented subject to appear in no document. The share kept
is reported.
"""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from cristal.errors import CristalError, InvalidInput
from cristal.knowledge import collection_documents, get_collection, search, split_sentences

__all__ = ["SynthReport", "synthesize"]

_AMOUNT = re.compile(
    r"(?:JPY|USD|EUR|¥|\$|€)\s?\d[\d,]*(?:\.\d+)?(?:\s?(?:million|billion))?"
    r"|\d[\d,]*(?:\.\d+)?\s?(?:%|percent|business days|calendar days|days|months|years|hours)"
    r"|\d[\d,，]*(?:\.\d+)?(?:万円|円|％|%|営業日|日|か月|ヶ月|カ月|年|時間|文字)(?:以内|以上|以下)?")
_CODE = re.compile(r"\b[A-Z]{2,4}-(?:[A-Z]{2}-)?\d{2,3}\b")
_ROW = re.compile(r"^\|(.+)\|\s*$", re.M)
_INVENTED = {"en": ["Titanium", "Obsidian", "Sapphire", "Aurora"],
             "ja": ["チタン", "オブシディアン", "サファイア", "オーロラ"]}
_TEMPLATES = {
    "table": {"en": "In {title}, what is the {column} for {row}?",
              "ja": "{title}で、{row}の{column}は何ですか？"},
    "amount": {"en": "According to {title}: \"{blanked}\" What goes in the blank?",
               "ja": "{title}によると、「{blanked}」の空欄に入るのは何ですか？"},
    "reference": {"en": "{title} refers to {ref}. According to that document: \"{blanked}\" "
                        "What goes in the blank?",
                  "ja": "{title}は{ref}を参照しています。その文書によると、「{blanked}」の空欄に"
                        "入るのは何ですか？"},
}


@dataclass
class SynthReport:
    """What was generated, what passed the checks, and where it went."""

    out: str
    generated: Counter[str] = field(default_factory=Counter)
    kept: Counter[str] = field(default_factory=Counter)
    rewritten: int = 0
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The `envs synth --json` object."""
        total, kept = sum(self.generated.values()), sum(self.kept.values())
        return {"out": self.out, "generated": total, "kept": kept,
                "share_kept": round(kept / total, 4) if total else None,
                "by_kind": {k: {"generated": v, "kept": self.kept.get(k, 0)}
                            for k, v in sorted(self.generated.items())},
                "rewritten_by_model": self.rewritten, "notes": self.notes}


def _title(doc: dict[str, Any]) -> str:
    return (doc.get("title") or Path(doc["path"]).stem).strip()


def _lang(doc: dict[str, Any]) -> str:
    return "ja" if doc.get("lang") == "ja" else "en"


def _tables(doc: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    rows = [[c.strip() for c in m.group(1).split("|")] for m in _ROW.finditer(doc["text"])]
    header: list[str] | None = None
    for cells in rows:
        if all(re.fullmatch(r":?-{3,}:?", c) for c in cells if c):
            continue
        if header is None or len(cells) != len(header):
            header = cells
            continue
        row, values = cells[0], cells[1:]
        for column, value in zip(header[1:], values, strict=False):
            if (_label(row) and _label(column) and value and 1 < len(value) <= 60
                    and value != row):
                out.append({"kind": "table", "doc": doc, "row": row, "column": column,
                            "fact": value})
    return out


def _label(text: str) -> bool:
    """A row or column name a question can use: words, not a number or a mark."""
    return len(text) >= 2 and not re.fullmatch(r"[\d\W_]+", text)


def _amount_sentences(doc: dict[str, Any]) -> list[tuple[str, str]]:
    text, found = doc["text"], []
    for start, end in split_sentences(text):
        sentence = " ".join(text[start:end].split())
        if "|" in sentence or not 30 <= len(sentence) <= 240:
            continue
        match = _AMOUNT.search(sentence)
        if match:
            found.append((sentence, match.group(0)))
    return found


def _candidates(docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for doc in docs:
        out += _tables(doc)
        out += [{"kind": "amount", "doc": doc, "sentence": s, "fact": f}
                for s, f in _amount_sentences(doc)]
    codes = {m: d for d in docs for m in set(_CODE.findall(d["text"][:400]))}
    for doc in docs:
        for code in sorted(set(_CODE.findall(doc["text"]))):
            target = codes.get(code)
            if target is None or target["id"] == doc["id"]:
                continue
            for sentence, fact in _amount_sentences(target)[:3]:
                out.append({"kind": "reference", "doc": doc, "target": target, "ref": code,
                            "sentence": sentence, "fact": fact})
    return out


def _question(c: dict[str, Any]) -> str:
    lang = _lang(c["doc"])
    if c["kind"] == "table":
        return _TEMPLATES["table"][lang].format(title=_title(c["doc"]), row=c["row"],
                                                column=c["column"])
    blanked = c["sentence"].replace(c["fact"], "___", 1)
    return _TEMPLATES[c["kind"]][lang].format(title=_title(c["doc"]), blanked=blanked,
                                              ref=c.get("ref", ""))


def _rewrite(gateway: Any, route: str, question: str, fact: str, lang: str) -> str | None:
    words = "Japanese" if lang == "ja" else "English"
    result = gateway.chat([
        {"role": "system", "content": "Rewrite a templated question as an employee would ask "
         f"it, in {words}. Keep every name, number and condition; never include the answer."},
        {"role": "user", "content": f"Question: {question}\nAnswer (do not reveal): {fact}"}],
        route=route, json_schema={"type": "object", "properties": {
            "question": {"type": "string"}}, "required": ["question"],
            "additionalProperties": False}, schema_name="question", caller="envs:synth")
    text = (result.parsed or {}).get("question") if isinstance(result.parsed, dict) else None
    if not text or fact in text:
        return None
    return str(text).strip()


def synthesize(app: Any, tenant: Any, collection: str, n: int, out: str | Path, *,
               seed: int = 0, route: str | None = None, unanswerable_share: float = 0.15,
               progress: Any = None) -> SynthReport:
    """Write `out/questions.jsonl` (up to `n` checked tasks) and copy the documents to out/docs."""
    if n < 1:
        raise InvalidInput("--n must be at least 1.")
    coll = get_collection(app.store, tenant, collection)
    docs = collection_documents(app.store, coll)
    if not docs:
        raise InvalidInput(f"collection {collection!r} has no documents; ingest some first "
                           f"(`cristal ingest DIR --collection {collection}`).")
    out = Path(out)
    report = SynthReport(out=str(out))
    use_model = bool(route) and app.gateway.available(route, tenant.name)
    if route and not use_model:
        report.notes.append(f"route {route!r} has no model; questions stay templated")
    rng = np.random.default_rng(seed)
    pool = _candidates(docs)
    rng.shuffle(pool)  # type: ignore[arg-type]
    corpus = "\n".join(d["text"] for d in docs)
    want_unanswerable = max(1, round(n * unanswerable_share)) if n > 2 else 0
    tasks: list[dict[str, Any]] = []
    seen: set[str] = set()
    tables = [c for c in pool if c["kind"] == "table"]
    for c in pool:
        if len(tasks) >= n - want_unanswerable:
            break
        report.generated[c["kind"]] += 1
        question = _question(c)
        gold = c.get("target", c["doc"])
        if question in seen or c["fact"] not in gold["text"]:
            continue
        lang = _lang(c["doc"])
        if use_model:
            try:
                better = _rewrite(app.gateway, route, question, c["fact"], lang)  # type: ignore[arg-type]
            except CristalError as exc:
                report.notes.append(f"model rewrite failed, kept the template: {exc.message}")
                use_model, better = False, None
            if better:
                question, report.rewritten = better, report.rewritten + 1
        hits = search(app.store, None, coll, question, k=10, mode="lexical",
                      tenant=tenant.name)
        fact = " ".join(c["fact"].split())
        if not any(p.doc == gold["path"] and fact in " ".join(p.text.split()) for p in hits):
            continue  # the passage that answers it is not found by the question
        seen.add(question)
        report.kept[c["kind"]] += 1
        golds = [c["doc"]["path"], gold["path"]] if c["kind"] == "reference" else [gold["path"]]
        tasks.append({"question": question, "lang": lang, "answer_facts": [c["fact"]],
                      "gold_docs": list(dict.fromkeys(golds)),
                      "hops": 2 if c["kind"] == "reference" else 1, "answerable": True,
                      "kind": c["kind"]})
        if progress:
            progress("Synth", len(tasks), n, c["kind"])
    for c in tables[: want_unanswerable * 4]:
        if sum(1 for t in tasks if not t["answerable"]) >= want_unanswerable:
            break
        report.generated["unanswerable"] += 1
        lang = _lang(c["doc"])
        invented = next((w for w in _INVENTED[lang] if w not in corpus), None)
        if invented is None:
            continue
        row = f"{invented} {c['row']}" if lang == "en" else f"{invented}{c['row']}"
        question = _TEMPLATES["table"][lang].format(title=_title(c["doc"]), row=row,
                                                    column=c["column"])
        if question in seen or invented in corpus:  # checked: no document names it
            continue
        seen.add(question)
        report.kept["unanswerable"] += 1
        tasks.append({"question": question, "lang": lang, "answer_facts": [], "gold_docs": [],
                      "hops": 1, "answerable": False, "kind": "unanswerable"})
    _write(out, tasks, docs)
    return report


def _write(out: Path, tasks: list[dict[str, Any]], docs: list[dict[str, Any]]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with (out / "questions.jsonl").open("w", encoding="utf-8") as fh:
        for i, task in enumerate(tasks, start=1):
            fh.write(json.dumps({"id": f"syn-{i:03d}", **task}, ensure_ascii=False) + "\n")
    for doc in docs:
        target = out / "docs" / doc["path"]
        if target.exists() or target.is_symlink():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        # A copy, not a link: ingest refuses links that lead out of the folder it reads.
        shutil.copyfile(doc["source"], target)
