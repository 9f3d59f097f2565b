"""Spec validation: bad specs are refused before anything runs, pointing at line and field."""

from __future__ import annotations

import pytest

from cristal.config import load_settings
from cristal.errors import InvalidInput
from cristal.workflows import SpecError, coerce_inputs, parse_spec

GOOD = """\
name: triage
inputs: {ticket: string, amount: number}
steps:
  - id: classify
    type: model
    prompt: "Classify this request: {{ inputs.ticket }}"
    fallback: other
  - id: wait
    type: sleep
    seconds: 1
  - id: notify
    type: http
    method: POST
    url: http://127.0.0.1:8099/hook
    json: {label: "{{ steps.classify.output }}", amount: "{{ inputs.amount }}"}
"""


def problems(text: str, **settings) -> list[dict]:
    with pytest.raises(SpecError) as info:
        parse_spec(text, "bad.yaml", load_settings(**settings) if settings else None)
    return info.value.errors


def test_design_example_is_valid_and_ordered():
    spec = parse_spec(GOOD, "triage.yaml", load_settings(workflows={"http_allow": ["127.0.0.1"]}))
    assert spec.order == ["classify", "wait", "notify"]
    assert spec.inputs["amount"].type == "number"
    assert parse_spec(GOOD).digest == spec.digest  # data, not settings, identify a spec


def test_unknown_step_type_names_line_and_known_types():
    text = GOOD.replace("type: sleep", "type: snooze")
    [p] = problems(text)
    assert p["line"] == 9 and p["field"] == "steps[1].type"
    assert "snooze" in p["message"] and "approval" in p["message"]


def test_cycle_is_refused_with_the_path():
    text = """\
name: loop
steps:
  - id: a
    type: python
    function: echo
    args: {x: "{{ steps.b.output }}"}
  - id: b
    type: python
    function: echo
    args: {y: "{{ steps.a.output }}"}
"""
    [p] = problems(text)
    assert "cycle" in p["message"] and "a -> b -> a" in p["message"]
    assert p["line"] == 3


def test_cycle_through_needs_and_branches():
    text = """\
name: loop2
steps:
  - id: gate
    type: if
    condition: "{{ steps.late.output }}"
    then: [late]
  - id: late
    type: python
    function: echo
"""
    [p] = problems(text)
    assert "cycle" in p["message"]


def test_missing_input_reference():
    text = GOOD.replace("inputs.amount", "inputs.total")
    [p] = problems(text)
    assert p["line"] == 15 and p["field"] == "steps[2].json"
    assert "`total` is not declared" in p["message"]


def test_bad_template_syntax_points_at_field():
    text = GOOD.replace("{{ inputs.ticket }}", "{{ inputs.ticket ")
    [p] = problems(text)
    assert p["line"] == 6 and p["field"] == "steps[0].prompt"
    assert "template syntax error" in p["message"]


def test_unknown_step_and_names_in_templates():
    text = GOOD.replace("steps.classify.output", "steps.clasify.output").replace(
        "{{ inputs.ticket }}", "{{ ticket }}")
    found = {p["field"]: p["message"] for p in problems(text)}
    assert "unknown step `clasify`" in found["steps[2].json"]
    assert "unknown name `ticket`" in found["steps[0].prompt"]


def test_every_problem_is_listed_once():
    text = """\
name: Bad Name
inputs: {n: integer, m: colour}
steps:
  - id: 1st
    type: python
  - id: ok
    type: python
    function: echo
    extra: 1
  - id: ok
    type: sleep
    seconds: 1
"""
    found = problems(text)
    fields = {p["field"] for p in found}
    assert {"name", "inputs.m", "steps[0].id", "steps[1].extra", "steps[2].id"} <= fields
    assert all(p["line"] for p in found)


def test_yaml_syntax_and_duplicate_keys():
    [p] = problems("name: x\nsteps: [\n")
    assert "not valid YAML" in p["message"]
    [p] = problems("name: x\nname: y\nsteps: []\n")
    assert p["line"] == 2 and "twice" in p["message"]


def test_secrets_only_in_http_headers():
    text = """\
name: s
steps:
  - id: call
    type: http
    url: http://127.0.0.1/x
    headers: {Authorization: "Bearer {{ secrets.TOKEN }}"}
    json: {leak: "{{ secrets.TOKEN }}"}
"""
    [p] = problems(text)
    assert p["field"] == "steps[0].json" and "headers" in p["message"]


def test_http_host_must_be_allow_listed():
    [p] = problems(GOOD, workflows={"http_allow": ["example.com"]})
    assert p["field"] == "steps[2].url" and "CRISTAL_HTTP_ALLOW" in p["message"]


def test_map_fans_out_operations_only():
    text = """\
name: m
steps:
  - id: each
    type: map
    items: [1, 2]
    step: {type: approval}
  - id: use
    type: python
    function: echo
    args: {i: "{{ item }}"}
"""
    found = {p["field"]: p["message"] for p in problems(text)}
    assert "operation steps" in found["steps[0].step"]
    assert "only exists inside a map" in found["steps[1].args"]


def test_unregistered_python_function():
    text = "name: f\nsteps:\n  - {id: a, type: python, function: nope}\n"
    [p] = problems(text, workflows={"modules": []})
    assert "not registered" in p["message"] and p["field"] == "steps[0].function"


def test_inputs_are_typed_and_required():
    spec = parse_spec(GOOD)
    assert coerce_inputs(spec.inputs, {"ticket": "t", "amount": "12.5"}, from_text=True) == {
        "ticket": "t", "amount": 12.5}
    with pytest.raises(InvalidInput, match="input `amount` \\(number\\) is required"):
        coerce_inputs(spec.inputs, {"ticket": "t"})
    with pytest.raises(InvalidInput, match="must be number"):
        coerce_inputs(spec.inputs, {"ticket": "t", "amount": "lots"}, from_text=True)
    with pytest.raises(InvalidInput, match="unknown input"):
        coerce_inputs(spec.inputs, {"ticket": "t", "amount": 1, "extra": 2})
