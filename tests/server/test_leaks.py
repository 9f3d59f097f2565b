"""A secret planted in a restricted collection never reaches a non-reader over HTTP, through
any path (SQLite and PostgreSQL); the same requests by a reader show it (the control)."""

from __future__ import annotations

import json

import openai
import pytest

from acl_world import SECRET, SECRET_DOC
from cristal.workflows import wait_run
from served import sse_events

QUESTION = "What is the merger codename?"


def _leaks(text: str) -> bool:
    return any(s in text for s in (SECRET, SECRET_DOC, "Kestrel", "vault"))


def test_rest_paths(site):
    def get(who, path, **kw):
        return site.call(who, "GET", path, **kw)

    listed = get("member", "/api/collections")
    assert listed.status_code == 200 and not _leaks(listed.text)
    assert "vault" in get("reader", "/api/collections").text
    hidden = get("member", "/api/collections/vault")
    absent = get("member", "/api/collections/no-such")
    assert hidden.status_code == absent.status_code == 404
    assert hidden.json()["error"]["message"].replace("vault", "X") == \
        absent.json()["error"]["message"].replace("no-such", "X")
    assert get("member", "/api/collections/vault/documents").status_code == 404
    assert get("member", "/api/collections/vault/grants").status_code in (403, 404)

    found = site.call("member", "POST", "/api/search", json={"query": "merger codename Kestrel"})
    assert found.status_code == 200 and not _leaks(json.dumps(found.json()["results"]))
    assert site.call("member", "POST", "/api/search",
                     json={"query": "merger", "collections": ["vault"]}).status_code == 404
    assert SECRET in site.call("reader", "POST", "/api/search", json={"query": "merger"}).text

    asked = site.call("member", "POST", "/api/research", json={"question": QUESTION})
    assert asked.status_code == 200 and not _leaks(asked.text)
    streamed = site.call("member", "POST", "/api/research", json={"question": QUESTION},
                         headers={"Accept": "text/event-stream"})
    kinds = [k for k, _ in sse_events(streamed.text.splitlines())]
    assert "progress" in kinds and kinds[-1] == "result" and not _leaks(streamed.text)
    theirs = site.call("reader", "POST", "/api/research", json={"question": QUESTION}).json()
    assert SECRET in theirs["answer"]
    sid = theirs["id"]
    assert get("member", f"/api/research/{sid}").status_code == 404
    for fmt in ("html", "md", "json"):
        assert get("member", f"/api/research/{sid}/report", params={"format": fmt}
                   ).status_code == 404
    assert SECRET in get("reader", f"/api/research/{sid}/report", params={"format": "html"}).text
    assert not _leaks(get("member", "/api/research").text)

    exported = get("auditor", "/api/audit/export")
    assert exported.status_code == 200 and not _leaks(exported.text)
    everything = get("owner", "/api/audit/export").text
    assert SECRET_DOC in everything  # the control

    def asked(text: str) -> int:
        return sum(json.loads(line)["action"] == "research.asked" for line in text.splitlines())

    assert (asked(exported.text), asked(everything)) == (2, 3)  # Alice's two, not Bob's


def test_openai_compatible_paths(site):
    alice = openai.OpenAI(base_url=f"{site.url}/v1", api_key=site.keys["member"],
                          max_retries=0)
    bob = openai.OpenAI(base_url=f"{site.url}/v1", api_key=site.keys["reader"], max_retries=0)
    assert not _leaks(json.dumps(alice.models.list().model_dump()))
    ask = [{"role": "user", "content": QUESTION}]
    reply = alice.chat.completions.create(model="cristal-research", messages=ask)
    assert not _leaks(json.dumps(reply.model_dump()))
    chunks = alice.chat.completions.create(model="cristal-research", messages=ask, stream=True)
    assert not _leaks(json.dumps([c.model_dump() for c in chunks]))
    with pytest.raises(openai.NotFoundError):
        alice.chat.completions.create(model="cristal-research", messages=ask,
                                      extra_body={"collections": ["vault"]})
    theirs = bob.chat.completions.create(model="cristal-research", messages=ask)
    assert SECRET in theirs.choices[0].message.content
    assert SECRET_DOC in json.dumps(theirs.model_dump()["cristal"])
    narrowed = bob.chat.completions.create(model="cristal-research", messages=ask,
                                           extra_body={"collections": ["handbook"]})
    assert narrowed.model_dump()["cristal"]["collections"] == "handbook"
    assert not _leaks(json.dumps(narrowed.model_dump()))  # `collections` narrows


@pytest.mark.slow
def test_research_workflow_step_started_over_http(site):
    spec = ("name: brief\ninputs: {where: {type: string}}\nsteps:\n  - id: ask\n"
            "    type: research\n    question: What is the merger codename?\n"
            "    collection: \"{{ inputs.where }}\"\n    model: false\n")
    assert site.call("builder", "POST", "/api/workflows", json={"source": spec}).status_code == 201
    started = {who: site.call(who, "POST", "/api/workflows/brief/runs",
                              json={"inputs": {"where": "vault"}}).json()["run_id"]
               for who in ("member", "reader")}
    engine = site.world.app.engine
    engine.launch()  # this process becomes the worker that runs them
    try:
        refused = wait_run(engine, started["member"], timeout_s=180)
        allowed = wait_run(engine, started["reader"], timeout_s=180)
    finally:
        engine.shutdown(grace_s=5)
    assert refused.status == "failed" and "no collection 'vault'" in refused.error
    shown = site.call("member", "GET", f"/api/runs/{started['member']}")
    # Alice's own run names "vault" (she typed it); nothing from inside it is there.
    assert shown.status_code == 200 and SECRET not in shown.text
    assert SECRET_DOC not in shown.text and "Kestrel" not in shown.text
    assert allowed.status == "succeeded", allowed.error
    assert SECRET in json.dumps(allowed.outputs)
    # Alice may not see Bob's run (members see their own), so not its output either.
    assert site.call("member", "GET", f"/api/runs/{started['reader']}").status_code == 404
