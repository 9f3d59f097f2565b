"""Form submissions an action sets off without announcing them are held for review.

`_effects.predict` reads an action's effect from the element it targets, but a page's
own scripts can turn any event into a submission: typing into a field whose `input`
handler calls `form.submit()`, a `select` that submits on change, a plain `<div>` whose
click handler submits a password form. While the runtime applies an action, a guard
script in every frame holds each submission the prediction did not name (the submit
event is cancelled before the page's handlers see it, and `form.submit()` is caught).
The runtime then judges the held submission like a predicted one and re-sends it when
it needs no confirmation or a person approves it; otherwise it is dropped.

Submissions a page makes on its own later (timers) are not held: only those that
happen while an action is being applied.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any

__all__ = ["GUARD_SCRIPT", "Held", "arm", "disarm", "install", "release"]

GUARD_SCRIPT = r"""(() => {
  if (window.__cristalSubmits) return;
  const PAY = /(card|cc-|cvc|cvv|csc|expir|iban|カード|セキュリティコード|有効期限)/i;
  const native = HTMLFormElement.prototype.submit;
  const nativeRequest = HTMLFormElement.prototype.requestSubmit;
  let armed = false, allowEl = null;
  const held = [];
  const sq = (s) => (s || '').replace(/\s+/g, ' ').trim().slice(0, 160);
  const deepActive = () => {
    let a = document.activeElement;
    while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;
    return a;
  };
  const describe = (f, submitter) => {
    const fields = Array.from(f.querySelectorAll('input,textarea,select'));
    const button = submitter || Array.from(f.elements).find((n) =>
      (n.tagName === 'BUTTON' && (n.getAttribute('type') || 'submit') === 'submit') ||
      (n.tagName === 'INPUT' && ['submit', 'image'].includes(n.type)));
    return {
      action: submitter && submitter.hasAttribute('formaction') ? submitter.formAction : f.action,
      method: (f.method || 'get').toLowerCase(),
      button: button ? sq(button.getAttribute('aria-label') || button.innerText || button.value)
        : '',
      password: fields.some((n) => n.type === 'password'),
      payment: fields.some((n) => /^cc-/.test(n.getAttribute('autocomplete') || '') || PAY.test([
        n.name, n.id, n.getAttribute('autocomplete'), n.getAttribute('placeholder'),
        n.labels && n.labels[0] ? n.labels[0].innerText : ''].join(' '))),
    };
  };
  const allowed = (f) => !!allowEl && (f === allowEl.form || f.contains(allowEl));
  window.addEventListener('submit', (e) => {
    if (!armed || allowed(e.target)) return;
    e.preventDefault();
    e.stopImmediatePropagation();
    held.push({form: e.target, submitter: e.submitter || null, direct: false});
  }, true);
  HTMLFormElement.prototype.submit = function () {
    if (armed && !allowed(this)) { held.push({form: this, submitter: null, direct: true}); return; }
    return native.call(this);
  };
  Object.defineProperty(window, '__cristalSubmits', {enumerable: false, value: Object.freeze({
    arm(allow) {
      armed = true;
      held.length = 0;
      allowEl = allow === 'focus' ? deepActive()
        : allow ? document.querySelector('[data-cristal-ref="' + allow + '"]') : null;
    },
    disarm() {
      armed = false;
      allowEl = null;
      return held.map((h, i) => Object.assign({id: i, direct: h.direct},
                                              describe(h.form, h.submitter)));
    },
    release(i) {
      const h = held[i];
      if (!h || !h.form.isConnected) return false;
      const by = h.submitter && h.submitter.form === h.form ? h.submitter : undefined;
      if (h.direct) native.call(h.form);
      else nativeRequest.call(h.form, by);
      return true;
    },
  })});
})()"""


@dataclass(frozen=True)
class Held:
    """A submission held back while an action ran: which frame, and what it would send."""

    frame: int
    id: int
    action: str
    method: str
    button: str
    password: bool
    payment: bool
    direct: bool


def install(context: Any, page: Any) -> None:
    """Put the guard in every frame of every page the context opens (and the current one)."""
    context.add_init_script(script=GUARD_SCRIPT)
    for frame in page.frames:
        with contextlib.suppress(Exception):  # a frame that is navigating gets it from the init
            frame.evaluate(GUARD_SCRIPT)


def arm(page: Any, allow: str | None, frame: str = "") -> None:
    """Hold submissions from now on, except the form of `allow` (a ref, or 'focus')."""
    for i, f in enumerate(page.frames):
        target = allow if (i == 0 and not frame) or _is(f, frame) else None
        with contextlib.suppress(Exception):
            f.evaluate("(a) => window.__cristalSubmits && window.__cristalSubmits.arm(a)", target)


def disarm(page: Any) -> list[Held]:
    """Stop holding; the submissions held meanwhile, frame by frame."""
    out: list[Held] = []
    for i, f in enumerate(page.frames):
        try:
            found = f.evaluate("() => window.__cristalSubmits ? window.__cristalSubmits.disarm() "
                               ": []")
        except Exception:  # the frame navigated away or closed: nothing left to hold there
            continue
        out += [Held(frame=i, **h) for h in found]
    return out


def release(page: Any, held: Held) -> bool:
    """Send a held submission after all; False when its form is gone."""
    frames = page.frames
    if held.frame >= len(frames):
        return False
    try:
        return bool(frames[held.frame].evaluate(
            "(i) => window.__cristalSubmits ? window.__cristalSubmits.release(i) : false",
            held.id))
    except Exception:
        return False


def _is(frame: Any, path: str) -> bool:
    """Whether `frame` is the snapshot frame `path` ('f1/f3': nested same-origin iframes)."""
    if not path:
        return False
    with contextlib.suppress(Exception):
        element = frame.frame_element()
        return element.get_attribute("data-cristal-frame") == path.split("/")[-1]
    return False
