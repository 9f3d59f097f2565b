"""A deterministic stand-in for a research model, served as an OpenAI-compatible API.

It answers the research prompts from the evidence it is given and nothing else:
- plan: no sub-questions (Cristal then plans by rules);
- answerable: a sub-question is answered by the evidence that shares most of its
  words (English: whole words, THRESHOLD_EN of them; Japanese: character bigrams,
  THRESHOLD_JA of them; question words left out), when, for amounts, counts and
  times, the text carries a number; otherwise not answered, naming the closest
  evidence's section;
- answer: one claim per evidence item, its text the quote itself;
- support: every claim supported.
It measures Cristal's model path (prompts, ids, verification, answerability wiring),
not the quality of any real model: run the same eval against a real endpoint with
OPENAI_BASE_URL for that (see the README).

    python tests/research_double.py --port 8765   # then point OPENAI_BASE_URL at it
"""

from __future__ import annotations

import argparse
import json
import re
import time
from typing import Any

from fake_openai import GOOD_KEY, FakeOpenAI

THRESHOLD_EN = 0.75
THRESHOLD_JA = 0.45
_QWORDS = re.compile(
    r"\b(?:what|which|who|when|where|how|much|many|does|is|are|the|a|an|of|for|to|do|can)\b|"
    r"いくら|いつ|どこ|どの|どう|どんな|誰|何|ですか|ますか|でしょうか|ください|教えて", re.I)
_NUMBER_ASKED = re.compile(r"how much|how many|how long|when|fee|rate|cost|いくら|何|いつ|"
                           r"期限|金額|上限", re.I)
_EVIDENCE = re.compile(r"^\[([\w-]+)\] ([^\n]*)\n(.*?)(?=\n\n\[[\w-]+\] |\n</evidence>)",
                       re.S | re.M)


def _units(text: str) -> set[str]:
    """English words, or Japanese character bigrams, without question words."""
    text = _QWORDS.sub(" ", text.lower())
    if text.isascii():
        return {w.rstrip("s") for w in re.findall(r"[a-z0-9$%.,]+", text) if len(w) > 1}
    chars = [c for c in text if c.isalnum()]
    return {a + b for a, b in zip(chars, chars[1:], strict=False)}


def _share(wanted: set[str], text: str) -> float:
    if not wanted:
        return 0.0
    if all(u.isascii() for u in wanted):
        words = {w.rstrip("s") for w in re.findall(r"[a-z0-9$%.,]+", text.lower())}
        return len(wanted & words) / len(wanted)
    return len(wanted & _units(text)) / len(wanted)


def _evidence(prompt: str) -> list[tuple[str, str, str]]:
    block = prompt.split("<evidence>\n", 1)[-1]
    return [(m.group(1), m.group(2), m.group(3)) for m in _EVIDENCE.finditer(block + "\n")]


def _subs(prompt: str) -> list[tuple[str, str]]:
    part = prompt.split("Sub-questions:\n", 1)[-1].split("\n\n", 1)[0]
    return [tuple(line.split(": ", 1)) for line in part.splitlines() if ": " in line]


def _judge(prompt: str) -> dict[str, Any]:
    evidence = _evidence(prompt)
    verdicts = []
    for sub_id, text in _subs(prompt):
        wanted = _units(text)
        threshold = THRESHOLD_EN if text.isascii() else THRESHOLD_JA
        scored = sorted(((_share(wanted, f"{where} {quote}"), eid, where, quote)
                         for eid, where, quote in evidence), reverse=True)
        if not scored:
            verdicts.append({"sub_question": sub_id, "answered": False, "evidence": []})
            continue
        share, eid, where, quote = scored[0]
        numeric = not _NUMBER_ASKED.search(text) or any(c.isdigit() for c in quote)
        if share >= threshold and numeric:
            ids = [e for s, e, _, q in scored if s >= threshold][:3]
            verdicts.append({"sub_question": sub_id, "answered": True, "evidence": ids})
        else:
            verdicts.append({"sub_question": sub_id, "answered": False, "evidence": [eid],
                             "asked": text, "found_instead": where.strip() or eid})
    return {"verdicts": verdicts}


def respond(body: dict[str, Any]) -> str | None:
    """The reply to one chat request, by its JSON schema's name (None: not ours)."""
    fmt = (body.get("response_format") or {}).get("json_schema") or {}
    prompt = body["messages"][-1]["content"]
    name = fmt.get("name")
    if name == "plan":
        return json.dumps({"sub_questions": []})
    if name == "answerable":
        return json.dumps(_judge(prompt), ensure_ascii=False)
    if name == "answer":
        claims = [{"text": quote.strip()[:300], "evidence": [eid]}
                  for eid, _, quote in _evidence(prompt)]
        return json.dumps({"not_found": not claims, "claims": claims}, ensure_ascii=False)
    if name == "support":
        items = json.loads(prompt.split("<evidence>\n", 1)[1].rsplit("\n</evidence>", 1)[0])
        return json.dumps({"results": [{"claim": i["claim"], "supported": True}
                                       for i in items]})
    return None


def serve(port: int = 0) -> FakeOpenAI:
    """Start the double on 127.0.0.1 (its `url` is the OpenAI base URL)."""
    return FakeOpenAI(port, responder=respond).start()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8765)
    server = serve(parser.parse_args().port)
    print(f"OPENAI_BASE_URL={server.url} OPENAI_API_KEY={GOOD_KEY}", flush=True)
    while True:
        time.sleep(3600)
