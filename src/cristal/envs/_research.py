"""`cristal/Research-v0`: answer a question over a document folder with search, read and answer.

Tasks come from any folder with `docs/` and `questions.jsonl` (the eval format). The
documents are ingested once (incrementally) into a collection of Cristal's store, so
`search` is Cristal's own search (lexical by default: offline, fast, deterministic;
`embed=True` adds vectors for hybrid search). Actions, exactly as DESIGN.md says:

    {"tool": "search", "args": {"query": "..."}}
    {"tool": "read",   "args": {"doc": "cards/terms.md", "start": 0, "end": 500}}
    {"tool": "answer", "args": {"text": "...", "citations": [{"doc": "...", "quote": "..."}]}}

`answer` ends the episode with the rubric's reward in [0, 1] (see `_rubric`).
"""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path
from typing import Any

import numpy as np

from cristal.app import App
from cristal.config import load_settings
from cristal.envs._base import CristalEnv, InvalidAction
from cristal.envs._rubric import score_answer
from cristal.errors import CristalError, InvalidInput
from cristal.governance import get_tenant
from cristal.knowledge import embed_pending, get_collection, ingest_paths, parse_file, search
from cristal.research import collection_for, load_questions

__all__ = ["RESEARCH_TOOLS", "ResearchEnv"]

RESEARCH_TOOLS: list[dict[str, Any]] = [
    {"type": "function", "function": {
        "name": "search", "description": "Search the documents; returns ranked passages with "
        "their document path and character offsets.",
        "parameters": {"type": "object", "properties": {"query": {"type": "string"}},
                       "required": ["query"], "additionalProperties": False}}},
    {"type": "function", "function": {
        "name": "read", "description": "Read a document's text between two character offsets.",
        "parameters": {"type": "object", "properties": {
            "doc": {"type": "string", "description": "Path as shown in search results."},
            "start": {"type": "integer", "minimum": 0},
            "end": {"type": "integer", "minimum": 0}},
            "required": ["doc"], "additionalProperties": False}}},
    {"type": "function", "function": {
        "name": "answer", "description": "Give the final answer with exact quotes from the "
        "documents as citations; set not_found when the documents do not answer. Ends the "
        "episode.",
        "parameters": {"type": "object", "properties": {
            "text": {"type": "string"},
            "citations": {"type": "array", "items": {
                "type": "object", "properties": {"doc": {"type": "string"},
                                                 "quote": {"type": "string"}},
                "required": ["doc", "quote"], "additionalProperties": False}},
            "not_found": {"type": "boolean"}},
            "required": ["text"], "additionalProperties": False}}},
]
INSTRUCTIONS = (
    "You answer a question from a company's documents. Use search to find passages and read "
    "to see more of a document. Finish with answer: a short answer that states the facts, and "
    "citations that quote the documents exactly (copy the text). If the documents do not "
    "answer the question, answer with not_found=true. Every step costs a little reward.")
_WORD = re.compile(r"\w{2,}")
_INGEST = threading.Lock()


