"""Secrets for `{{secret:NAME}}`: read from CRISTAL_SECRET_<NAME>, bound to hosts and tasks.

A secret is typed only where it belongs:

- into pages of the hosts it is bound to: `[operator.secrets.NAME] hosts = [...]` in
  cristal.toml, else the run's start host (never another host of the allow-list);
- into a field whose form (if any) sends its data to one of those hosts;
- only when the run's own task names it (the plan, the skill, or the `--task` text
  holds `{{secret:NAME}}`), so a page cannot talk the model into typing another one.

Typed text (secrets included) may not carry control characters that act instead of
typing: a line break in a one-line field presses Enter and submits its form.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from cristal.errors import InvalidInput, PermissionDenied

__all__ = ["SECRET", "SECRET_PREFIX", "SecretRefused", "SecretScope", "check_typed_text",
           "secret_from_env", "secret_key", "secret_names"]

SECRET_PREFIX = "CRISTAL_SECRET_"
SECRET = re.compile(r"\{\{\s*secret:([A-Za-z0-9_.\-]+)\s*\}\}")
_BREAKS = {"\n": "a line break (\\n)", "\r": "a carriage return (\\r)", "\t": "a tab (\\t)"}


class SecretRefused(PermissionDenied):
    """A secret would be typed where it is not bound (another host, or a task that does not
    name it)."""


def secret_key(name: str) -> str:
    """The canonical name of a secret: `api-token` and `API_TOKEN` are the same one."""
    return re.sub(r"[^A-Za-z0-9]", "_", name).upper()


def secret_names(text: str) -> set[str]:
    """Canonical names of the secrets a plan, skill or task text refers to."""
    return {secret_key(m) for m in SECRET.findall(text or "")}


def secret_from_env(name: str, host: str) -> str:
    """`{{secret:NAME}}` is read from the environment variable CRISTAL_SECRET_NAME."""
    key = SECRET_PREFIX + secret_key(name)
    value = os.environ.get(key)
    if not value:
        raise InvalidInput(f"The task types {{{{secret:{name}}}}} but {key} is not set; export "
                           f"{key}=... and run again (the value is typed into {host or 'the page'}"
                           ", never stored or printed).", secret=name)
    return value


def _host_of(pattern: str) -> str:
    """A host pattern without scheme or port: 'https://a.example:8443' -> 'a.example'."""
    host = pattern.strip().lower().split("://")[-1].split("/")[0]
    if host.startswith("["):
        return host.split("]")[0] + "]"
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _matches(host: str, patterns: Iterable[str]) -> bool:
    host = host.lower()
    for raw in patterns:
        p = _host_of(raw)
        if host == p or (p.startswith("*.") and (host == p[2:] or host.endswith(p[1:]))):
            return True
    return False


@dataclass(frozen=True)
class SecretScope:
    """Where a run may type which secrets: `names` its task refers to (None: any), the hosts
    each is bound to, and the default hosts (the run's start host)."""

    default_hosts: tuple[str, ...] = ()
    hosts: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    names: frozenset[str] | None = None

    def hosts_for(self, name: str) -> tuple[str, ...]:
        """The hosts `name` is bound to."""
        bound = {secret_key(k): v for k, v in self.hosts.items()}
        return tuple(bound.get(secret_key(name)) or self.default_hosts)

    def check(self, name: str, host: str, form_host: str | None = None) -> None:
        """Raise SecretRefused unless `name` may be typed on `host` (into a form sending to
        `form_host`)."""
        key = secret_key(name)
        if self.names is not None and key not in self.names:
            raise SecretRefused(
                f"{{{{secret:{name}}}}} is not named by this run's task, so it is not typed (a "
                "page may have asked for it). Write {{secret:" + name + "}} in the plan, skill "
                "or --task text if the task really needs it.", secret=name)
        bound = self.hosts_for(name)
        shown = ", ".join(h or "file://" for h in bound) or "no host"
        how = (f"add the host to [operator.secrets.{key}] hosts = [...] in cristal.toml "
               "(or CRISTAL_OPERATOR__SECRETS__" + key + "__HOSTS) if it should get it")
        if not _matches(host, bound):
            raise SecretRefused(
                f"{{{{secret:{name}}}}} is bound to {shown}, and this page is on "
                f"{host or 'a file:// page'}: not typed. If that is intended, {how}.",
                secret=name, host=host)
        if form_host is not None and not _matches(form_host, bound):
            raise SecretRefused(
                f"{{{{secret:{name}}}}} is bound to {shown}, but the field's form sends its data "
                f"to {form_host or 'a file:// page'}: not typed. If that is intended, {how}.",
                secret=name, host=form_host)


def check_typed_text(text: str, *, one_line: bool, multi_line: bool, field: str,
                     secret: str | None = None) -> None:
    """Refuse control characters that would act rather than type (InvalidInput says which)."""
    what = f"{{{{secret:{secret}}}}}" if secret else f"The text for {field!r}"
    for ch in text:
        if ch in _BREAKS:
            if multi_line:
                continue  # typed as text into a multi-line field (no Enter key event is sent)
            where = "a one-line field" if one_line else "an element that is not a text area"
            raise InvalidInput(
                f"{what} contains {_BREAKS[ch]}. Typed into {where} it presses "
                f"{'Enter, which can submit the form' if ch != chr(9) else 'Tab'} instead of "
                "typing. Type the text without it, and add `press \"Enter\"` as its own step "
                "if the form should be sent.", field=field)
        if unicodedata.category(ch) == "Cc":
            raise InvalidInput(
                f"{what} contains the control character U+{ord(ch):04X}, which a keyboard "
                "cannot type. Remove it from the text.", field=field)
