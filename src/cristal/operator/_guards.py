"""Guards: which actions need a person's confirmation before the runtime carries them out.

Every action is judged by its effect (`_effects.predict`), never by its name. Three
rules, all configurable:

1. sensitive controls: an action that activates a button, link, switch or menu item
   whose name says delete / remove / buy / pay / send / 削除 / 購入 / 送信 / 支払 ...
   (a click, Enter or Space on it, `check` on it, Enter in a field whose form it
   submits), or a `select` that chooses such an option;
2. sensitive forms: an action that submits a form holding a password or payment field;
3. off-site sends (prompt-injection defence): a link, form or `goto` that leaves the
   current site for a host the task did not name, when its URL came from page content.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from cristal.operator._actions import Goto
from cristal.operator._effects import Effect, predict
from cristal.operator._targeting import Resolution

__all__ = ["DEFAULT_SENSITIVE_WORDS", "ConfirmationRequest", "Confirmer", "GuardPolicy", "Verdict",
           "review"]

DEFAULT_SENSITIVE_WORDS = (
    "delete", "remove", "erase", "purchase", "buy", "pay", "payment", "checkout", "order now",
    "place order", "send", "transfer", "wire", "unsubscribe", "cancel subscription", "trash",
    "削除", "購入", "送信", "支払", "支払い", "決済", "注文", "振込", "送金", "解約",
)


@dataclass(frozen=True)
class GuardPolicy:
    """What needs confirmation. `trusted_hosts` are the task's own sites (never 'off-site')."""

    sensitive_words: tuple[str, ...] = DEFAULT_SENSITIVE_WORDS
    confirm_password_forms: bool = True
    confirm_payment_forms: bool = True
    confirm_offsite: bool = True
    trusted_hosts: tuple[str, ...] = ()


@dataclass(frozen=True)
class Verdict:
    """Whether an action may run now, and if not, why it needs a person."""

    needs_confirmation: bool
    reasons: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    effect: str = ""  # what the action was predicted to do


@dataclass(frozen=True)
class ConfirmationRequest:
    """What a confirmation prompt shows: the action, its target and the reasons."""

    action: dict[str, Any]
    target: str
    reasons: tuple[str, ...]
    url: str
    step: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def prompt(self) -> str:
        """The question for a CLI prompt."""
        why = "; ".join(self.reasons)
        return f"Allow {self.action.get('action')} {self.target or ''} on {self.url}? ({why})"


# A confirmation callback: True lets the action run, False rejects it.
Confirmer = Callable[[ConfirmationRequest], bool]


def _word_in(name: str, word: str) -> bool:
    if not word.isascii():
        return word in name
    return re.search(rf"(?<![a-z]){re.escape(word)}(?![a-z])", name.lower()) is not None


def review(action: Any, resolution: Resolution | None, page: Any, policy: GuardPolicy, *,
           page_text: str = "", timeout_ms: int = 3000, effect: Effect | None = None) -> Verdict:
    """Check one action's effect against the policy; `page_text` is what the page has shown."""
    if effect is None:
        effect = predict(page, action, resolution, timeout_ms=timeout_ms)
    return judge(effect, action, resolution, page.url, policy, page_text=page_text)


def judge(effect: Effect, action: Any, resolution: Resolution | None, url: str,
          policy: GuardPolicy, *, page_text: str = "") -> Verdict:
    """The verdict on a predicted effect (no page access: the effect says it all)."""
    reasons: list[str] = []
    kinds: list[str] = []
    here = urlsplit(url).hostname or ""
    for name in _activated_names(effect, resolution):
        hits = [w for w in policy.sensitive_words if _word_in(name, w)]
        if hits:
            how = ""
            if effect.kind == "press":
                how = (" (the key press activates it)" if effect.activates == effect.element
                       else " (the key press submits its form through it)")
            reasons.append(f"the control {name[:60]!r} looks like a sensitive action "
                           f"({hits[0]}){how}")
            kinds.append("sensitive_control")
            break
    for option in effect.options:
        hits = [w for w in policy.sensitive_words if _word_in(option, w)]
        if hits:
            reasons.append(f"the option {option[:60]!r} looks like a sensitive action ({hits[0]})")
            kinds.append("sensitive_control")
            break
    send = effect.submits
    if send is not None:
        if send.payment and policy.confirm_payment_forms:
            reasons.append("it submits a form with payment fields")
            kinds.append("payment_form")
        elif send.password and policy.confirm_password_forms:
            reasons.append("it submits a form with a password field")
            kinds.append("password_form")
        off = urlsplit(send.action).hostname if send.action else None
        if policy.confirm_offsite and off and _offsite(off, here, policy):
            reasons.append(f"the form sends its data to another site ({off})")
            kinds.append("offsite_send")
    if policy.confirm_offsite and effect.follows and not isinstance(action, Goto):
        off = urlsplit(effect.follows).hostname
        if off and here and _offsite(off, here, policy):
            reasons.append(f"the link leads to another site ({off}), named by page content")
            kinds.append("offsite_link")
    if policy.confirm_offsite and isinstance(action, Goto):
        off = urlsplit(action.url).hostname
        from_page = action.url in page_text or (off is not None and off in page_text)
        if off and here and from_page and _offsite(off, here, policy):
            reasons.append(f"the URL came from page content and leads to a new site ({off})")
            kinds.append("offsite_goto")
    return Verdict(bool(reasons), tuple(reasons), tuple(kinds), effect.describe())


def _activated_names(effect: Effect, resolution: Resolution | None) -> list[str]:
    """Names of the activated control: the snapshot's label when it is the targeted element
    (what a person saw), then the page's own name for it."""
    act = effect.activates
    if act is None:
        return []
    names = []
    if resolution is not None and resolution.name and (
            effect.kind in ("click", "check", "uncheck") or act == effect.element):
        names.append(resolution.name)
    if act.name and act.name not in names:
        names.append(act.name)
    return names


def _offsite(host: str, here: str, policy: GuardPolicy) -> bool:
    def same(a: str, b: str) -> bool:
        return a == b or a.endswith("." + b) or b.endswith("." + a)

    return not same(host, here) and not any(same(host, t) for t in policy.trusted_hosts)