class ResearchEnv(CristalEnv):
    """A question over a document folder; search, read, answer."""

    env_id = "cristal/Research-v0"

    def __init__(self, set_dir: str | Path, *, app: App | None = None, db_url: str | None = None,
                 tenant: str | None = None, embed: bool = False, max_steps: int = 12,
                 step_cost: float = 0.02, k: int = 5, read_chars: int = 2000,
                 task: str | None = None, render_mode: str | None = None) -> None:
        self.set_dir = Path(set_dir)
        self.docs = self.set_dir / "docs"
        self.questions = {q["id"]: q for q in load_questions(self.set_dir)}
        self.step_cost, self.k, self.read_chars = step_cost, k, read_chars
        self._own_app = app is None
        self.app = app or App(load_settings(database_url=db_url) if db_url else None)
        self.tenant = get_tenant(self.app.store, tenant or self.app.settings.tenant)
        self.collection_name = "env-" + collection_for(self.docs)
        with _INGEST:  # environments made at once (threads, server sessions) ingest in turn
            ingest_paths(self.app.store, self.tenant, self.collection_name, [self.docs])
            self.collection = get_collection(self.app.store, self.tenant, self.collection_name)
            if embed:
                embed_pending(self.app.store, self.app.gateway, self.tenant, self.collection)
                self.collection = get_collection(self.app.store, self.tenant,
                                                 self.collection_name)
        self.mode = "hybrid" if embed else "lexical"
        self._texts: dict[str, str | None] = {}
        self._task: dict[str, Any] = {}
        self._seen_docs: list[str] = []
        super().__init__(max_steps=max_steps, task=task, render_mode=render_mode)

    def task_ids(self) -> list[str]:
        """The question ids of the set."""
        return list(self.questions)

    def tools(self) -> list[dict[str, Any]]:
        """search, read and answer."""
        return RESEARCH_TOOLS

    def instructions(self) -> str:
        """The system prompt for an agent."""
        return INSTRUCTIONS

    def task(self, task_id: str) -> dict[str, Any]:
        """One question with its answer facts and gold documents."""
        return self.questions[task_id]

    def doc_text(self, doc: str) -> str | None:
        """The parsed text of a document under docs/ (what offsets and quotes refer to)."""
        if doc not in self._texts:
            # Not resolve(): docs/ may be a link (eval sets link the shared corpus).
            path = Path(os.path.abspath(self.docs / doc))
            inside = path.is_relative_to(os.path.abspath(self.docs))
            try:
                self._texts[doc] = parse_file(path).text if inside and path.is_file() else None
            except (CristalError, OSError):
                self._texts[doc] = None
        return self._texts[doc]

    def search(self, query: str) -> list[Any]:
        """Cristal's search over the set's collection (what the `search` tool calls)."""
        gateway = self.app.gateway if self.mode != "lexical" else None
        return search(self.app.store, gateway, self.collection, query, k=self.k,
                      mode=self.mode, tenant=self.tenant.name)

    def _begin(self, task_id: str, seed: int) -> tuple[str, dict[str, Any]]:
        self._task = self.questions[task_id]
        self._seen_docs = []
        question = self._task["question"]
        obs = (f"Question: {question}\n\nThe documents are in a collection of "
               f"{self.collection.documents} files. Tools: search(query), read(doc, start, "
               "end), answer(text, citations, not_found).")
        return obs, {"question": question, "lang": self._task.get("lang", ""),
                     "tools": self.tools(), "instructions": INSTRUCTIONS}

    def _act(self, call: dict[str, Any]) -> tuple[str, float, bool, dict[str, Any]]:
        tool, args = call["tool"], call["args"]
        if tool == "search":
            query = args.get("query")
            if not isinstance(query, str) or not query.strip():
                raise InvalidAction("search needs a non-empty 'query'.")
            try:
                found = self.search(query)
            except InvalidInput as exc:
                raise InvalidAction(exc.message) from None
            lines = [f"Results for {query!r}:"] if found else [f"No passages match {query!r}."]
            for i, p in enumerate(found, start=1):
                self._seen_docs.append(p.doc)
                snippet = " ".join(p.text.split())[:400]
                lines.append(f"[{i}] {p.doc} (chars {p.start}-{p.end}): {snippet}")
            return "\n".join(lines), 0.0, False, {"results": [p.doc for p in found]}
        if tool == "read":
            doc = args.get("doc")
            text = self.doc_text(doc) if isinstance(doc, str) else None
            if text is None:
                raise InvalidAction(f"There is no document {doc!r}; use a path from the "
                                    "search results.")
            start = _int(args.get("start"), 0)
            end = _int(args.get("end"), start + self.read_chars)
            start = min(max(0, start), len(text))
            end = min(max(start, end), len(text), start + self.read_chars)
            self._seen_docs.append(doc)
            return (f"{doc} (chars {start}-{end} of {len(text)}):\n{text[start:end]}", 0.0,
                    False, {"doc": doc, "start": start, "end": end})
        # answer
        steps_before = len(self.episode.actions) - 1 if self.episode else 0
        rubric = score_answer(self._task, args, steps_before, doc_text=self.doc_text,
                              step_cost=self.step_cost)
        parts = [f"Answer recorded. Reward {rubric.reward:.2f}"]
        if rubric.citations:
            parts.append(f"{rubric.citations_valid}/{rubric.citations} citations verified")
        return "; ".join(parts) + ".", rubric.reward, True, {
            "rubric": rubric.to_dict(), "success": rubric.success}

    def _sample(self, rng: np.random.Generator) -> dict[str, Any]:
        """A random search for words of the question, a read of a seen document, or an answer."""
        words = _WORD.findall(self._task.get("question", "")) or ["policy"]
        roll = rng.random()
        if roll < 0.5 or not self._seen_docs:
            size = int(rng.integers(1, min(3, len(words)) + 1))
            picked = [words[int(i)] for i in rng.choice(len(words), size=size, replace=False)]
            return {"tool": "search", "args": {"query": " ".join(picked)}}
        doc = self._seen_docs[int(rng.integers(len(self._seen_docs)))]
        if roll < 0.8:
            start = int(rng.integers(0, 2000))
            return {"tool": "read", "args": {"doc": doc, "start": start, "end": start + 500}}
        text = self.doc_text(doc) or ""
        start = int(rng.integers(0, max(1, len(text) - 60)))
        quote = text[start:start + 60]
        return {"tool": "answer", "args": {"text": quote, "citations": [
            {"doc": doc, "quote": quote}]}}

    def close(self) -> None:
        """Release the database if this environment opened it."""
        if self._own_app:
            self.app.close()


def _int(value: Any, default: int) -> int:
    if value is None:
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise InvalidAction(f"offsets must be integers, not {value!r}.") from None
