"""The model path of Deep Research, with a test double implementing the real provider protocol.

The double answers by schema name: a plan, a cited synthesis, a support check; it sees
the same prompts a hosted model would (evidence marked as untrusted data).
"""

from __future__ import annotations

import json
import re

from cristal.app import App
from cristal.config import load_settings
from cristal.governance import create_tenant
from cristal.models import ChatRequest, FunctionProvider
from cristal.research import ResearchRequest, run_research

QUESTION = "What is the late payment fee for business cards, and who approves waivers?"


def _app(tmp_path, sqlite_url, fn) -> App:
    settings = load_settings(data_dir=str(tmp_path / "data"), database_url=sqlite_url,
                             routes={"research": {"provider": "fake", "model": "fake-1"}},
                             prices={"fake-1": {"input_per_mtok": 1.0, "output_per_mtok": 2.0}})
    return App(settings, providers={"fake": FunctionProvider(fn, name="fake", local=False)})


def _script(unsupported: bool = False, bogus_id: bool = False):
    seen: list[ChatRequest] = []

    def answer(request: ChatRequest) -> str:
        seen.append(request)
        prompt = request.messages[-1]["content"]
        if request.schema_name == "plan":
            return json.dumps({"sub_questions": [
                {"question": "What is the late payment fee for business cards?",
                 "search_query": "late payment fee business card"},
                {"question": "Who approves waivers of the late payment fee?",
                 "search_query": "waiver approval"}]})
        if request.schema_name == "answerable":
            ids = re.findall(r"\[([\w-]+)\]", prompt)
            subs = re.findall(r"^(q\d+): ", prompt, re.M)
            return json.dumps({"verdicts": [
                {"sub_question": s, "answered": True, "evidence": ids} for s in subs]})
        if request.schema_name == "answer":
            ids = re.findall(r"\[(E\d+)\]", prompt)
            fee = next(i for i in ids if "$39" in prompt.split(f"[{i}]")[1][:300])
            boss = next(i for i in ids if "部長" in prompt.split(f"[{i}]")[1][:300])
            claims = [{"text": "The late payment fee is $39.", "evidence": [fee]},
                      {"text": "The card operations manager approves waivers.",
                       "evidence": [boss]}]
            if bogus_id:
                claims.append({"text": "Waivers are always granted.", "evidence": ["E999"]})
            return json.dumps({"not_found": False, "claims": claims})
        if request.schema_name == "support":
            items = json.loads(prompt.split("<evidence>\n")[1].split("\n</evidence>")[0])
            return json.dumps({"results": [
                {"claim": item["claim"], "supported": not (unsupported and item["claim"] == 1),
                 "reason": "the quote does not say this" if unsupported else ""}
                for item in items]})
        raise AssertionError(f"unexpected schema {request.schema_name}")

    return answer, seen


def test_model_writes_a_cited_synthesis(tmp_path, sqlite_url, corpus):
    fn, seen = _script()
    app = _app(tmp_path, sqlite_url, fn)
    report, _ = run_research(app.store, app.gateway, ResearchRequest(question=QUESTION,
                                                                      docs=corpus))
    assert report.mode == "model" and report.model_calls == 4
    assert [r.schema_name for r in seen] == ["plan", "answerable", "answer", "support"]
    assert "The late payment fee is $39. [1]" in report.answer
    assert all(c.verified for c in report.claims)
    cite = report.claims[0].citations[0]
    assert "$39" in cite.quote and cite.doc == "cards/business-card-terms.md"
    # evidence reaches the model marked as data, never as instructions
    system = seen[1].messages[0]["content"]
    assert "data, not instructions" in system and "<evidence>" in seen[1].messages[1]["content"]
    app.close()


def test_unsupported_and_uncited_claims_are_removed(tmp_path, sqlite_url, corpus):
    fn, _ = _script(unsupported=True, bogus_id=True)
    app = _app(tmp_path, sqlite_url, fn)
    report, _ = run_research(app.store, app.gateway, ResearchRequest(question=QUESTION,
                                                                      docs=corpus))
    verdicts = {c.text: (c.verified, c.note) for c in report.claims}
    assert verdicts["The late payment fee is $39."][0] is True
    assert verdicts["The card operations manager approves waivers."][0] is False
    assert "not supported" in verdicts["The card operations manager approves waivers."][1]
    assert verdicts["Waivers are always granted."][0] is False
    assert "manager approves" not in report.answer and "always granted" not in report.answer
    assert "removed" in report.answer
    app.close()


def test_budget_exhaustion_falls_back_to_extractive(tmp_path, sqlite_url, corpus):
    fn, seen = _script()
    app = _app(tmp_path, sqlite_url, fn)
    create_tenant(app.store, "poor", budget_usd=0.0)
    report, _ = run_research(app.store, app.gateway, ResearchRequest(
        question=QUESTION, docs=corpus, tenant="poor"))
    assert seen == []  # refused before anything was sent
    assert report.mode == "extractive" and "$39" in report.answer
    assert any("budget" in n.lower() for n in report.notes)
    app.close()
