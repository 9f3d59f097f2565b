"""Secrets exist only while an http step's headers are rendered.

The rule is enforced by what a template can reach, not by which names it
mentions: every other field, `when:` and `outputs` render in a scope without
`secrets`, so `{% set s = secrets %}` or `[secrets]` find nothing. Specs that try
are refused up front too, and after real runs neither the store nor DBOS's
system database (SQLite and PostgreSQL) holds the secret anywhere, encoded or not.
"""

from __future__ import annotations

import base64
import binascii

import pytest
import sqlalchemy as sa

from cristal.workflows import SpecError, get_run, start_run, wait_run
from cristal.workflows._interpreter import render_step_args

SECRET = "sk-live-0123456789abcdef"


@pytest.fixture
def token(monkeypatch):
    monkeypatch.setenv("CRISTAL_SECRET_TOKEN", SECRET)
    return SECRET


def _contains(value: object, secret: str) -> bool:
    """True when `value` holds the secret as text, or base64 (DBOS pickles values)."""
    if value is None:
        return False
    if isinstance(value, bytes):
        return secret.encode() in value
    text = str(value)
    if secret in text:
        return True
    try:
        return secret.encode() in base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return False


def _cells_with(url: str, secret: str, store_engine: sa.Engine | None = None) -> list[str]:
    """Every table cell of a database (all schemas Cristal and DBOS use) that holds it.

    A SQLite file is read with the SQLite library its owner uses (the store's engine for
    the store; the default module, as DBOS does, for DBOS's file): two library versions
    on one WAL file is not a thing to test here.
    """
    engine = store_engine or sa.create_engine(
        url.replace("postgresql://", "postgresql+psycopg://", 1))
    found = []
    try:
        inspector = sa.inspect(engine)
        schemas = [None] + (["dbos"] if engine.dialect.name == "postgresql" else [])
        with engine.connect() as conn:
            for schema in schemas:
                for table in inspector.get_table_names(schema=schema):
                    t = sa.Table(table, sa.MetaData(), schema=schema, autoload_with=conn)
                    for row in conn.execute(sa.select(t)):
                        found += [f"{schema}.{table}" for v in row if _contains(v, secret)]
    finally:
        if store_engine is None:
            engine.dispose()
    return found


def _leaks(engine, secret: str) -> dict[str, list[str]]:
    """Cells holding the secret, in the store and in DBOS's system database."""
    found = {"store": _cells_with(engine.settings.db_url, secret, engine.app.store.engine)}
    if engine.url.startswith("sqlite"):  # on PostgreSQL: the same database, `dbos` schema
        found["dbos"] = _cells_with(engine.url, secret)
    return found


def test_headers_get_the_secret_and_nothing_else_does(engine, spec, tenant, receiver, token):
    s = spec(f"""
name: hook
steps:
  - id: call
    type: http
    method: POST
    url: {receiver.url}/ok
    headers:
      Authorization: "Bearer {{{{ secrets.TOKEN }}}}"
      X-Copy: "{{% set s = secrets %}}{{{{ s.TOKEN[:3] }}}}"
    json: {{note: "run {{{{ run.id }}}}"}}
outputs:
  status: "{{{{ steps.call.output.status }}}}"
""")
    view = wait_run(engine, start_run(engine, s, {}, tenant=tenant).run_id, timeout_s=60)
    assert view.status == "succeeded", view.error
    sent = [r for r in receiver.requests if r["key"] == f"{view.run_id}/call"]
    assert sent and sent[0]["auth"] == f"Bearer {SECRET}"
    shown = get_run(engine, view.run_id)
    assert SECRET not in repr(shown.to_dict())
    assert all(cells == [] for cells in _leaks(engine, SECRET).values())
    # the scan is not vacuous: the tenant's name is found in every database scanned
    found = _leaks(engine, tenant)
    assert len(found) == (2 if engine.url.startswith("sqlite") else 1)
    assert all(cells for cells in found.values()), found


def test_a_failing_header_template_does_not_quote_the_secret(engine, spec, tenant, receiver,
                                                             token):
    s = spec(f"""
name: badheader
steps:
  - id: call
    type: http
    url: {receiver.url}/ok
    headers: {{X-Key: "{{{{ {{'a': 1}}[secrets.TOKEN] }}}}"}}
""")
    view = wait_run(engine, start_run(engine, s, {}, tenant=tenant).run_id, timeout_s=60)
    assert view.status == "failed" and "headers" in view.error
    assert SECRET not in view.error and "sk-live" not in view.error
    assert all(cells == [] for cells in _leaks(engine, SECRET).values())


TRICKS = [
    ("json", '{note: "{% set secrets = secrets %}{{ secrets.TOKEN }}"}'),
    ("json", '{note: "{% for s in [secrets] %}{{ s.TOKEN }}{% endfor %}"}'),
    ("url", '"{{ RECEIVER }}/ok?t={% set x = secrets %}{{ x.TOKEN }}"'),
    ("params", '{t: "{{ (secrets).TOKEN }}"}'),
]


@pytest.mark.parametrize(("key", "value"), TRICKS)
def test_specs_that_reach_for_secrets_elsewhere_are_refused(spec, receiver, key, value):
    fields = {"url": f'"{receiver.url}/ok"', key: value.replace("{{ RECEIVER }}", receiver.url)}
    text = "name: trick\nsteps:\n  - id: call\n    type: http\n" + "".join(
        f"    {k}: {v}\n" for k, v in fields.items())
    with pytest.raises(SpecError, match="secrets may only be used in an http step's `headers`"):
        spec(text)


@pytest.mark.parametrize("template", [
    "{% set secrets = secrets %}{{ secrets.TOKEN }}",
    "{% for s in [secrets] %}{{ s.TOKEN }}{% endfor %}",
])
def test_outputs_and_conditions_cannot_name_secrets(spec, template):
    with pytest.raises(SpecError, match="secrets"):
        spec(f"""
name: trick
steps:
  - id: a
    type: sleep
    seconds: 0
    when: "{template} == 'x'"
outputs:
  leaked: "{template}"
""")


def test_the_rule_holds_by_reach_even_without_validation(token, receiver):
    """Compiled templates that name secrets, rendered the way the engine renders a step:
    outside the http headers there is no `secrets` to find."""
    from cristal.workflows._steptypes import StepSpec, get_step_type
    from cristal.workflows._templates import TemplateError, compile_value

    http = get_step_type("http")
    options = http.options.model_validate({"url": f"{receiver.url}/ok"})
    scope = {"inputs": {}, "steps": {}, "run": {"id": "r", "tenant": "t", "workflow": "w"}}
    for field in ("json", "url", "params"):
        step = StepSpec(id="s", type="http", options=options, path=("steps", 0), templates={
            field: compile_value("{% set s = secrets %}{{ s.TOKEN }}")})
        with pytest.raises(TemplateError, match="'secrets' is undefined"):
            render_step_args(step, scope)
    step = StepSpec(id="s", type="http", options=options, path=("steps", 0), templates={
        "headers": compile_value({"A": "{% set s = secrets %}{{ s.TOKEN }}"})})
    assert render_step_args(step, scope) == {"headers": {"A": SECRET}}
    python = StepSpec(id="p", type="python", options=None, path=("steps", 1), templates={
        "args": compile_value({"x": "{{ secrets.TOKEN }}"})})
    with pytest.raises(TemplateError, match="'secrets' is undefined"):
        render_step_args(python, scope)
