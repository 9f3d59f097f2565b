"""Find the element an action means: by ref (`e12`) or by a description in Japanese or English.

A description names the element the way a person would: its text, label,
placeholder or the text beside it, optionally with a role word ("button",
"ボタン") and an ordinal ("second", "2番目"). Matching is NFKC-normalised, case-
and width-insensitive, and fuzzy (partial and token-overlap scoring); the best
element comes back with its score and the runner-up so ambiguity can be reported.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from cristal.errors import NotFound
from cristal.operator._snapshot import Node, Snapshot
from cristal.operator._text import norm, similarity

__all__ = ["Candidate", "Query", "Resolution", "TargetNotFound", "locate", "parse_target",
           "resolve"]

Match = Literal["fuzzy", "exact", "glob"]
THRESHOLD = 0.5
_REF = re.compile(r"\s*\[?(?:ref\s*=\s*)?(e\d+)\]?\s*")
_QUOTED = re.compile(r"[\"“「『](.+?)[\"”」』]")

# Role words, longest first so "text field" wins over "field".
_ROLE_WORDS: dict[str, str] = {
    "menu item": "menuitem", "text field": "textbox", "text box": "textbox", "textbox": "textbox",
    "input field": "textbox", "input": "textbox", "field": "textbox", "search box": "textbox",
    "button": "button", "link": "link", "checkbox": "checkbox", "check box": "checkbox",
    "radio button": "radio", "radio": "radio", "dropdown": "select", "drop-down": "select",
    "select box": "select", "select": "select", "list box": "select", "combobox": "select",
    "tab": "tab", "option": "option", "heading": "heading", "title": "heading", "image": "img",
    "icon": "icon", "textarea": "textbox", "file input": "file", "slider": "slider",
    "テキストボックス": "textbox", "入力欄": "textbox", "入力フィールド": "textbox",
    "欄": "textbox", "ボタン": "button", "リンク": "link", "チェックボックス": "checkbox",
    "ラジオボタン": "radio", "プルダウン": "select", "ドロップダウン": "select",
    "セレクトボックス": "select",
    "タブ": "tab", "見出し": "heading", "画像": "img", "アイコン": "icon", "メニュー": "menuitem",
}
_FAMILIES: dict[str, set[str]] = {
    "textbox": {"textbox", "searchbox", "combobox", "spinbutton"},
    "select": {"combobox", "listbox"},
    "button": {"button", "clickable", "menuitem", "tab", "link"},
    "link": {"link", "clickable", "button"},
    "checkbox": {"checkbox", "switch", "menuitemcheckbox"},
    "radio": {"radio", "menuitemradio"},
    "icon": {"clickable", "button", "img", "link"},
    "img": {"img", "clickable"},
    "tab": {"tab", "clickable", "link", "button"},
    "menuitem": {"menuitem", "menuitemcheckbox", "menuitemradio", "clickable", "option"},
    "option": {"option", "clickable", "menuitem", "listitem"},
}
_ORDINALS: dict[str, int] = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "last": -1,
    "1st": 1, "2nd": 2, "3rd": 3, "4th": 4, "5th": 5,
    "最初": 1, "一番目": 1, "二番目": 2, "三番目": 3, "四番目": 4, "五番目": 5, "最後": -1,
}
_ORD_RE = re.compile(r"(?:(\d+)\s*(?:番目|つ目)|(\d+)(?:st|nd|rd|th)\b|\b(" + "|".join(
    k for k in _ORDINALS if k.isascii()) + r")\b|(" + "|".join(
    k for k in _ORDINALS if not k.isascii()) + r"))\s*(?:の)?", re.IGNORECASE)
_FILLER = re.compile(r"^(?:on|the|a|an|into|in|to)\s+|\s+(?:on|in)$|^の|の$", re.IGNORECASE)
# Roles an action can work on, and the weight of a role it merely tolerates.
_ACTION_ROLES: dict[str, tuple[set[str], float]] = {
    "type": ({"textbox", "searchbox", "combobox", "spinbutton"}, 0.3),
    "select": ({"combobox", "listbox"}, 0.4),
    "check": ({"checkbox", "radio", "switch", "menuitemcheckbox", "menuitemradio"}, 0.5),
    "upload": ({"file"}, 0.2),
}


@dataclass(frozen=True)
class Query:
    """A parsed description: text to match, optional role family, ordinal and anchor text."""

    text: str = ""
    role: str | None = None
    ordinal: int | None = None
    near: str | None = None
    match: Match = "fuzzy"
    alt: str | None = None  # the whole description, when role words were split off it


@dataclass(frozen=True)
class Candidate:
    """An element that answered to a query, with its score."""

    ref: str
    role: str
    name: str
    score: float
    frame: str = ""
    index: int = 0

    def describe(self) -> str:
        """`button "Submit" [e3] (0.97)`."""
        return f'{self.role} "{self.name[:60]}" [{self.ref}] ({self.score:.2f})'


@dataclass(frozen=True)
class Resolution:
    """The chosen element, how sure we are, and the runner-up for ambiguity reports."""

    ref: str
    role: str
    name: str
    score: float
    frame: str = ""
    by: str = "description"
    runner_up: Candidate | None = None
    ambiguous: bool = False
    node: Node | None = field(default=None, compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly resolution for step records."""
        out: dict[str, Any] = {"ref": self.ref, "role": self.role, "name": self.name,
                               "score": round(self.score, 3), "by": self.by}
        if self.runner_up is not None:
            r = self.runner_up
            out["runner_up"] = {"ref": r.ref, "role": r.role, "name": r.name,
                                "score": round(r.score, 3)}
        if self.ambiguous:
            out["ambiguous"] = True
        return out


