"""The operator runtime: observe, resolve, guard, act and record, one step at a time.

Each action's effect is predicted from its element (`_effects`), judged by the guards,
approved in advance or by a person (`_gate`), applied while unannounced form
submissions are held (`_submits`), and recorded with every secret masked in every
encoding (`_masking`). Secrets are typed only on the hosts they are bound to and only
when the task names them (`_secrets`).
"""

from __future__ import annotations

import secrets as _random
import time
import uuid
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from cristal.errors import CristalError, InvalidInput
from cristal.operator import _submits
from cristal.operator._actions import (
    ActionResult,
    AskUser,
    Click,
    Done,
    Extract,
    Goto,
    Press,
    Scroll,
    Type,
    WaitFor,
)
from cristal.operator._approvals import Approvals
from cristal.operator._browser import Session
from cristal.operator._effects import Effect, predict
from cristal.operator._executor import ActionFailed, apply
from cristal.operator._gate import ActionRejected, ConfirmationRequired, Gate, TakenOver
from cristal.operator._guards import Confirmer, GuardPolicy
from cristal.operator._masking import SecretMask
from cristal.operator._records import Recorder, StepRecord
from cristal.operator._secrets import SECRET, SecretScope, check_typed_text
from cristal.operator._snapshot import Snapshot, take_snapshot
from cristal.operator._targeting import Resolution, TargetNotFound, parse_target, resolve
from cristal.operator._text import norm, similarity

__all__ = ["ActionRejected", "ConfirmationRequired", "Runtime", "SecretResolver", "TakenOver"]

# (secret name, host of the page it will be typed into) -> value; raise to refuse.
SecretResolver = Callable[[str, str], str]
_STABLE_S = 0.6  # a page unchanged this long is not about to show the missing element
_KIND = {"type": "type", "select": "select", "check": "check", "uncheck": "check",
         "upload": "upload"}
# Actions during which the page's own form submissions are held for review.
_HOLD = {"click", "press", "type", "select", "check", "uncheck"}


