"""Guards: which actions need a person's confirmation before the runtime carries them out.

Three rules, all configurable:

1. sensitive controls: a button or link whose name says delete / remove / buy / pay /
   send / 削除 / 購入 / 送信 / 支払 ...;
2. sensitive forms: submitting (clicking a submit control, pressing Enter in a field of)
   a form that holds a password or payment field;
3. off-site sends (prompt-injection defence): a link, form or `goto` that leaves the
   current site for a host the task did not name, when its URL came from page content.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from cristal.operator._actions import Click, Goto, Press
from cristal.operator._targeting import Resolution, locate

__all__ = ["DEFAULT_SENSITIVE_WORDS", "ConfirmationRequest", "Confirmer", "GuardPolicy", "Verdict",
           "review"]

DEFAULT_SENSITIVE_WORDS = (
    "delete", "remove", "erase", "purchase", "buy", "pay", "payment", "checkout", "order now",
    "place order", "send", "transfer", "wire", "unsubscribe", "cancel subscription", "trash",
    "削除", "購入", "送信", "支払", "支払い", "決済", "注文", "振込", "送金", "解約",
)
_FORM_JS = """(el, pressed) => {
  // The form this control submits: <form>, else the nearest ancestor holding fields.
  let form = el.form || el.closest('form');
  if (!form) {
    for (let n = el.parentElement, i = 0; n && i < 5; n = n.parentElement, i++) {
      if (n.querySelector('input:not([type=hidden]),textarea,select')) { form = n; break; }
    }
  }
  if (!form) return null;
  const fields = Array.from(form.querySelectorAll('input,textarea,select'));
  const pay = /(card|cc-|cvc|cvv|csc|expir|iban|カード|セキュリティコード|有効期限)/i;
  return {
    tag: form.tagName,
    action: form.tagName === 'FORM' ? (form.getAttribute('action') || '') : '',
    password: fields.some((f) => f.type === 'password'),
    payment: fields.some((f) => /^cc-/.test(f.autocomplete || '') || pay.test([
      f.name, f.id, f.getAttribute('autocomplete'), f.getAttribute('placeholder'),
      f.labels && f.labels[0] ? f.labels[0].innerText : ''].join(' '))),
    submit: pressed ? ['INPUT', 'SELECT'].includes(el.tagName)
      : (el.tagName === 'BUTTON' && el.type !== 'reset') || ['submit', 'image'].includes(el.type)
        || el.getAttribute('role') === 'button',
  };
}"""


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
           page_text: str = "", timeout_ms: int = 3000) -> Verdict:
    """Check one action against the policy; `page_text` is what the page has shown so far."""
    reasons: list[str] = []
    kinds: list[str] = []
    here = urlsplit(page.url).hostname or ""
    node = resolution.node if resolution else None
    label = resolution.name if resolution else ""
    submits = isinstance(action, Click) or (isinstance(action, Press) and "Enter" in action.keys)
    if submits and resolution is not None and label:
        hits = [w for w in policy.sensitive_words if _word_in(label, w)]
        if hits and isinstance(action, Click):
            reasons.append(f"the control {label[:60]!r} looks like a sensitive action ({hits[0]})")
            kinds.append("sensitive_control")
    if submits and resolution is not None and (policy.confirm_password_forms
                                               or policy.confirm_payment_forms):
        form = locate(page, resolution.ref, resolution.frame).evaluate(
            _FORM_JS, isinstance(action, Press), timeout=timeout_ms)
        if form and form["submit"]:
            if form["payment"] and policy.confirm_payment_forms:
                reasons.append("it submits a form with payment fields")
                kinds.append("payment_form")
            elif form["password"] and policy.confirm_password_forms:
                reasons.append("it submits a form with a password field")
                kinds.append("password_form")
            target = urljoin(page.url, form["action"]) if form["action"] else ""
            off = urlsplit(target).hostname if target else None
            if policy.confirm_offsite and off and _offsite(off, here, policy):
                reasons.append(f"the form sends its data to another site ({off})")
                kinds.append("offsite_send")
    if policy.confirm_offsite and isinstance(action, Click) and node is not None and node.href:
        off = urlsplit(node.href).hostname
        if off and here and _offsite(off, here, policy):
            reasons.append(f"the link leads to another site ({off}), named by page content")
            kinds.append("offsite_link")
    if policy.confirm_offsite and isinstance(action, Goto):
        off = urlsplit(action.url).hostname
        from_page = action.url in page_text or (off is not None and off in page_text)
        if off and here and from_page and _offsite(off, here, policy):
            reasons.append(f"the URL came from page content and leads to a new site ({off})")
            kinds.append("offsite_goto")
    return Verdict(bool(reasons), tuple(reasons), tuple(kinds))


def _offsite(host: str, here: str, policy: GuardPolicy) -> bool:
    def same(a: str, b: str) -> bool:
        return a == b or a.endswith("." + b) or b.endswith("." + a)

    return not same(host, here) and not any(same(host, t) for t in policy.trusted_hosts)
