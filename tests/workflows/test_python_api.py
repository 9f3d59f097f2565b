"""Workflows written in Python: typed decorators, retries, idempotency keys, the public API."""

from __future__ import annotations

import pytest
import wfkit

import cristal.workflows as wf
from cristal.errors import InvalidInput
from cristal.workflows import get_run, start_workflow, wait_run


def test_typed_python_workflow_runs_with_retries(engine, tenant):
    view = start_workflow(engine, wfkit.charge_order, "o-1", "250", tenant=tenant, key="o-1")
    done = wait_run(engine, view.run_id, timeout_s=30)
    assert done.status == "succeeded", done.error
    receipt = done.outputs["receipt"]
    assert receipt["cents"] == 250  # "250" validated into an int
    assert receipt["key"].startswith(f"{view.run_id}/")
    assert done.outputs["attempts"] == 2  # retried once, the same key both times
    [step] = get_run(engine, view.run_id).steps
    assert step.id == "wfkit.charge" and step.status == "succeeded"
    again = start_workflow(engine, wfkit.charge_order, "o-1", 250, tenant=tenant, key="o-1")
    assert again.run_id == view.run_id


def test_bad_arguments_are_refused_before_anything_runs(engine, tenant):
    with pytest.raises(InvalidInput, match="invalid arguments"):
        start_workflow(engine, wfkit.charge_order, "o-2", "lots", tenant=tenant)
    with pytest.raises(InvalidInput, match="not a workflow"):
        start_workflow(engine, wfkit.whoami, tenant=tenant)


def test_public_names_are_pinned():
    assert set(wf.__all__) == {name for name in dir(wf) if not name.startswith("_")} - {
        "steps"}
    assert {"model", "research", "http", "python", "approval", "map", "if", "switch", "sleep",
            "wait_until"} <= set(wf.step_types())


def test_step_types_plug_in_and_research_runs(engine, spec, tenant, tmp_path):
    from corpus import write_corpus

    docs = write_corpus(tmp_path)
    s = spec("name: r\ninputs: {city: string}\nsteps:\n  - id: dig\n    type: research\n"
             "    question: 'What is the nightly hotel limit in {{ inputs.city }}?'\n"
             f"    docs: {docs}\n    model: false\n")
    done = wait_run(engine, wf.start_run(engine, s, {"city": "New York"}, tenant=tenant).run_id,
                    timeout_s=120)
    assert done.status == "succeeded", done.error
    report = next(st for st in done.steps if st.id == "dig").output
    assert "$180" in report["answer"] and report["not_found"] is False
    assert report["session"].startswith("res_") and report["claims"][0]["citations"]

    class Upper:
        name = "upper"
        options = type("UpperOptions", (wf.Options,), {"__annotations__": {"text": str}})
        templated = frozenset({"text"})
        durable = False
        attempts = 1

        def check(self, step, settings):
            if not step.options.text:
                raise wf.StepProblem("text is empty", "text")

        def run(self, step, ctx):
            return ctx.args["text"].upper()

    wf.register_step_type(Upper(), replace=True)
    with pytest.raises(ValueError, match="already registered"):
        wf.register_step_type(Upper())
    s = spec("name: u\ninputs: {w: string}\nsteps:\n  - {id: up, type: upper, "
             "text: 'hi {{ inputs.w }}'}\n")
    done = wait_run(engine, wf.start_run(engine, s, {"w": "there"}, tenant=tenant).run_id,
                    timeout_s=30)
    assert done.outputs == {"up": "HI THERE"}
    with pytest.raises(wf.SpecError, match="text is empty"):
        spec("name: u\nsteps:\n  - {id: up, type: upper, text: ''}\n")