class TargetNotFound(NotFound):
    """No element on the page answers to the description (or the ref is gone)."""


def parse_target(description: str, *, near: str | None = None,
                 match: Match = "fuzzy") -> Query | str:
    """A ref (`"e12"`) as a string, or a Query from a description like 'the second "OK" button'."""
    ref = _REF.fullmatch(description)
    if ref:
        return ref.group(1)
    original = text = description.strip()
    if match != "fuzzy":
        return Query(text=text, near=near, match=match)
    quoted = _QUOTED.search(text)
    outside = _QUOTED.sub(" ", text) if quoted else text
    ordinal = None
    m = _ORD_RE.search(outside)
    if m:
        word = next(g for g in m.groups() if g)
        ordinal = int(word) if word.isdigit() else _ORDINALS[word.lower()]
        rest = (outside[: m.start()] + " " + outside[m.end():]).strip()
        outside = rest if rest or quoted else outside
        ordinal = ordinal if rest or quoted else None
    if quoted:
        return Query(text=quoted.group(1), role=_role_in(outside), ordinal=ordinal, near=near)
    stripped, role = _strip_role(outside)
    alt = original if (role or ordinal) else None
    return Query(text=stripped if role else outside, role=role, ordinal=ordinal, near=near,
                 alt=alt)


def _role_in(text: str) -> str | None:
    low = norm(text)
    for word, role in _ROLE_WORDS.items():
        if re.search(rf"(?<![a-z]){re.escape(word)}(?![a-z])", low):
            return role
    return None


def _strip_role(text: str) -> tuple[str, str | None]:
    low = norm(text)
    for word, role in _ROLE_WORDS.items():
        pattern = rf"(?<![a-z]){re.escape(word)}s?(?![a-z])"
        if re.search(pattern, low):
            rest = re.sub(pattern, " ", low, count=1).strip()
            for _ in range(3):
                rest = _FILLER.sub("", rest).strip()
            return rest, role
    return text, None


def _name_score(query: Query, node: Node) -> float:
    if not query.text:
        return 0.8
    kind = node.type if node.type not in ("", "text", "submit", "button") else ""
    sources = [(node.name, 1.0), (node.near, 0.92), (node.hint, 0.85), (kind, 0.8)]
    best = 0.0
    for text, weight in sources:
        if not text:
            continue
        if query.match == "glob":
            score = 1.0 if _glob(norm(query.text), norm(text)) else 0.0
        elif query.match == "exact":
            score = 1.0 if norm(text) == norm(query.text) else 0.0
        else:
            score = similarity(query.text, text)
            if query.alt:
                score = max(score, similarity(query.alt, text))
        best = max(best, score * weight)
    return best


def _glob(pattern: str, name: str) -> bool:
    """'ang*ola' matches names that start with 'ang' and end with 'ola' ('uga*nda': 'uganda')."""
    parts = pattern.split("*")
    if len(parts) == 1:
        return pattern == name
    if not (name.startswith(parts[0]) and name.endswith(parts[-1])):
        return False
    pos = len(parts[0])
    for middle in parts[1:-1]:
        pos = name.find(middle, pos)
        if pos < 0:
            return False
        pos += len(middle)
    return True


def _role_weight(query: Query, node: Node, action: str) -> float:
    weight = 1.0
    if query.role is not None:
        family = _FAMILIES.get(query.role, {query.role})
        if node.role not in family:
            weight *= 0.0 if not query.text else 0.6
    wanted = _ACTION_ROLES.get(action)
    if wanted is not None:
        roles, tolerated = wanted
        if node.role not in roles:
            weight *= tolerated if node.interactive or node.role == "text" else tolerated * 0.5
    elif node.role == "text":
        weight *= 0.9
    elif not node.interactive:
        weight *= 0.85 if node.role in ("heading", "cell", "listitem", "img") else 0.5
    if node.hidden:
        weight *= 0.95
    if "disabled" in node.states:
        weight *= 0.9
    return weight


