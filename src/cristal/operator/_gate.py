"""The gate every action passes: its predicted effect judged, then approved in advance, by a
person, or refused; form submissions the page set off meanwhile judged the same way."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cristal.errors import CristalError, Refused
from cristal.operator._approvals import Approvals
from cristal.operator._effects import Control, Effect, FormSend
from cristal.operator._guards import ConfirmationRequest, Confirmer, GuardPolicy, Verdict, judge
from cristal.operator._masking import SecretMask
from cristal.operator._submits import Held, release
from cristal.operator._targeting import Resolution

__all__ = ["ActionRejected", "ConfirmationRequired", "Gate", "TakenOver"]


class ConfirmationRequired(Refused):
    """The action needs a person's confirmation and no one was asked."""


class ActionRejected(Refused):
    """The person asked to confirm the action said no."""


class TakenOver(CristalError):
    """Raised by a confirmation callback: the person did this step by hand (a takeover).

    The step is recorded as done by the user, and the run resumes from the page as
    the person left it (the next step observes it afresh).
    """


@dataclass
class Gate:
    """Guards, pre-approvals and the confirmation callback of one run."""

    guards: GuardPolicy
    confirm: Confirmer | None = None
    approvals: Approvals | None = None
    mask: SecretMask | None = None

    def check(self, page: Any, action: Any, resolution: Resolution | None, effect: Effect, *,
              source: str, step: int, page_text: str = "") -> dict[str, Any] | None:
        """None when the action needs no one; the confirmation record when it was approved.
        Raises ConfirmationRequired or ActionRejected otherwise."""
        verdict = judge(effect, action, resolution, page.url, self.guards, page_text=page_text)
        if not verdict.needs_confirmation:
            return None
        target = f'{resolution.role} "{resolution.name[:60]}"' if resolution else ""
        return self._decide(page, action, verdict, effect, target,
                            resolution.name if resolution else "", step)

    def held(self, page: Any, held: list[Held], action: Any, *, step: int,
             done: str) -> dict[str, Any] | None:
        """Judge submissions the page set off during the action; send the ones allowed."""
        info: dict[str, Any] | None = None
        for h in held:
            send = FormSend(h.action, h.method, h.password, h.payment, h.button)
            effect = Effect(action.action, activates=Control("BUTTON", name=h.button)
                            if h.button else None, submits=send)
            verdict = judge(effect, action, None, page.url, self.guards)
            if verdict.needs_confirmation:
                why = ("it set off a form submission the action did not announce (the page's "
                       "own script did it), which was held back: ")
                verdict = Verdict(True, (why + verdict.reasons[0], *verdict.reasons[1:]),
                                  (*verdict.kinds, "unannounced_submit"), verdict.effect)
                try:
                    info = self._decide(page, action, verdict, effect, "", "", step)
                except (ConfirmationRequired, ActionRejected) as exc:
                    message = f"{done}, but {exc.message[0].lower()}{exc.message[1:]}"
                    raise type(exc)(message, **exc.fields) from None
            release(page, h)
        return info

    def _decide(self, page: Any, action: Any, verdict: Verdict, effect: Effect, target: str,
                name: str, step: int) -> dict[str, Any]:
        mask = self.mask.text if self.mask else (lambda s: s)
        info: dict[str, Any] = {"reasons": list(verdict.reasons), "kinds": list(verdict.kinds),
                                "effect": verdict.effect}
        if self.approvals is not None:
            covered, why = self.approvals.covers(action, verdict.kinds, effect, name)
            if covered:
                return {**info, "approved": True, "asked": False, "by": self.approvals.by,
                        "why": why}
            info["not_preapproved"] = why
        request = ConfirmationRequest(action=action.model_dump(exclude_none=True), target=target,
                                      reasons=verdict.reasons, url=mask(page.url), step=step,
                                      extra={"effect": verdict.effect,
                                             "not_preapproved": info.get("not_preapproved")})
        if self.confirm is None:
            extra = f" ({info['not_preapproved']})" if "not_preapproved" in info else ""
            raise ConfirmationRequired(
                f"{request.prompt()} This needs a person's confirmation{extra}; run the task with "
                "a confirmation prompt (or approve it in the console).",
                confirmation={**info, "approved": False, "asked": False})
        approved = bool(self.confirm(request))
        info.update(approved=approved, asked=True)
        if not approved:
            raise ActionRejected(f"Not done: the person declined ({'; '.join(verdict.reasons)}).",
                                 confirmation=info)
        return info
