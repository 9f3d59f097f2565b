"""Agent: one tool-calling loop with information-flow control, for every feature that acts.

`run(request, tools, route, gateway=...)` plans from trusted input only (the request,
the spec, the tools' schemas), reads untrusted data only through a tool-less extractor
that returns typed values, and checks the provenance of every side-effect argument
before the call (`ToolPolicy`: which arguments must be trusted, allow-lists, refuse or
ask a person). Tools and policies are declared in Python (`@tool`) or YAML
(`load_policies`). `defence=False` runs the plain, undefended loop for comparison.
"""

from cristal.agent._extract import ExtractionFailed, project
from cristal.agent._loop import run
from cristal.agent._plan import EXTRACT_TYPES, PLAN_SCHEMA, Plan, parse_plan
from cristal.agent._policy import Confirmer, ConfirmRequest, Verdict, allowed_by, check_call
from cristal.agent._react import render_result
from cristal.agent._run import AgentRun, CallRecord
from cristal.agent._tools import Tool, ToolPolicy, ToolRegistry, load_policies, tool
from cristal.agent._values import TRUSTED, Label, Value, appears_in, normalise, short, to_data

__all__ = [
    "EXTRACT_TYPES",
    "PLAN_SCHEMA",
    "TRUSTED",
    "AgentRun",
    "CallRecord",
    "ConfirmRequest",
    "Confirmer",
    "ExtractionFailed",
    "Label",
    "Plan",
    "Tool",
    "ToolPolicy",
    "ToolRegistry",
    "Value",
    "Verdict",
    "allowed_by",
    "appears_in",
    "check_call",
    "load_policies",
    "normalise",
    "parse_plan",
    "project",
    "render_result",
    "run",
    "short",
    "to_data",
    "tool",
]
