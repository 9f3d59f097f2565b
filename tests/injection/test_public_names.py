"""The public names of the agent and injection areas are pinned."""

from __future__ import annotations

import cristal.agent as agent
import cristal.injection as injection


def test_agent_names():
    assert sorted(agent.__all__) == sorted([
        "EXTRACT_TYPES", "PLAN_SCHEMA", "TRUSTED", "AgentRun", "CallRecord", "ConfirmRequest",
        "Confirmer", "ExtractionFailed", "Label", "Plan", "Tool", "ToolPolicy", "ToolRegistry",
        "Value", "Verdict", "allowed_by", "appears_in", "check_call", "load_policies",
        "normalise", "parse_plan", "project", "render_result", "run", "short", "to_data",
        "tool"])
    assert all(hasattr(agent, name) for name in agent.__all__)


def test_injection_names():
    assert sorted(injection.__all__) == sorted([
        "AGENTDOJO_SUITES", "DOUBLE_MODEL", "DOUBLE_NOTE", "AgentDojoScenario",
        "CristalPipeline", "EvalModel", "Listener", "ObedientDouble", "PagesScenario",
        "PagesSite", "Reply", "Scenario", "attack_for", "eval_model", "evaluate_agentdojo",
        "evaluate_pages", "hostile_site", "manifest", "role_of"])
