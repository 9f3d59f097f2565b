"""Apply one resolved action to a Playwright page; Playwright errors become ActionFailed."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cristal.errors import CristalError, InvalidInput, PermissionDenied
from cristal.operator._actions import (
    Check,
    Click,
    Extract,
    Goto,
    Hover,
    Press,
    Scroll,
    Select,
    Type,
    Uncheck,
    Upload,
)
from cristal.operator._browser import BlockedRequest, Session
from cristal.operator._targeting import Resolution, locate
from cristal.operator._text import similarity

__all__ = ["ActionFailed", "OutsideTaskFolder", "apply"]

_DATE_TYPES = {"date", "datetime-local", "month"}
_REVEAL_JS = """(el) => {
  // The outermost hidden ancestor, and a visible toggle just before it (tree views,
  // accordions, <details>): clicking that toggle usually shows the element.
  let hidden = null;
  for (let n = el; n && n.parentElement; n = n.parentElement) {
    if (!n.checkVisibility()) hidden = n; else break;
  }
  if (!hidden) return false;
  const parent = hidden.parentElement;
  if (parent.tagName === 'DETAILS') { parent.open = true; return 'details'; }
  const sibs = Array.from(parent.children);
  const before = sibs.slice(0, sibs.indexOf(hidden)).reverse().filter((s) => s.checkVisibility());
  const toggle = before.find((s) => s.getAttribute('aria-expanded') === 'false')
    || before.find((s) => getComputedStyle(s).cursor === 'pointer')
    || sibs.find((s) => s !== hidden && s.checkVisibility()
      && getComputedStyle(s).cursor === 'pointer')
    || (getComputedStyle(parent).cursor === 'pointer' ? parent : null);
  if (!toggle) return false;
  toggle.setAttribute('data-cristal-toggle', '1');
  return (toggle.innerText || toggle.className || toggle.tagName).trim().slice(0, 60);
}"""
_SCROLL_JS = """(el, d) => {
  // The element itself if it scrolls, else its nearest scrolling ancestor, else the page.
  for (let n = el; n && n !== document.body; n = n.parentElement) {
    const o = getComputedStyle(n).overflowY;
    if ((o === 'auto' || o === 'scroll') && n.scrollHeight > n.clientHeight) {
      n.scrollBy(0, d); return;
    }
  }
  window.scrollBy(0, d);
}"""
_EXTRACT_JS = """(el, kind) => {
  const sq = (s) => (s || '').replace(/\\s+/g, ' ').trim();
  const root = el || document.body;
  if (kind === 'table') {
    const sel = 'table,[role=table],[role=grid]';
    const t = root.closest(sel) || root.querySelector(sel);
    if (!t) return null;
    return Array.from(t.querySelectorAll('tr,[role=row]')).map((r) =>
      Array.from(r.querySelectorAll('th,td,[role=cell],[role=gridcell],[role=columnheader]'))
        .map((c) => sq(c.innerText)));
  }
  if (kind === 'list') {
    const sel = 'ul,ol,[role=list],[role=listbox]';
    const l = root.closest(sel) || root.querySelector(sel);
    if (!l) return null;
    return Array.from(l.children).filter((c) => c.checkVisibility()).map((c) => sq(c.innerText));
  }
  const text = sq(root.innerText || root.textContent).slice(0, 20000);
  if (!el) return {text};
  let value = null;
  if ('value' in el && el.tagName !== 'BUTTON' && el.tagName !== 'LI') value = el.value;
  else if (el.tagName === 'TH' || el.tagName === 'TD') {
    const next = el.nextElementSibling; if (next) value = sq(next.innerText);
  } else if (el.tagName === 'DT') {
    const dd = el.nextElementSibling; if (dd) value = sq(dd.innerText);
  } else if (el.tagName === 'LABEL' && el.control) value = el.control.value;
  else if (/[:：]\\s*$/.test(text) && el.nextElementSibling) {
    value = sq(el.nextElementSibling.innerText);
  }
  else { const m = /[:：]\\s*(.+)$/.exec(text); if (m) value = m[1]; }
  return {text, value};
}"""


class ActionFailed(CristalError):
    """The browser could not carry out the action (timeout, element covered, detached...)."""


class OutsideTaskFolder(PermissionDenied):
    """An upload named a file outside the task folder."""


@dataclass
class Applied:
    """What an action did: a detail line and any data it read."""

    detail: str
    data: Any = None


def apply(session: Session, action: Any, resolution: Resolution | None, *,
          timeout_ms: int = 3000, fill_text: str | None = None, secret: bool = False,
          check_toggle: Callable[[Any], None] | None = None) -> Applied:
    """Carry out `action` on the session's page; `fill_text` replaces a Type action's text.

    To reach a hidden element the executor may first click a toggle beside it (a folder,
    an accordion); `check_toggle(locator)` judges that click like any other (it raises to
    refuse it)."""
    from playwright.sync_api import Error as PlaywrightError

    page = session.page
    loc = locate(page, resolution.ref, resolution.frame) if resolution else None
    what = f'{resolution.role} "{resolution.name[:60]}" [{resolution.ref}]' if resolution else ""
    try:
        if isinstance(action, Goto):
            if session.allow is not None and not session.allow.allows(action.url):
                session.blocked.append(BlockedRequest(
                    url=action.url, host=urlsplit(action.url).hostname or "",
                    resource_type="document", navigation=True))
                session.allow.check(action.url)  # raises DomainBlocked, saying how to allow it
            response = page.goto(action.url, wait_until="domcontentloaded", timeout=timeout_ms * 5)
            status = response.status if response is not None else None
            return Applied(f"opened {page.url}" + (f" ({status})" if status else ""),
                           {"status": status})
        if loc is None:
            if isinstance(action, Press):
                for key in action.key_list():  # "Tab Tab Enter" is three presses
                    page.keyboard.press(key)
                return Applied(f"pressed {action.keys}")
            if isinstance(action, Scroll):
                page.mouse.wheel(0, action.amount if action.direction == "down" else -action.amount)
                return Applied(f"scrolled the page {action.direction} {action.amount}px")
            if isinstance(action, Extract):
                return Applied("read the page", _extract(page.locator("body"), action.kind, None))
            raise InvalidInput(f"{action.action} needs a target element; name one.")
        if resolution is not None and resolution.node is not None and resolution.node.hidden:
            _reveal(page, loc, timeout_ms, check_toggle)
        if isinstance(action, Click):
            loc.click(timeout=timeout_ms)
            return Applied(f"clicked {what}")
        if isinstance(action, Type):
            text = action.text if fill_text is None else fill_text
            _type(loc, text, action.mode, resolution, timeout_ms)
            # Park the pointer: a suggestion list that opens under a resting pointer gets a
            # stale hover, and the next click would pick the item that was under it.
            page.mouse.move(0, 0)
            if secret:
                loc.evaluate("el => el.setAttribute('data-cristal-secret', '1')")
            return Applied(f"typed {action.text!r} into {what}")  # the template, never a secret
        if isinstance(action, Select):
            chosen = _select(page, loc, action.values, resolution, timeout_ms)
            return Applied(f"selected {', '.join(chosen)} in {what}", chosen)
        if isinstance(action, Check | Uncheck):
            want = isinstance(action, Check)
            loc.set_checked(want, timeout=timeout_ms)
            return Applied(f"{'checked' if want else 'unchecked'} {what}")
        if isinstance(action, Press):
            for key in action.key_list():
                loc.press(key, timeout=timeout_ms)
            return Applied(f"pressed {action.keys} in {what}")
        if isinstance(action, Scroll):
            delta = action.amount if action.direction == "down" else -action.amount
            loc.evaluate(_SCROLL_JS, delta)
            return Applied(f"scrolled {what} {action.direction} {action.amount}px")
        if isinstance(action, Hover):
            loc.hover(timeout=timeout_ms)
            return Applied(f"hovered {what}")
        if isinstance(action, Upload):
            paths = _task_files(session, action.files)
            loc.set_input_files([str(p) for p in paths], timeout=timeout_ms)
            return Applied(f"attached {', '.join(p.name for p in paths)} to {what}")
        if isinstance(action, Extract):
            data = _extract(loc, action.kind, resolution)
            if isinstance(data, dict) and data.get("value") is None and action.target:
                data["value"] = _after_label(data.get("text") or "", action.target)
            return Applied(f"read {what}", data)
    except PlaywrightError as exc:
        first = str(exc).splitlines()[0][:300].rstrip(".")
        raise ActionFailed(
            f"Could not {action.action} {what or action.describe()}: {first}. Take a new snapshot: "
            "the page may have changed, or a dialog or overlay may need closing first.",
            action=action.action) from None
    raise InvalidInput(f"The runtime does not apply '{action.action}' itself.")


def _reveal(page: Any, loc: Any, timeout_ms: int,
            check_toggle: Callable[[Any], None] | None = None) -> None:
    """Open collapsed ancestors (tree folders, accordions) until the element is visible."""
    for _ in range(5):
        if loc.is_visible():
            return
        toggle = loc.evaluate(_REVEAL_JS)
        if not toggle:
            raise ActionFailed("The element is on the page but hidden, and nothing beside it "
                               "opens it. Open the menu, tab or section that holds it first.")
        if toggle != "details":
            marked = page.locator('[data-cristal-toggle="1"]').first
            if check_toggle is not None:
                check_toggle(marked)
            marked.click(timeout=timeout_ms)
            marked.evaluate("el => el.removeAttribute('data-cristal-toggle')")
        page.wait_for_timeout(50)


def _type(loc: Any, text: str, mode: str, resolution: Resolution | None, timeout_ms: int) -> None:
    kind = resolution.node.type if resolution and resolution.node else ""
    if kind in _DATE_TYPES:
        loc.fill(_iso_date(text, kind), timeout=timeout_ms)
        return
    if any(ch in text for ch in "\n\r\t"):  # multi-line text (checked): no key events, so
        if mode == "clear":                     # Enter cannot set off the page's handlers
            loc.fill(text, timeout=timeout_ms)
        else:
            loc.focus(timeout=timeout_ms)
            loc.press("Control+End", timeout=timeout_ms)
            loc.page.keyboard.insert_text(text)
        return
    if mode == "clear":
        loc.fill("", timeout=timeout_ms)
    else:
        loc.focus(timeout=timeout_ms)
        loc.press("End", timeout=timeout_ms)
    if len(text) <= 200:
        loc.press_sequentially(text, timeout=timeout_ms)  # real key events, for autocompletes
    else:
        loc.fill(text, timeout=timeout_ms) if mode == "clear" else loc.press_sequentially(text)


def _iso_date(text: str, kind: str) -> str:
    """'03/15/2012', '2012/3/15', '2012年3月15日' -> '2012-03-15' for <input type=date>."""
    s = text.strip()
    m = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?", s)
    if m:
        y, mo, d = (int(g) for g in m.groups())
    else:
        m = re.fullmatch(r"(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})", s)
        if not m:
            return s
        a, b, y = (int(g) for g in m.groups())
        mo, d = (a, b) if a <= 12 else (b, a)  # US month/day unless the first cannot be a month
    try:
        iso = date(y, mo, d).isoformat()
    except ValueError:
        return s
    return iso[:7] if kind == "month" else iso


def _select(page: Any, loc: Any, values: list[str], resolution: Resolution | None,
            timeout_ms: int) -> list[str]:
    node = resolution.node if resolution else None
    if node is not None and (node.options or node.role in ("combobox", "listbox")) and \
            loc.evaluate("el => el.tagName") == "SELECT":
        options = loc.evaluate(
            "el => Array.from(el.options).map(o => o.text.replace(/\\s+/g, ' ').trim())")
        labels = [_best_option(v, options) for v in values]
        loc.select_option(label=labels, timeout=timeout_ms)
        return labels
    loc.click(timeout=timeout_ms)  # a custom dropdown: open it, then click each option
    for value in values:
        option = page.get_by_role("option", name=value)
        (option if option.count() else page.get_by_text(value, exact=False)).first.click(
            timeout=timeout_ms)
    return list(values)


def _best_option(value: str, options: list[str]) -> str:
    scored = sorted(((similarity(value, o), o) for o in options), key=lambda p: -p[0])
    if not scored or scored[0][0] < 0.5:
        raise InvalidInput(f"No option like {value!r}; the options are: "
                           + ", ".join(options[:20]) + ". Pick one of those.", value=value)
    return scored[0][1]


def _task_files(session: Session, files: list[str]) -> list[Path]:
    if session.task_dir is None:
        raise OutsideTaskFolder("This session has no task folder, so nothing may be uploaded. "
                                "Start the session with a task_dir holding the files.")
    root = session.task_dir.resolve()
    paths = []
    for name in files:
        path = (root / name).resolve()
        if not path.is_relative_to(root):
            raise OutsideTaskFolder(f"{name} is outside the task folder {root}; copy the file "
                                    "into that folder first.", path=name)
        if not path.is_file():
            raise InvalidInput(f"{name} does not exist in the task folder {root}.", path=name)
        paths.append(path)
    return paths


def _extract(loc: Any, kind: str, resolution: Resolution | None) -> Any:
    return loc.evaluate(_EXTRACT_JS, kind) if resolution else loc.evaluate(
        "(el, kind) => (" + _EXTRACT_JS + ")(null, kind)", kind)


def _after_label(text: str, label: str) -> str | None:
    """'Status Shipped' read for 'Status' -> 'Shipped' (a label and its value in one run)."""
    flat, want = " ".join(text.split()), " ".join(label.split())
    if flat.casefold().startswith(want.casefold()) and len(flat) > len(want):
        rest = flat[len(want):].lstrip(" :：-")
        return rest or None
    return None