def score_all(snapshot: Snapshot, query: Query, action: str = "click") -> list[Candidate]:
    """Every node that answers to `query`, best first."""
    anchor = _anchor(snapshot, query.near) if query.near else None
    out = []
    for i, node in enumerate(snapshot.nodes):
        if not node.ref:
            continue
        score = _name_score(query, node) * _role_weight(query, node, action)
        if anchor is not None and score > 0:
            score *= 0.7 + 0.3 * math.exp(-_distance(anchor, node) / 200)
        if score > 0:
            out.append(Candidate(node.ref, node.role, node.label(), round(score, 4), node.frame, i))
    best: dict[str, Candidate] = {}
    for c in out:  # one candidate per element: a text run and its element share a ref
        if c.ref not in best or c.score > best[c.ref].score:
            best[c.ref] = c
    return sorted(best.values(), key=lambda c: (-c.score, c.index))


def _anchor(snapshot: Snapshot, text: str) -> Node | None:
    scored = [(similarity(text, n.label()), n) for n in snapshot.nodes if n.label()]
    score, node = max(scored, key=lambda p: p[0], default=(0.0, None))
    return node if score >= THRESHOLD else None


def _distance(a: Node, b: Node) -> float:
    ax, ay = a.box[0] + a.box[2] / 2, a.box[1] + a.box[3] / 2
    bx, by = b.box[0] + b.box[2] / 2, b.box[1] + b.box[3] / 2
    return math.hypot(ax - bx, ay - by)


def _same_kind(snapshot: Snapshot, query: Query, action: str) -> list[Candidate]:
    """When no name is even close: the page's elements of the kind wanted (score 0)."""
    roles = (_FAMILIES.get(query.role, {query.role}) if query.role
             else _ACTION_ROLES.get(action, (_FAMILIES["button"],))[0])
    nodes = [(i, n) for i, n in enumerate(snapshot.nodes) if n.ref and n.interactive
             and n.label() and n.role in roles]
    return [Candidate(n.ref, n.role, n.label(), 0.0, n.frame, i) for i, n in nodes[:4]]


def resolve(snapshot: Snapshot, target: str | Query, action: str = "click") -> Resolution:
    """The element `target` means on this snapshot; TargetNotFound lists the closest ones."""
    query = parse_target(target) if isinstance(target, str) else target
    if isinstance(query, str):
        node = snapshot.node(query)
        if node is None:
            raise TargetNotFound(
                f"Ref {query} is not on the current page (it changed since that snapshot). "
                "Take a new snapshot and use a ref from it, or describe the element.", ref=query)
        return Resolution(node.ref, node.role, node.label(), 1.0, node.frame, by="ref", node=node)
    ranked = score_all(snapshot, query, action)
    if query.alt and (query.ordinal is not None or query.role):
        # "Last name" is a label, not "the last 'name'": a near-exact whole match wins.
        whole = score_all(snapshot, Query(text=query.alt, near=query.near), action)
        if whole and whole[0].score >= 0.9 and (not ranked or whole[0].score >= ranked[0].score):
            query, ranked = Query(text=query.alt, near=query.near), whole
    good = [c for c in ranked if c.score >= THRESHOLD]
    if not good:
        shown = ranked[:4] or _same_kind(snapshot, query, action)
        closest = ", ".join(c.describe() for c in shown) or "none"
        what = query.text or f"any {query.role}"
        raise TargetNotFound(
            f"Nothing on the page matches {what!r}" + (f" ({query.role})" if query.role and
                                                       query.text else "")
            + f". Closest: {closest}. Describe the element by its visible text, label or "
            "placeholder, or use a ref from the latest snapshot.",
            query=query.text, candidates=[c.describe() for c in shown])
    chosen = good[0]
    if query.ordinal is not None:
        tied = sorted((c for c in good if c.score >= good[0].score - 0.05), key=lambda c: c.index)
        pick = query.ordinal - 1 if query.ordinal > 0 else len(tied) + query.ordinal
        if not 0 <= pick < len(tied):
            raise TargetNotFound(
                f"Asked for number {query.ordinal} of {query.text or query.role!r} but the page "
                f"has only {len(tied)}. Use a smaller ordinal or a ref.", query=query.text)
        chosen = tied[pick]
    others = [c for c in good if c.ref != chosen.ref]
    runner = others[0] if others else (ranked[1] if len(ranked) > 1 else None)
    ambiguous = (query.ordinal is None and runner is not None and runner.score >= THRESHOLD
                 and runner.score >= chosen.score - 0.02)
    node = snapshot.nodes[chosen.index]
    return Resolution(chosen.ref, chosen.role, chosen.name, chosen.score, chosen.frame,
                      runner_up=runner, ambiguous=ambiguous, node=node)


def locate(page: Any, ref: str, frame: str = "") -> Any:
    """A Playwright locator for a ref (inside its same-origin iframes, through shadow roots)."""
    scope = page
    for fid in filter(None, frame.split("/")):
        scope = scope.frame_locator(f'[data-cristal-frame="{fid}"]')
    return scope.locator(f'[data-cristal-ref="{ref}"]')
