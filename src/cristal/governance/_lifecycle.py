"""Data lifecycle: erasure everywhere data lives, and retention, through a registry.

Each area registers what it stores (`register_eraser`, `register_expirer`); nothing
here knows other areas' tables, so a table added later is covered by registering
one function. Erasure runs in two stages: owners first (stage 0: the knowledge
index removes the documents and says which paths and texts mark data derived from
them), then dependents (stage 1: research reports citing those paths, workflow
runs, operator trajectories, the call log), then files written out of the store
(`erase_exports`, last: the export files listed in the audit log as `data.export`
that hold what the stages before marked). Afterwards every table and column of
every database touched is scanned from the catalogue for what was erased
(`residual`, with any export file that could not be read or deleted), storage is
compacted (VACUUM), and an erasure record is written that names the value only
by its SHA-256, with an entry in the audit chain.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from cristal.errors import InvalidInput
from cristal.governance._audit import append_audit, audit_entries
from cristal.governance._data_policy import RETENTION_CATEGORIES, get_data_policy, retention_days
from cristal.governance._data_tables import erasures
from cristal.governance._tenants import Tenant, get_tenant, list_tenants
from cristal.store import Store, compact, needle_forms, new_id, scan_text, utcnow

__all__ = [
    "EXPORT_ACTION",
    "SELECTORS",
    "ErasureScope",
    "RetentionScope",
    "erase_data",
    "erase_exports",
    "record_export",
    "register_eraser",
    "register_expirer",
    "remove_stored_path",
    "run_retention",
]

SELECTORS = ("document", "collection", "user", "text")
EXPORT_ACTION = "data.export"  # an audit entry per file written out of the store
_CHUNK = 1 << 20
_MIN_DERIVED = 16  # a shorter question or instruction would match unrelated files


@dataclass
class ErasureScope:
    """One erasure: what to erase, what marks derived data, and what was removed."""

    app: Any
    store: Store
    tenant: Tenant
    selector: str
    value: str
    exact: set[str] = field(default_factory=set)  # a JSON string equal to one of these
    contains: set[str] = field(default_factory=set)  # a string containing one of these
    scan: set[str] = field(default_factory=set)  # texts that must be found nowhere after
    # texts of records deleted for who made them (--user: questions, instructions): export
    # files holding one are deleted too; the tables are not searched for them
    derived: set[str] = field(default_factory=set)
    digests: set[str] = field(default_factory=set)  # SHA-256 of erased files: copies go too
    engines: list[sa.Engine] = field(default_factory=list)  # other databases touched
    counts: Counter = field(default_factory=Counter)
    files: list[str] = field(default_factory=list)
    residual: list[str] = field(default_factory=list)  # places found but not cleaned

    def matches(self, value: Any) -> bool:
        """True when a stored value (text, JSON) holds or cites erased data."""
        if isinstance(value, str):
            if value in self.exact or any(c in value for c in self.contains):
                return True
            if value[:1] in "[{":  # JSON stored as text
                try:
                    return self.matches(json.loads(value))
                except ValueError:
                    return False
            return False
        if isinstance(value, dict):
            return any(self.matches(v) for v in value.values())
        if isinstance(value, list | tuple):
            return any(self.matches(v) for v in value)
        return False


@dataclass
class RetentionScope:
    """One retention pass for one tenant and category: rows older than `cutoff` go."""

    app: Any
    store: Store
    tenant: Tenant
    category: str
    cutoff: datetime
    counts: Counter = field(default_factory=Counter)
    files: list[str] = field(default_factory=list)


def remove_stored_path(scope: ErasureScope | RetentionScope, path: str | None,
                       place: str) -> None:
    """Delete a file or folder that holds stored data (reports, screenshots); count it."""
    if not path:
        return
    target = Path(path)
    if target.is_dir():
        shutil.rmtree(target, ignore_errors=True)
    elif target.exists():
        target.unlink(missing_ok=True)
    else:
        return
    scope.files.append(str(target))
    scope.counts[f"{place} files"] += 1


_erasers: list[tuple[int, str, Callable[[ErasureScope], None]]] = []
_expirers: list[tuple[str, str, Callable[[RetentionScope], None]]] = []


def register_eraser(name: str, fn: Callable[[ErasureScope], None], *, stage: int = 1) -> None:
    """Register what an area erases: stage 0 owns data, stage 1 holds data derived from it."""
    if any(n == name for _, n, _ in _erasers):
        raise ValueError(f"an eraser named {name!r} is already registered")
    _erasers.append((stage, name, fn))


def register_expirer(name: str, category: str, fn: Callable[[RetentionScope], None]) -> None:
    """Register how an area deletes data of a retention category older than a cutoff."""
    if category not in RETENTION_CATEGORIES:
        raise ValueError(f"unknown retention category {category!r}")
    if any(n == name for n, _, _ in _expirers):
        raise ValueError(f"an expirer named {name!r} is already registered")
    _expirers.append((name, category, fn))


def erase_data(app: Any, selector: str, value: str, *, tenant: str | None = None,
               requested_by: str | None = None) -> dict[str, Any]:
    """Erase what `selector`=`value` names everywhere; verify, compact, record. See module."""
    if selector not in SELECTORS:
        raise InvalidInput(f"erase what? use one of --{', --'.join(SELECTORS)}.")
    if not value or not value.strip():
        raise InvalidInput(f"--{selector} needs a value.")
    if selector == "text" and len(value) < 4:
        raise InvalidInput("--text needs at least 4 characters, or it would match too much.")
    store = app.store
    scope = ErasureScope(app, store, get_tenant(store, tenant or app.settings.tenant),
                         selector, value)
    if selector == "text":
        scope.contains.add(value)
        scope.scan.add(value)
    for _stage, _name, fn in sorted(_erasers, key=lambda e: e[0]):
        fn(scope)
    residual = list(scope.residual)
    for engine in [store.engine, *scope.engines]:
        residual.extend(scan_text(engine, sorted(scope.scan)) if scope.scan else [])
        compact(engine)
    record = {
        "id": new_id("era"), "tenant_id": scope.tenant.id, "created_at": utcnow(),
        "selector": selector, "value_sha256": hashlib.sha256(value.encode()).hexdigest(),
        "requested_by": requested_by, "counts": dict(scope.counts), "residual": residual,
    }
    with store.write() as conn:  # the record and its audit entry land together
        conn.execute(erasures.insert().values(**record))
        append_audit(conn, tenant=scope.tenant, actor=requested_by or "local",
                     action="data.erase", target=record["id"],
                     details={"selector": selector, "value_sha256": record["value_sha256"],
                              "counts": record["counts"], "residual": len(residual)})
    return {**record, "created_at": record["created_at"].isoformat(),
            "tenant": scope.tenant.name, "files": scope.files}


def record_export(store: Store | sa.Connection, *, tenant: Tenant | str | None, actor: str,
                  path: str | Path, fmt: str, rows: int, source: str) -> Path:
    """Audit a file written out of the store (`data.export`): where, what shape, how many
    rows, of which tenant (never the data). Erasure finds export files through these."""
    where = Path(path).expanduser().resolve()
    append_audit(store, tenant=tenant, actor=actor, action=EXPORT_ACTION, target=str(where),
                 details={"path": str(where), "format": fmt, "rows": rows, "source": source})
    return where


def erase_exports(scope: ErasureScope) -> None:
    """Delete export files (audited as `data.export`) that hold what this erasure removed.

    Runs last, after every other eraser has named what marks erased data: a file still on
    disk is searched for the same texts the tables were (`contains`, `scan`, and `exact`
    as a JSON string) and for the texts of records deleted for who made them (`derived`),
    plain and JSON-escaped; a file whose SHA-256 is that of an erased document (a copy)
    goes too. A folder listed as an export has each of its files searched.
    A file that cannot be read or deleted is reported as residual. The tenant's own
    exports and platform-wide ones (an owner's audit export of every tenant) are searched.
    """
    needles = _file_needles(scope)
    if not needles and not scope.digests:
        return
    seen: set[str] = set()
    for entry in audit_entries(scope.store, action=EXPORT_ACTION):
        if entry.tenant not in (scope.tenant.name, None) or not isinstance(entry.details, dict):
            continue
        path = entry.details.get("path") or entry.target
        if not path or path in seen:
            continue
        seen.add(path)
        target = Path(path)
        if target.is_dir():  # a folder written as one export (`envs synth` document copies)
            for found in sorted(p for p in target.rglob("*") if p.is_file()
                                and not p.is_symlink()):
                _erase_file(scope, found, needles)
        elif target.is_file():  # else deleted since: nothing to do
            _erase_file(scope, target, needles)


def _erase_file(scope: ErasureScope, target: Path, needles: list[bytes]) -> None:
    try:
        found = _file_holds(target, needles, scope.digests)
    except OSError as exc:
        scope.residual.append(f"file {target} (could not read: {type(exc).__name__})")
        return
    if not found:
        return
    try:
        target.unlink()
    except OSError as exc:
        scope.residual.append(f"file {target} (could not delete: {type(exc).__name__})")
        return
    scope.files.append(str(target))
    scope.counts["export files"] += 1


def _file_needles(scope: ErasureScope) -> list[bytes]:
    texts = {t for t in scope.contains | scope.scan if t}
    texts |= {t for t in scope.derived if len(t.strip()) >= _MIN_DERIVED}
    forms = {f for t in texts for f in needle_forms(t)}
    forms |= {json.dumps(t, ensure_ascii=False)[1:-1] for t in texts}
    forms |= {json.dumps(t, ensure_ascii=False) for t in scope.exact if t}
    forms |= {json.dumps(t) for t in scope.exact if t}
    return sorted({f.encode() for f in forms}, key=len, reverse=True)


def _file_holds(path: Path, needles: list[bytes], digests: set[str]) -> bool:
    """True when the file's bytes (a Parquet file's rows, decoded) contain a needle, or
    the file is a copy of an erased file (its SHA-256 is in `digests`)."""
    if path.suffix == ".parquet":
        try:
            import pyarrow.parquet as pq
        except ImportError:
            raise OSError("pyarrow is needed to read Parquet") from None
        try:
            rows = pq.read_table(path).to_pylist()
        except Exception as exc:  # a damaged file cannot be vouched for
            raise OSError(str(exc)) from exc
        text = json.dumps(rows, ensure_ascii=False, default=str).encode()
        return any(n in text for n in needles) or (
            hashlib.sha256(path.read_bytes()).hexdigest() in digests)
    overlap = max((len(n) for n in needles), default=1) - 1
    tail = b""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            window = tail + chunk
            if any(n in window for n in needles):
                return True
            digest.update(chunk)
            tail = window[-overlap:] if overlap else b""
    return digest.hexdigest() in digests


def run_retention(app: Any, *, now: datetime | None = None,
                  tenant: str | None = None) -> dict[str, Any]:
    """Delete what each tenant's retention periods have expired; counts per tenant."""
    store = app.store
    now = now or utcnow()
    chosen = [get_tenant(store, tenant)] if tenant else list_tenants(store)
    report: dict[str, Any] = {"at": now.isoformat(), "tenants": {}}
    for t in chosen:
        policy = get_data_policy(store, t.id)
        done: Counter = Counter()
        files: list[str] = []
        for _name, category, fn in _expirers:
            days = retention_days(app.settings.retention, policy, category)
            if days is None:
                continue
            scope = RetentionScope(app, store, t, category, now - timedelta(days=days))
            fn(scope)
            done.update(scope.counts)
            files.extend(scope.files)
        report["tenants"][t.name] = {"removed": dict(done), "files": files}
    return report
