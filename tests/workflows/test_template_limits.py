"""Templates cannot compute values that exhaust a worker: huge integers, long text,
long lists or endless loops are refused at validation when constant, and bounded
at render time otherwise, with an error that names the limit."""

from __future__ import annotations

import time

import pytest

from cristal.workflows import SpecError, parse_spec
from cristal.workflows._templates import Template, TemplateError

SCOPE = {"inputs": {"n": 100000, "big": 10 ** 9, "s": "ab", "e": 300},
         "steps": {}, "run": {"id": "r", "tenant": "t", "workflow": "w"}}


@pytest.mark.parametrize("source", [
    "{{ (2**100000)|string }}",
    "{{ 10**(10**10) }}",
    "{{ range(10**9)|list }}",
    "{{ 'x' * 10**9 }}",
    "{{ [0] * 10**8 }}",
    "{{ 'x'|center(10**10) }}",
    "{{ '%0999999999d' % 1 }}",
    "{{ range(1)|batch(10**9, 'x')|list }}",
])
def test_constant_bombs_are_refused_when_the_spec_is_validated(source):
    text = f"""name: bomb
steps:
  - id: a
    type: sleep
    seconds: 0
outputs:
  x: "{source}"
"""
    started = time.perf_counter()
    with pytest.raises(SpecError, match="is refused") as info:
        parse_spec(text)
    assert time.perf_counter() - started < 5
    assert "templates may compute" in str(info.value)


@pytest.mark.parametrize(("source", "limit"), [
    ("{{ 2 ** inputs.n }}", "bits"),
    ("{{ inputs.big ** inputs.big }}", "bits"),
    ("{{ inputs.s * inputs.big }}", "characters"),
    ("{{ inputs.s ~ inputs.s * 500000 }}", "characters"),
    ("{{ range(inputs.big)|list }}", "Range too big"),
    ("{{ inputs.s|center(inputs.big) }}", "too large"),
    ("{{ inputs.s.ljust(inputs.big) }}", "too large"),
    ("{{ '{:>{}}'.format(1, inputs.big) }}", "too large"),
    ("{{ inputs.s|replace('', inputs.s * 400000) }}", "too long"),
    ("{% for i in range(inputs.n) %}{% for j in range(inputs.n) %}{% endfor %}{% endfor %}",
     "loop steps"),
    ("{% macro f(k) %}{% if k %}{{ f(k-1) }}{{ f(k-1) }}{% endif %}{% endmacro %}{{ f(60) }}",
     "loop steps"),
    ("{% set ns = namespace(t=inputs.s * 1000) %}{% for i in range(inputs.e) %}"
     "{% set ns.t = ns.t ~ ns.t %}{% endfor %}{{ ns.t|length }}", "characters"),
    ("{% for i in range(inputs.n) %}{{ inputs.s * 10 }}{% endfor %}", "rendered text"),
])
def test_runtime_bombs_stop_quickly_with_the_limit_named(source, limit):
    template = Template(source)  # not constant: passes validation
    started = time.perf_counter()
    with pytest.raises(TemplateError) as info:
        template.render(SCOPE)
    assert time.perf_counter() - started < 30
    assert limit in str(info.value)


@pytest.mark.parametrize(("source", "value"), [
    ("{{ 2 ** 64 }}", 2 ** 64),
    ("{{ inputs.s * 3 }}", "ababab"),
    ("{% for i in range(5) %}{{ i }}{% endfor %}", "01234"),
    ("{{ 'Order 12345678: {}'.format(inputs.big) }}", "Order 12345678: 1000000000"),
    ("{{ 'Invoice 1234567 %s' % inputs.s }}", "Invoice 1234567 ab"),
    ("{{ [1, 2] + [3] }}", [1, 2, 3]),
    ("{{ inputs.s|center(6) }}", "  ab  "),
])
def test_ordinary_templates_still_work(source, value):
    assert Template(source).render(SCOPE) == value


def test_lists_cannot_be_changed_in_place():
    with pytest.raises(TemplateError, match="unsafe"):
        Template("{% set l = [1] %}{{ l.append(2) }}").render(SCOPE)
