"""The operator runtime: observe, resolve, guard, act and record, one step at a time."""

from __future__ import annotations

import json
import re
import time
import uuid
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from cristal.errors import CristalError, InvalidInput, Refused
from cristal.operator._actions import ActionResult, AskUser, Done, Extract, Press, Scroll, WaitFor
from cristal.operator._browser import Session
from cristal.operator._executor import ActionFailed, apply
from cristal.operator._guards import ConfirmationRequest, Confirmer, GuardPolicy, review
from cristal.operator._records import Recorder, StepRecord
from cristal.operator._snapshot import Snapshot, take_snapshot
from cristal.operator._targeting import Resolution, TargetNotFound, parse_target, resolve
from cristal.operator._text import norm, similarity

__all__ = ["ActionRejected", "ConfirmationRequired", "Runtime", "SecretResolver", "TakenOver"]

SECRET = re.compile(r"\{\{\s*secret:([A-Za-z0-9_.\-]+)\s*\}\}")
# (secret name, host of the page it will be typed into) -> value; raise to refuse.
SecretResolver = Callable[[str, str], str]
_STABLE_S = 0.6  # a page unchanged this long is not about to show the missing element
_KIND = {"type": "type", "select": "select", "check": "check", "uncheck": "check",
         "upload": "upload"}


class ConfirmationRequired(Refused):
    """The action needs a person's confirmation and no one was asked."""


class ActionRejected(Refused):
    """The person asked to confirm the action said no."""


class TakenOver(CristalError):
    """Raised by a confirmation callback: the person did this step by hand (a takeover).

    The step is recorded as done by the user, and the run resumes from the page as
    the person left it (the next step observes it afresh).
    """


class Runtime:
    """One task's browser page with its guards, secrets, confirmations and recorder."""

    def __init__(self, session: Session, *, guards: GuardPolicy | None = None,
                 confirm: Confirmer | None = None, secrets: SecretResolver | None = None,
                 ask: Callable[[str], str] | None = None, recorder: Recorder | None = None,
                 exclude: tuple[str, ...] = (), max_tokens: int = 4000, timeout_s: float = 3.0,
                 wait_s: float = 2.0, run_id: str | None = None) -> None:
        self.session = session
        self.guards = guards or GuardPolicy()
        self.confirm = confirm
        self.secrets = secrets
        self.ask = ask
        self.recorder = recorder
        self.exclude = exclude
        self.max_tokens = max_tokens
        self.timeout_ms = int(timeout_s * 1000)
        self.wait_s = wait_s
        self.run_id = run_id or uuid.uuid4().hex[:12]
        self.steps = 0
        self.finished: Done | None = None
        self._secret_values: list[str] = []
        self._seen: deque[str] = deque(maxlen=20)

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
                                     include_hidden=include_hidden,
                                     secrets=tuple(self._secret_values))
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
                confirmation = self._confirm(action, resolution)
                fill, secret = self._fill(action)
                t_act = time.perf_counter()
                applied = apply(self.session, action, resolution, timeout_ms=self.timeout_ms,
                                fill_text=fill, secret=secret)
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

    def _confirm(self, action: Any, resolution: Resolution | None) -> dict[str, Any] | None:
        verdict = review(action, resolution, self.page, self.guards,
                         page_text="\n".join(self._seen), timeout_ms=self.timeout_ms)
        if not verdict.needs_confirmation:
            return None
        target = f'{resolution.role} "{resolution.name[:60]}"' if resolution else ""
        request = ConfirmationRequest(action=action.model_dump(exclude_none=True), target=target,
                                      reasons=verdict.reasons, url=self.page.url, step=self.steps)
        approved = bool(self.confirm(request)) if self.confirm is not None else False
        info = {"reasons": list(verdict.reasons), "kinds": list(verdict.kinds),
                "approved": approved, "asked": self.confirm is not None}
        if self.confirm is None:
            raise ConfirmationRequired(
                f"{request.prompt()} This needs a person's confirmation; run the task with a "
                "confirmation prompt (or approve it in the console).", confirmation=info)
        if not approved:
            raise ActionRejected(f"Not done: the person declined ({'; '.join(verdict.reasons)}).",
                                 confirmation=info)
        return info

    def _fill(self, action: Any) -> tuple[str | None, bool]:
        text = getattr(action, "text", None)
        if action.action != "type" or not text or not SECRET.search(text):
            return None, False
        if self.secrets is None:
            raise InvalidInput(f"The action uses {SECRET.search(text).group(0)} but this run has "
                               "no secret resolver; start it with one (or remove the reference).")
        host = urlsplit(self.page.url).hostname or ""

        def lookup(m: re.Match[str]) -> str:
            value = self.secrets(m.group(1), host)  # type: ignore[misc]
            if value and value not in self._secret_values:
                self._secret_values.append(value)
            return value

        return SECRET.sub(lookup, text), True

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
        """`value` (JSON-like) with every secret this run has typed replaced by `<secret>`."""
        if not self._secret_values:
            return value
        return json.loads(self._mask_json(json.dumps(value, ensure_ascii=False, default=str)))

    def _mask_json(self, raw: str) -> str:
        for secret in self._secret_values:
            # As JSON writes it, so quotes and backslashes in a secret are matched too.
            raw = raw.replace(json.dumps(secret, ensure_ascii=False)[1:-1], "<secret>")
        return raw

    def _scrub(self, record: StepRecord) -> StepRecord:
        if not self._secret_values:
            return record
        return StepRecord.model_validate_json(self._mask_json(record.model_dump_json()))
