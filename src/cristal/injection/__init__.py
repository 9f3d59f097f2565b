"""Injection: prompt-injection defence measured on AgentDojo and on hostile pages.

`cristal eval injection --suite agentdojo|pages` runs Cristal's loop (or the Operator)
against a model that obeys every injected instruction it sees (the obedient test
double, `ObedientDouble`) or a configured route, defence on or off.
"""

from cristal.injection._obedient import DOUBLE_MODEL, DOUBLE_NOTE, ObedientDouble, Reply, role_of
from cristal.injection._setup import EvalModel, eval_model

__all__ = ["DOUBLE_MODEL", "DOUBLE_NOTE", "EvalModel", "ObedientDouble", "Reply", "eval_model",
           "role_of"]
