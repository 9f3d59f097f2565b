"""Built-in step types, one file each; `register_builtins()` makes them available."""

from __future__ import annotations

from cristal.workflows._steptypes import register_step_type, step_types
from cristal.workflows.steps.approval import ApprovalStep
from cristal.workflows.steps.http import HttpStep
from cristal.workflows.steps.if_ import IfStep
from cristal.workflows.steps.map import MapStep
from cristal.workflows.steps.model import ModelStep
from cristal.workflows.steps.operator import OperatorStep
from cristal.workflows.steps.python import PythonStep
from cristal.workflows.steps.research import ResearchStep
from cristal.workflows.steps.sleep import SleepStep
from cristal.workflows.steps.switch import SwitchStep
from cristal.workflows.steps.wait_until import WaitUntilStep

__all__ = [
    "ApprovalStep",
    "HttpStep",
    "IfStep",
    "MapStep",
    "ModelStep",
    "OperatorStep",
    "PythonStep",
    "ResearchStep",
    "SleepStep",
    "SwitchStep",
    "WaitUntilStep",
    "register_builtins",
]

_BUILTINS = (ModelStep, ResearchStep, OperatorStep, HttpStep, PythonStep, ApprovalStep, MapStep,
             IfStep, SwitchStep, SleepStep, WaitUntilStep)


def register_builtins() -> None:
    """Register every built-in type not registered yet (a replacement stays in place)."""
    present = step_types()
    for cls in _BUILTINS:
        if cls.name not in present:
            register_step_type(cls())
