"""With a model: the model decides answerability from the evidence it is shown.

The offline judge (`_answerable.py`) may miss an answer phrased in words it cannot
relate, or take a neighbour for the answer. With a model route, every sub-question's
evidence goes to the model: the chosen evidence of answered ones, and for the others
the offline neighbour and the best candidate sentences. The model's verdict decides;
the quotes stay the documents' own, so every citation is still verified.
"""

from __future__ import annotations

from cristal.research._engine import Findings
from cristal.research._types import Evidence

__all__ = ["apply_verdicts", "judged_evidence"]


def judged_evidence(findings: Findings) -> list[Evidence]:
    """Everything the model is shown: evidence, neighbours and candidates, per sub-question."""
    out = list(findings.evidence)
    for sub in findings.sub_questions:
        out += findings.neighbours.get(sub.id, [])
        out += findings.candidates.get(sub.id, [])
    return out


def apply_verdicts(findings: Findings, verdicts: dict[str, dict]) -> None:
    """Let the model's verdicts decide each sub-question's outcome and evidence."""
    shown = {e.id: e for e in judged_evidence(findings)}
    for sub in findings.sub_questions:
        verdict = verdicts.get(sub.id)
        if verdict is None:
            continue  # the model said nothing about it: the offline verdict stands
        chosen = [shown[i] for i in verdict["evidence"]
                  if i in shown and shown[i].sub_question == sub.id]
        others = [e for e in findings.evidence if e.sub_question != sub.id]
        if verdict["answered"] and chosen:
            sub.found, sub.neighbour = True, None
            findings.neighbours.pop(sub.id, None)
            findings.evidence = others + chosen
        elif not verdict["answered"]:
            sub.found = False
            findings.evidence = others
            if verdict["found_instead"] and chosen:
                sub.neighbour = {"kind": "judged", "asked": verdict["asked"] or sub.text,
                                 "found": verdict["found_instead"]}
                findings.neighbours[sub.id] = chosen
