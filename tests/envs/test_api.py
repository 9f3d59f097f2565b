"""The public names of cristal.envs exist, are documented, and the environments are registered."""

from __future__ import annotations

import inspect

import gymnasium

import cristal.envs as envs


def test_public_names_resolve_and_have_docstrings():
    for name in envs.__all__:
        value = getattr(envs, name)
        if inspect.isfunction(value) or inspect.isclass(value):
            assert inspect.getdoc(value), f"{name} has no docstring"


def test_three_environments_are_registered_with_gymnasium():
    assert set(envs.ENV_IDS) <= set(gymnasium.registry)
    envs.register_envs()  # idempotent
    spec = gymnasium.spec("cristal/Research-v0")
    assert spec.entry_point == "cristal.envs._research:ResearchEnv"
