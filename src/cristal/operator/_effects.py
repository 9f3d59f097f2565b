"""What an action will do: one classification of every action by its effect on its element.

Guards must not trust an action's name: `press "Enter"` on a "Delete account" button
deletes the account as surely as `click` does, Enter in a form field submits its form,
and `check` on a switch can turn on automatic payments. `predict()` asks the page, in
one script call, what the action will set off on the element it targets (or, for a
targetless `press`, the focused element):

- `activates`: the control that gets activated (a click, Enter or Space on a button or
  link, `check` on a checkbox or switch, a label's control, a form's default button
  when Enter submits the form, Ctrl/Meta+Enter in a text area of a form);
- `submits`: the form that gets submitted, where it sends its data, and whether it
  holds password or payment fields (a `<form>`, or for a button outside any form, the
  nearest block of fields around it);
- `follows`: the URL a link or `goto` leads to;
- `options`: the options a `select` chooses.

The guards (`_guards.review`) judge that effect, whatever the action is called. What the
page's own scripts do on an event cannot be predicted this way; form submissions they
trigger are caught when they happen (`_submits.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cristal.operator._actions import Goto, Press, Select
from cristal.operator._targeting import Resolution, locate

__all__ = ["Control", "Effect", "FormSend", "predict"]

# Keys that activate what has the focus; anything else only types or moves the focus.
_ACTIVATING = {"Enter", "NumpadEnter", " ", "Space"}
_PROBE = r"""(el, o) => {
  const sq = (s) => (s || '').replace(/\s+/g, ' ').trim().slice(0, 160);
  const kindOf = (n) => ((n && n.type) || '').toLowerCase();
  const nameOf = (n) => {
    if (!n) return '';
    const label = n.getAttribute('aria-label');
    if (label) return sq(label);
    if (n.tagName === 'INPUT') {
      if (['submit', 'button', 'reset', 'image'].includes(kindOf(n))) return sq(n.value || n.alt);
      const labels = Array.from(n.labels || []).map((l) => l.innerText).join(' ');
      if (labels) return sq(labels);
      return sq(n.placeholder || n.title);
    }
    if (n.tagName === 'SELECT' || n.tagName === 'TEXTAREA') {
      return n.labels && n.labels.length ? sq(n.labels[0].innerText) : sq(n.title);
    }
    const img = !sq(n.innerText) && n.querySelector ? n.querySelector('img[alt]') : null;
    return sq(n.innerText || n.textContent) || sq(n.title) || (img ? sq(img.alt) : '');
  };
  const info = (n) => n ? {tag: n.tagName, role: (n.getAttribute('role') || '').toLowerCase(),
                           type: kindOf(n), name: nameOf(n)} : null;
  const CONTROL = 'button, input, select, textarea, summary, a[href], area[href], label, ' +
    '[role=button], [role=link], [role=menuitem], [role=menuitemcheckbox], ' +
    '[role=menuitemradio], [role=tab], [role=option], [role=switch], [role=checkbox], ' +
    '[role=radio], [role=treeitem], [onclick]';
  const PRESSABLE = 'button, summary, [role=button], [role=link], [role=menuitem], ' +
    '[role=tab], [role=option], [role=treeitem], input[type=submit], input[type=button], ' +
    'input[type=image], input[type=reset]';
  const TOGGLE = 'button, summary, [role=button], [role=switch], [role=checkbox], ' +
    '[role=radio], [role=menuitem], [role=menuitemcheckbox], [role=menuitemradio], ' +
    '[role=tab], [role=option], input[type=checkbox], input[type=radio], input[type=submit], ' +
    'input[type=button], input[type=image], input[type=reset]';
  const isLink = (n) => !!n && ['A', 'AREA'].includes(n.tagName) && n.hasAttribute('href');
  const isSubmit = (n) => !!n && ((n.tagName === 'BUTTON' &&
      (n.getAttribute('type') || 'submit').toLowerCase() === 'submit') ||
    (n.tagName === 'INPUT' && ['submit', 'image'].includes(kindOf(n))));
  const NOT_TEXT = ['button', 'submit', 'reset', 'image', 'file', 'checkbox', 'radio', 'hidden',
                    'range', 'color'];
  const oneLine = (n) => !!n && n.tagName === 'INPUT' && !NOT_TEXT.includes(kindOf(n) || 'text');
  const multiLine = (n) => !!n && (n.tagName === 'TEXTAREA' || !!n.isContentEditable);
  const formOf = (n) => n ? (n.form || (n.closest ? n.closest('form') : null)) : null;
  const defaultButton = (f) => f ? Array.from(f.elements).find(isSubmit) || null : null;
  const PAY = /(card|cc-|cvc|cvv|csc|expir|iban|カード|セキュリティコード|有効期限)/i;
  const sensitiveFields = (fields) => ({
    password: fields.some((f) => kindOf(f) === 'password'),
    payment: fields.some((f) => /^cc-/.test(f.getAttribute('autocomplete') || '') || PAY.test([
      f.name, f.id, f.getAttribute('autocomplete'), f.getAttribute('placeholder'),
      f.labels && f.labels[0] ? f.labels[0].innerText : ''].join(' '))),
  });
  const sendOf = (f, submitter) => {
    const fields = Array.from(f.querySelectorAll('input,textarea,select'));
    const viaButton = submitter && submitter.hasAttribute && submitter.hasAttribute('formaction');
    return Object.assign({action: viaButton ? submitter.formAction : f.action,
      method: ((viaButton && submitter.getAttribute('formmethod')) || f.method || 'get')
        .toLowerCase(),
      button: nameOf(submitter || defaultButton(f)), pseudo: false}, sensitiveFields(fields));
  };
  // A button outside any <form>: the nearest block around it that holds fields.
  const pseudoSend = (n) => {
    for (let p = n.parentElement, i = 0; p && i < 5; p = p.parentElement, i++) {
      const fields = Array.from(p.querySelectorAll('input:not([type=hidden]),textarea,select'));
      if (fields.length) {
        return Object.assign({action: '', method: '', button: nameOf(n), pseudo: true},
                             sensitiveFields(fields));
      }
    }
    return null;
  };
  const control = el && el.closest ? (el.closest(CONTROL) || el) : el;
  let act = null, form = null, submitter = null;
  if (el && ['click', 'check', 'uncheck'].includes(o.kind)) {
    act = control.tagName === 'LABEL' && control.control ? control.control : control;
  } else if (el && o.kind === 'press') {
    for (const key of o.keys) {
      const parts = key.split('+');
      const main = parts[parts.length - 1];
      const modified = parts.length > 1;
      if (main === 'Enter' || main === 'NumpadEnter') {
        if (isLink(control) || control.matches(PRESSABLE)) act = control;
        else if (oneLine(el) || ['checkbox', 'radio'].includes(kindOf(el))) {
          form = formOf(el);  // implicit submission through the form's default button
          if (form) act = defaultButton(form);
        } else if (multiLine(el) && modified && formOf(el)) {
          act = defaultButton(formOf(el));  // Ctrl+Enter in a message box usually sends it
        }
      } else if (main === ' ' || main === 'Space') {
        if (control.matches(TOGGLE)) act = control;
      }
    }
  }
  if (act && isSubmit(act)) { form = formOf(act); submitter = act; }
  let submits = form ? sendOf(form, submitter) : null;
  if (!submits && act && !isLink(act) && act.matches(PRESSABLE) && !act.matches('summary')) {
    const pseudo = pseudoSend(act);
    if (pseudo && (pseudo.password || pseudo.payment)) submits = pseudo;
  }
  const own = formOf(el);
  return {element: info(el), activates: info(act), follows: isLink(act) ? act.href : null,
          submits, oneLine: oneLine(el), multiLine: multiLine(el),
          fieldForm: own ? own.action : null};
}"""
_FOCUSED = """(o) => {
  let a = document.activeElement;
  for (let i = 0; a && i < 20; i++) {
    if (a.shadowRoot && a.shadowRoot.activeElement) { a = a.shadowRoot.activeElement; continue; }
    if (a.tagName === 'IFRAME') {
      let d = null;
      try { d = a.contentDocument; } catch (e) { d = null; }
      if (d && d.activeElement && d.activeElement !== d.body) { a = d.activeElement; continue; }
    }
    break;
  }
  const el = a && a !== document.body && a !== document.documentElement ? a : null;
  return (PROBE)(el, o);
}"""


@dataclass(frozen=True)
class Control:
    """An element as the guards see it: tag, ARIA role, input type and a readable name."""

    tag: str
    role: str = ""
    type: str = ""
    name: str = ""

    def describe(self) -> str:
        """`button "Delete account"`."""
        kind = self.role or ("link" if self.tag in ("A", "AREA") else self.tag.lower())
        return f'{kind} "{self.name[:60]}"' if self.name else kind


@dataclass(frozen=True)
class FormSend:
    """A form submission: where the data goes and what kind of fields it carries."""

    action: str
    method: str = "get"
    password: bool = False
    payment: bool = False
    button: str = ""
    pseudo: bool = False  # a block of fields with a button, not a <form>


@dataclass(frozen=True)
class Effect:
    """What one action will set off, whatever the action is called."""

    kind: str
    element: Control | None = None
    activates: Control | None = None
    submits: FormSend | None = None
    follows: str | None = None
    options: tuple[str, ...] = ()
    one_line: bool = False
    multi_line: bool = False
    field_form: str | None = None  # where the element's own form sends its data, if any

    def describe(self) -> str:
        """A short account for records and confirmation prompts."""
        parts = []
        if self.activates is not None:
            parts.append(f"activates {self.activates.describe()}")
        if self.submits is not None:
            parts.append(f"submits a form to {self.submits.action or 'this page'}")
        if self.follows:
            parts.append(f"opens {self.follows}")
        if self.options:
            parts.append("chooses " + ", ".join(repr(o) for o in self.options))
        return "; ".join(parts) or "changes nothing outside the element"


def _control(raw: dict[str, Any] | None) -> Control | None:
    return Control(**raw) if raw else None


def predict(page: Any, action: Any, resolution: Resolution | None, *,
            timeout_ms: int = 3000, locator: Any = None) -> Effect:
    """Ask the page what `action` will do to its element (the focused one for a bare press;
    `locator` instead of a resolution for an element the runtime found itself)."""
    kind = action.action
    if isinstance(action, Goto):
        return Effect(kind, follows=action.url)
    if kind not in ("click", "check", "uncheck", "press", "type", "select"):
        return Effect(kind)  # hover, scroll, upload, extract, wait_for: nothing to set off
    keys = action.key_list() if isinstance(action, Press) else []
    if isinstance(action, Press) and not any(k.split("+")[-1] in _ACTIVATING for k in keys):
        return Effect(kind)  # Tab, arrows, letters: they move the focus or type
    options = tuple(action.values) if isinstance(action, Select) else ()
    arg = {"kind": kind, "keys": keys}
    if locator is not None or resolution is not None:
        where = locator if locator is not None else locate(page, resolution.ref,
                                                           resolution.frame)  # type: ignore
        raw = where.evaluate(_PROBE, arg, timeout=timeout_ms)
    else:
        raw = page.evaluate(_FOCUSED.replace("PROBE", _PROBE), arg)
    send = raw["submits"]
    return Effect(kind, element=_control(raw["element"]), activates=_control(raw["activates"]),
                  submits=FormSend(**send) if send else None, follows=raw["follows"],
                  options=options, one_line=raw["oneLine"], multi_line=raw["multiLine"],
                  field_form=raw["fieldForm"])
