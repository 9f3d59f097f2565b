"""Injection: prompt-injection defence measured on AgentDojo and on hostile pages.

`cristal eval injection --suite agentdojo|pages` runs Cristal's agent loop (AgentDojo)
or the Operator (hostile pages in Chromium) against a model that obeys every injected
instruction it sees (`ObedientDouble`, a test double) or a configured route, with the
defence on or off. The AgentDojo names (`evaluate_agentdojo`, `AgentDojoScenario`,
`CristalPipeline`, `attack_for`, `AGENTDOJO_SUITES`) import the `agentdojo` package
(the `eval` extra) on first use.
"""

from typing import Any

from cristal.injection._double_pages import PagesScenario
from cristal.injection._obedient import (
    DOUBLE_MODEL,
    DOUBLE_NOTE,
    ObedientDouble,
    Reply,
    Scenario,
    role_of,
)
from cristal.injection._pages_eval import evaluate_pages, hostile_site
from cristal.injection._pages_site import Listener, PagesSite, manifest
from cristal.injection._setup import EvalModel, eval_model

__all__ = [
    "AGENTDOJO_SUITES",
    "DOUBLE_MODEL",
    "DOUBLE_NOTE",
    "AgentDojoScenario",
    "CristalPipeline",
    "EvalModel",
    "Listener",
    "ObedientDouble",
    "PagesScenario",
    "PagesSite",
    "Reply",
    "Scenario",
    "attack_for",
    "eval_model",
    "evaluate_agentdojo",
    "evaluate_pages",
    "hostile_site",
    "manifest",
    "role_of",
]

_LAZY = {"AGENTDOJO_SUITES": ("cristal.injection._agentdojo", "SUITES"),
         "CristalPipeline": ("cristal.injection._agentdojo", "CristalPipeline"),
         "AgentDojoScenario": ("cristal.injection._double_agentdojo", "AgentDojoScenario"),
         "attack_for": ("cristal.injection._agentdojo_eval", "attack_for"),
         "evaluate_agentdojo": ("cristal.injection._agentdojo_eval", "evaluate_agentdojo")}


def __getattr__(name: str) -> Any:
    """AgentDojo's names, imported when first used (they need the `agentdojo` package)."""
    if name not in _LAZY:
        raise AttributeError(f"module 'cristal.injection' has no attribute {name!r}")
    import importlib

    module, attr = _LAZY[name]
    return getattr(importlib.import_module(module), attr)