class Runtime:
    """One task's browser page with its guards, secrets, confirmations and recorder."""

    def __init__(self, session: Session, *, guards: GuardPolicy | None = None,
                 confirm: Confirmer | None = None, secrets: SecretResolver | None = None,
                 ask: Callable[[str], str] | None = None, recorder: Recorder | None = None,
                 exclude: tuple[str, ...] = (), max_tokens: int = 4000, timeout_s: float = 3.0,
                 wait_s: float = 2.0, run_id: str | None = None,
                 secret_scope: SecretScope | None = None,
                 approvals: Approvals | None = None) -> None:
        self.session = session
        self.masker = SecretMask()
        self.gate = Gate(guards or GuardPolicy(), confirm, approvals, self.masker)
        self.secrets = secrets
        self.secret_scope = secret_scope  # None: bound to the host of the first page
        self.ask = ask
        self.recorder = recorder
        self.exclude = exclude
        self.max_tokens = max_tokens
        self.timeout_ms = int(timeout_s * 1000)
        self.wait_s = wait_s
        self.run_id = run_id or uuid.uuid4().hex[:12]
        self.steps = 0
        self.finished: Done | None = None
        # Marks the page's data in snapshots; the page cannot know it, so cannot fake its end.
        self.nonce = _random.token_hex(6)
        self._start_host: str | None = None
        self._seen: deque[str] = deque(maxlen=20)
        _submits.install(session.context, session.page)

    @property
    def guards(self) -> GuardPolicy:
        """What needs confirmation."""
        return self.gate.guards

    @property
    def confirm(self) -> Confirmer | None:
        """The confirmation callback (None: sensitive actions are refused)."""
        return self.gate.confirm

    @property
    def page(self) -> Any:
        """The Playwright page being operated."""
        return self.session.page

    def snapshot(self, *, include_hidden: bool = False) -> Snapshot:
        """Observe the page now (secrets masked, text marked untrusted)."""
        from playwright.sync_api import Error as PlaywrightError

        for attempt in range(3):
            try:
                snap = take_snapshot(self.page, max_tokens=self.max_tokens, exclude=self.exclude,
                                     include_hidden=include_hidden, secrets=self.masker,
                                     nonce=self.nonce)
                break
            except PlaywrightError:  # navigating: the old document is gone, the new one loading
                if attempt == 2:
                    raise
                self.page.wait_for_load_state("domcontentloaded", timeout=self.timeout_ms)
        if not include_hidden:
            self._seen.append(snap.text + "\n" + "\n".join(n.href for n in snap.nodes if n.href))
        return snap

    def resolve(self, action: Any, snapshot: Snapshot) -> Resolution | None:
        """The element the action targets, waiting up to `wait_s` for it to appear."""
        target = getattr(action, "target", None)
        if not target:
            return None
        query = parse_target(target, near=getattr(action, "near", None),
                             match=getattr(action, "match", "fuzzy"))
        kind = _KIND.get(action.action, "click")
        now = time.monotonic()
        deadline = now + self.wait_s
        snap, last_hash, stable_since = snapshot, snapshot.hash, now
        while True:
            try:
                return resolve(snap, query, kind)
            except TargetNotFound as exc:
                if isinstance(query, str):
                    raise
                missing = exc
            try:  # present but hidden (a collapsed folder or section): the executor reveals it
                found = resolve(self.snapshot(include_hidden=True), query, kind)
                is_hidden = found.node is not None and found.node.hidden
                if not is_hidden or (query.text and found.score >= 0.75):
                    return found
            except TargetNotFound:
                pass
            now = time.monotonic()
            if snap.hash != last_hash:
                last_hash, stable_since = snap.hash, now
            # Wait for late content, but not for a page that has stopped changing.
            if now >= deadline or now - stable_since >= _STABLE_S:
                raise missing
            time.sleep(0.1)
            snap = self.snapshot()

    def step(self, action: Any, snapshot: Snapshot | None = None, *,
             source: str = "policy", model_call: str | None = None) -> StepRecord:
        """Apply one action (guarded, recorded) and return its record."""
        self.steps += 1
        started_at = datetime.now(UTC).isoformat(timespec="milliseconds")
        t0 = time.perf_counter()
        if self._start_host is None:
            url = action.url if isinstance(action, Goto) else self.page.url
            self._start_host = urlsplit(url).hostname or ""
        snap = snapshot or self.snapshot()
        t_snap = time.perf_counter()
        blocked_before = len(self.session.blocked)
        resolution: Resolution | None = None
        confirmation: dict[str, Any] | None = None
        timings: dict[str, float] = {"snapshot": snap.ms}
        try:
            if isinstance(action, Done):
                self.finished = action
                result = ActionResult(ok=action.ok, detail="finished", data=action.result,
                                      error=None if action.ok else str(action.result))
            elif isinstance(action, AskUser):
                result = self._ask(action, t_snap)
            elif isinstance(action, WaitFor):
                result = self._wait_for(action, t_snap)
            else:
                if isinstance(action, Press | Scroll | Extract) and not action.target:
                    resolution = None
                else:
                    resolution = self.resolve(action, snap)
                timings["resolve"] = (time.perf_counter() - t_snap) * 1000
                effect = predict(self.page, action, resolution, timeout_ms=self.timeout_ms)
                fill, secret = self._fill(action, effect, resolution)
                confirmation = self.gate.check(self.page, action, resolution, effect,
                                               source=source, step=self.steps,
                                               page_text="\n".join(self._seen))
                t_act = time.perf_counter()
                applied, held = self._apply(action, resolution, effect, fill, secret)
                if held:
                    confirmation = self.gate.held(
                        self.page, held, action, step=self.steps,
                        done=applied.detail[:1].upper() + applied.detail[1:]) or confirmation
                if self.session.task_dir is not None:
                    self.session.save_downloads()
                result = ActionResult(ok=True, detail=applied.detail, data=applied.data,
                                      ms=(time.perf_counter() - t_act) * 1000)
        except TakenOver as exc:  # the person handled this step in the browser themselves
            result = ActionResult(ok=True, detail=exc.message,
                                  ms=(time.perf_counter() - t_snap) * 1000)
            confirmation = exc.fields.get("confirmation", confirmation)  # type: ignore[assignment]
            source = "user"
        except Exception as exc:  # ours, or the browser's (converted); anything else re-raises
            if not isinstance(exc, CristalError):
                if not type(exc).__module__.startswith("playwright"):
                    raise
                exc = ActionFailed(f"The browser failed during {action.action}: "
                                   f"{str(exc).splitlines()[0][:300]}. Take a new snapshot and "
                                   "try again.")
            result = ActionResult.failed(exc, t_snap)
            confirmation = exc.fields.get("confirmation", confirmation)  # type: ignore[assignment]
            if isinstance(exc, TargetNotFound) and exc.fields.get("candidates"):
                result.data = {"candidates": exc.fields["candidates"]}
        timings["act"] = result.ms
        timings["total"] = (time.perf_counter() - t0) * 1000
        record = StepRecord(
            run_id=self.run_id, step=self.steps, started_at=started_at, url=snap.url,
            snapshot_hash=snap.hash, snapshot_text=snap.text, snapshot_tokens=snap.tokens,
            action=action.model_dump(exclude_none=True), source=source,
            target=resolution.to_dict() if resolution else None, confirmation=confirmation,
            result=result.model_dump(exclude_none=True),
            blocked=[b.url for b in self.session.blocked[blocked_before:]],
            timings_ms={k: round(v, 2) for k, v in timings.items()}, model_call_id=model_call,
        )
        record = self._scrub(record)
        if self.recorder is not None:
            self.recorder.record(record)
        return record

    def _apply(self, action: Any, resolution: Resolution | None, effect: Effect,
               fill: str | None, secret: bool) -> tuple[Any, list[_submits.Held]]:
        """Apply the action, holding form submissions its predicted effect did not name."""
        def check_toggle(toggle: Any) -> None:  # a click the executor makes to reveal
            click = Click(target="(toggle)", note="opens what holds the target")
            seen = predict(self.page, click, None, timeout_ms=self.timeout_ms, locator=toggle)
            self.gate.check(self.page, click, None, seen, source="reveal", step=self.steps)

        if action.action not in _HOLD:
            return apply(self.session, action, resolution, timeout_ms=self.timeout_ms,
                         fill_text=fill, secret=secret, check_toggle=check_toggle), []
        allow = None
        if effect.submits is not None and not effect.submits.pseudo:
            allow = resolution.ref if resolution is not None else "focus"
        _submits.arm(self.page, allow, resolution.frame if resolution else "")
        held: list[_submits.Held] = []
        try:
            applied = apply(self.session, action, resolution, timeout_ms=self.timeout_ms,
                            fill_text=fill, secret=secret, check_toggle=check_toggle)
        finally:
            held = _submits.disarm(self.page)
        return applied, held

    def _fill(self, action: Any, effect: Effect,
              resolution: Resolution | None) -> tuple[str | None, bool]:
        """The text to type (secrets filled in, where they are bound), checked for control
        characters; (None, False) for other actions."""
        if not isinstance(action, Type):
            return None, False
        field = resolution.name if resolution else action.target
        kinds = {"one_line": effect.one_line, "multi_line": effect.multi_line, "field": field}
        check_typed_text(action.text, **kinds)
        if not SECRET.search(action.text):
            return None, False
        if self.secrets is None:
            raise InvalidInput(f"The action uses {SECRET.search(action.text).group(0)} but this "
                               "run has no secret resolver; start it with one (or remove the "
                               "reference).")
        host = urlsplit(self.page.url).hostname or ""
        form = urlsplit(effect.field_form).hostname or "" if effect.field_form else None
        scope = self.secret_scope or SecretScope(default_hosts=(self._start_host or "",))

        def lookup(m: Any) -> str:
            scope.check(m.group(1), host, form)
            value = self.secrets(m.group(1), host)  # type: ignore[misc]
            check_typed_text(value, **kinds, secret=m.group(1))
            self.masker.add(value)
            return value

        return SECRET.sub(lookup, action.text), True

    def _ask(self, action: AskUser, started: float) -> ActionResult:
        if self.ask is None:
            raise InvalidInput(f"The task asks {action.question!r} but no one can answer in this "
                               "run; run it interactively or give the answer in the task.")
        answer = self.ask(action.question)
        return ActionResult(ok=True, detail="answered", data=answer,
                            ms=(time.perf_counter() - started) * 1000)

    def _wait_for(self, action: WaitFor, started: float) -> ActionResult:
        want = norm(action.text)
        deadline = time.monotonic() + action.timeout_s
        while True:
            snap = self.snapshot()
            present = any(want in norm(n.label()) or similarity(action.text, n.label()) >= 0.8
                          for n in snap.nodes) or want in norm(snap.title)
            if present != action.gone:
                state = "disappeared" if action.gone else "appeared"
                return ActionResult(ok=True, detail=f"{action.text!r} {state}",
                                    ms=(time.perf_counter() - started) * 1000)
            if time.monotonic() >= deadline:
                state = "still there" if action.gone else "did not appear"
                raise ActionFailed(f"{action.text!r} {state} within {action.timeout_s:g} s. Check "
                                   "the previous step worked, or wait longer (timeout_s).")
            time.sleep(0.1)

    def mask(self, value: Any) -> Any:
        """`value` (JSON-like) with every secret this run has typed masked, in any encoding."""
        return self.masker.value(value)

    def _scrub(self, record: StepRecord) -> StepRecord:
        if not self.masker:
            return record
        return StepRecord.model_validate(self.masker.value(record.model_dump(mode="json")))
