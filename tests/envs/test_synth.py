"""`synthesize`: offline templates, the checks, and a model route rewriting the questions."""

from __future__ import annotations

import json

from cristal.app import App
from cristal.config import load_settings
from cristal.envs import synthesize
from cristal.governance import get_tenant
from cristal.knowledge import ingest_paths, parse_file
from cristal.models import FunctionProvider
from cristal.research import load_questions

from .conftest import EXAMPLES


def _app(tmp_path, providers=None, **settings) -> App:
    app = App(load_settings(data_dir=str(tmp_path / "data"),
                            database_url=f"sqlite:///{tmp_path / 'c.db'}", **settings),
              providers=providers)
    ingest_paths(app.store, get_tenant(app.store, "default"), "ex", [EXAMPLES / "docs"])
    return app


def test_offline_tasks_hold_their_facts_and_unanswerables_name_nothing_real(tmp_path):
    app = _app(tmp_path)
    report = synthesize(app, get_tenant(app.store, "default"), "ex", 40, tmp_path / "set",
                        seed=3)
    data = report.to_dict()
    tasks = load_questions(tmp_path / "set")
    assert data["kept"] == len(tasks) and 0 < data["share_kept"] <= 1
    docs = tmp_path / "set" / "docs"
    for task in tasks:
        if task["answerable"]:
            gold = task["gold_docs"][-1]
            assert (docs / gold).exists()
            assert task["answer_facts"][0] in parse_file(docs / gold).text
            if task["kind"] == "reference":
                assert task["hops"] == 2 and len(task["gold_docs"]) == 2
        else:
            assert task["answer_facts"] == [] and task["kind"] == "unanswerable"
    assert any(not t["answerable"] for t in tasks)
    assert {t["lang"] for t in tasks} == {"en", "ja"}
    again = synthesize(app, get_tenant(app.store, "default"), "ex", 40, tmp_path / "again",
                       seed=3)
    assert (tmp_path / "again" / "questions.jsonl").read_text() == \
        (tmp_path / "set" / "questions.jsonl").read_text()
    assert again.to_dict()["kept"] == data["kept"]
    app.close()


def test_a_model_route_rewrites_questions_but_never_the_answer(tmp_path):
    seen = []

    def rewrite(request):
        ask = request.messages[-1]["content"]
        seen.append(ask)
        question = ask.split("\n")[0].removeprefix("Question: ")
        return json.dumps({"question": "Could you check this for me? " + question})

    app = _app(tmp_path, providers={"writer": FunctionProvider(rewrite, name="writer")},
               routes={"writer": {"provider": "writer", "model": "writer"}})
    report = synthesize(app, get_tenant(app.store, "default"), "ex", 10, tmp_path / "set",
                        route="writer")
    tasks = load_questions(tmp_path / "set")
    rewritten = [t for t in tasks if t["question"].startswith("Could you check")]
    assert report.rewritten == len(rewritten) > 0 and seen
    for task in rewritten:
        assert task["answer_facts"][0] not in task["question"]
    app.close()
