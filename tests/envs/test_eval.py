"""Scorecards: parallel rollouts of two models (fake, over HTTP) through the gateway."""

from __future__ import annotations

import pytest

from cristal.envs import get_eval_run, list_episodes, list_eval_runs, run_eval
from cristal.errors import BudgetExceeded, ConfigError
from cristal.governance import get_tenant, update_tenant
from cristal.models import list_calls

from .conftest import EXAMPLES, model_settings


def test_compare_two_models_side_by_side_with_costs_and_frontier(make_app, agent_models):
    app = make_app(**model_settings(agent_models.url))
    run = run_eval(app, "cristal/Research-v0", policies=["careful", "lazy"], episodes=1,
                   concurrency=3, env_kwargs={"set_dir": str(EXAMPLES)})
    data = run.to_dict()
    careful, lazy = data["by_policy"]["careful"], data["by_policy"]["lazy"]
    assert careful["episodes"] == lazy["episodes"] == 11
    assert careful["steps"] == 2.0 and lazy["steps"] == 1.0
    assert careful["reward"] > lazy["reward"]
    assert careful["model_calls"] == 22 and careful["tokens"] > lazy["tokens"] > 0
    assert careful["cost_usd"] > lazy["cost_usd"] > 0
    assert lazy["tasks"]["ex-10"]["success"] == 1.0  # an unanswerable question
    assert [p["policy"] for p in data["frontier"]] == ["lazy", "careful"]
    calls = list_calls(app.store, limit=100)
    assert len([c for c in calls if c.caller == f"eval:{run.id}"]) == 33
    tenant = get_tenant(app.store, "default")
    stored = get_eval_run(app.store, tenant.id, run.id)
    assert stored["status"] == "finished" and stored["by_policy"]["careful"]["reward"] == \
        careful["reward"]
    assert list_eval_runs(app.store, tenant.id)[0]["id"] == run.id
    assert len(list_episodes(app.store, tenant.id, eval_run_id=run.id, limit=100)) == 22


def test_budget_refusal_stops_the_run_and_keeps_what_finished(make_app, agent_models):
    app = make_app(**model_settings(agent_models.url))
    update_tenant(app.store, "default", budget_usd=0.03, period="total")
    with pytest.raises(BudgetExceeded, match="stored"):
        run_eval(app, "cristal/Research-v0", policies=["careful"], episodes=1,
                 env_kwargs={"set_dir": str(EXAMPLES)})
    tenant = get_tenant(app.store, "default")
    run = list_eval_runs(app.store, tenant.id)[0]
    assert run["status"] == "stopped"
    refused = [c for c in list_calls(app.store, limit=100) if c.status == "refused"]
    assert refused


def test_offline_route_is_refused_before_anything_runs(make_app):
    app = make_app()
    with pytest.raises(ConfigError, match="no model"):
        run_eval(app, "cristal/Research-v0", policies=["default"],
                 env_kwargs={"set_dir": str(EXAMPLES)})
    assert list_eval_runs(app.store, get_tenant(app.store, "default").id) == []
