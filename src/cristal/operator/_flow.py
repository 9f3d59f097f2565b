"""Information-flow control for model-chosen browser actions: page content never decides
where things go.

The model must read the page to act on it, so unlike `cristal.agent.run` it cannot be
kept away from untrusted text. Instead every action it proposes is checked against the
trusted input (the task, the start URL, the allowed hosts) before it runs:

- a navigation (`goto`, a link, a form submission) must stay on a trusted origin: the
  start URL's scheme, host and port, an allowed host, or a site the task names;
- typed text must come from the task (a value it contains, or a `{{secret:NAME}}` it
  names); a secret is typed only into a form that submits to a trusted origin;
- a sensitive control (delete, pay, send, …) is used only when the task asks for it;
- an answer (`done`) may not recite the operator's own instructions.

A refused action is not carried out; it is recorded in the trajectory with its reason
(`PolicyRefused`) and the model sees the refusal in its history.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import urljoin, urlsplit

from cristal.agent import Verdict, appears_in, normalise, short
from cristal.operator._actions import Check, Click, Done, Goto, Press, Select, Type, Uncheck
from cristal.operator._guards import DEFAULT_SENSITIVE_WORDS
from cristal.operator._model_policy import SYSTEM_PROMPT
from cristal.operator._targeting import locate

__all__ = ["FlowGuard"]

_SECRET = re.compile(r"\{\{\s*secret:([A-Za-z0-9_.\-]+)\s*\}\}")
_URL = re.compile(r"\b(?:https?://[^\s'\"<>]+|(?:[a-z0-9-]+\.)+[a-z]{2,}(?::\d+)?(?:/[^\s'\"<>]*)?)",
                  re.IGNORECASE)
_FORM_JS = """(el, pressed) => {
  const form = el.form || el.closest('form');
  const submit = pressed ? ['INPUT', 'SELECT'].includes(el.tagName)
    : (el.tagName === 'BUTTON' && el.type !== 'reset' && el.type !== 'button')
      || ['submit', 'image'].includes(el.type);
  if (!form) return {form: false, submit: false, action: '', secret: false, values: []};
  const values = Array.from(form.querySelectorAll('input,textarea,select'))
    .filter((f) => !['hidden', 'password', 'submit', 'button'].includes(f.type))
    .map((f) => f.value).filter((v) => v && v.trim());
  return {form: true, submit, action: form.getAttribute('action') || '',
          secret: !!form.querySelector('[data-cristal-secret]'), values};
}"""
_DEFAULT_PORT = {"http": 80, "https": 443}


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port or _DEFAULT_PORT.get(scheme)
    except ValueError:
        port = None
    return scheme, (parts.hostname or "").lower(), port


class FlowGuard:
    """Checks each proposed action against the task, the start URL and the allowed hosts."""

    def __init__(self, instruction: str, start_url: str, allow: Sequence[str] = (), *,
                 system_prompt: str = SYSTEM_PROMPT,
                 sensitive_words: Sequence[str] = DEFAULT_SENSITIVE_WORDS) -> None:
        self.instruction = instruction
        self.trusted = [instruction, start_url]
        self.start = _origin(start_url)
        named = [m.group(0) for m in _URL.finditer(instruction)]
        self.hosts = [h.strip().lower() for h in allow if h.strip()]
        for url in named:
            parts = urlsplit(url if "://" in url else f"http://{url}")
            try:
                port = parts.port
            except ValueError:
                port = None
            if parts.hostname:  # a port the task names is part of the site it names
                self.hosts.append(f"{parts.hostname.lower()}:{port}" if port
                                  else parts.hostname.lower())
        self.secrets = set(_SECRET.findall(instruction))
        self.prompt_chunks = [normalise(system_prompt[i:i + 60])
                              for i in range(0, max(1, len(system_prompt) - 60), 30)]
        self.sensitive = tuple(sensitive_words)

    # -- rules --------------------------------------------------------------

    def trusted_origin(self, url: str, base: str = "") -> bool:
        """True for the start origin, an allowed host (or host:port), or a host the task names."""
        scheme, host, port = _origin(urljoin(base, url) if base else url)
        if scheme in ("javascript", "data", "about", "blob", "mailto", "tel"):
            return scheme != "data"
        if scheme == "file":
            return self.start[0] == "file"
        if (scheme, host, port) == self.start or (host == self.start[1] and scheme in (
                "http", "https") and port == self.start[2]):
            return True
        for entry in self.hosts:
            name, _, want = entry.partition(":") if entry.count(":") == 1 else (entry, "", "")
            if want and (not want.isdigit() or int(want) != port):
                continue
            if name == host or (name.startswith("*.") and host.endswith(name[1:])):
                return True
        return False

    def _sensitive(self, label: str) -> str | None:
        low = label.lower()
        for word in self.sensitive:
            hit = word in label if not word.isascii() else re.search(
                rf"(?<![a-z]){re.escape(word)}(?![a-z])", low)
            if hit and not appears_in(word, self.trusted):
                return word
        return None

    def _form(self, runtime: Any, resolution: Any, pressed: bool) -> dict[str, Any] | None:
        try:
            return locate(runtime.page, resolution.ref, resolution.frame).evaluate(
                _FORM_JS, pressed, timeout=2000)
        except Exception:  # the element went away: the runtime will report that itself
            return None

    def check(self, action: Any, snapshot: Any, runtime: Any) -> Verdict:
        """Allowed, or refused with the reasons (nothing has run yet)."""
        reasons: list[str] = []
        here = runtime.page.url if runtime is not None else snapshot.url
        if isinstance(action, Goto) and not self.trusted_origin(action.url, here):
            reasons.append(f"the URL {short(action.url)} was not given by the task and leads "
                           "away from the task's site and allowed hosts")
        if isinstance(action, Done) and action.result is not None:
            said = normalise(str(action.result))
            if any(chunk and chunk in said for chunk in self.prompt_chunks):
                reasons.append("the answer recites the operator's own instructions")
        if isinstance(action, Type):
            reasons += self._typed(action)
        if isinstance(action, Select):
            extra = [v for v in action.values if not appears_in(v, self.trusted)]
            if extra:
                reasons.append(f"the option {short(extra[0])} comes from the page, not the task")
        needs_target = isinstance(action, Click | Type | Check | Uncheck) or (
            isinstance(action, Press) and action.target and "Enter" in action.keys)
        if needs_target and runtime is not None:
            reasons += self._target(action, snapshot, runtime, here)
        elif isinstance(action, Press) and "Enter" in action.keys and runtime is not None:
            reasons += self._focused_form(runtime, here)
        if reasons:
            return Verdict(False, tuple(reasons), "refuse")
        return Verdict(True)

    def _focused_form(self, runtime: Any, here: str) -> list[str]:
        """Enter with no target submits the focused field's form: it must stay on-site."""
        try:
            form = runtime.page.evaluate(
                "() => { const el = document.activeElement; const f = el && el.form;"
                " return f ? (f.getAttribute('action') || '') : null; }")
        except Exception:  # a page that is navigating: nothing is focused to submit
            return []
        if form is None or self.trusted_origin(form or here, here):
            return []
        return [f"it would send a form to {short(urljoin(here, form))}, off the task's site"]

    def _typed(self, action: Type) -> list[str]:
        names = _SECRET.findall(action.text)
        unknown = [n for n in names if n not in self.secrets]
        if unknown:
            return [f"the secret {unknown[0]} is not one the task uses"]
        plain = _SECRET.sub(" ", action.text).strip()
        if plain and not appears_in(plain, self.trusted):
            return [f"the text {short(plain)} comes from the page or the model, not the task"]
        return []

    def _target(self, action: Any, snapshot: Any, runtime: Any, here: str) -> list[str]:
        try:
            resolution = runtime.resolve(action, snapshot)
        except Exception:  # a missing target (TargetNotFound): the runtime reports it itself
            return []
        if resolution is None:
            return []
        reasons: list[str] = []
        node = resolution.node
        label = resolution.name or (node.label() if node is not None else "")
        if isinstance(action, Click) and node is not None and node.href and \
                not self.trusted_origin(node.href, here):
            reasons.append(f"the link {short(label, 40)!r} leads to {short(node.href)}, "
                           "which the task did not name")
        secret = isinstance(action, Type) and bool(_SECRET.search(action.text))
        pressed = isinstance(action, Press)
        form = None
        if isinstance(action, Click) or pressed or secret:
            form = self._form(runtime, resolution, pressed)
        if isinstance(action, Click | Check | Uncheck) and label:
            word = self._sensitive(label)
            # Sending a form filled with the task's own values is the task; a bare "Delete"
            # button, or a form holding values from elsewhere, is not.
            carries_task = bool(form and form.get("submit") and form.get("values") and all(
                appears_in(v, self.trusted) for v in form["values"]))
            if word and not appears_in(label, self.trusted) and not carries_task:
                reasons.append(f"the control {short(label, 60)!r} is a sensitive action "
                               f"({word}) the task did not ask for")
        if form and form.get("form") and (form.get("submit") or secret):
            target = form.get("action") or here
            if not self.trusted_origin(target, here):
                what = "a secret into a form that sends" if secret else "send a form"
                reasons.append(f"it would {'put ' if secret else ''}{what} to "
                               f"{short(urljoin(here, target))}, off the task's site")
        return reasons
