"""Use cases that write data out of the store into files: each file is audited.

Every file written (`cristal data export`, `cristal operator runs export --out`,
`cristal audit export --out`) gets a `data.export` audit entry with its absolute path,
format, tenant and row count, never the data; `cristal erase` reads these entries to
find the export files that hold what it erases (`governance.erase_exports`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cristal.app._access import tenant_for
from cristal.app._app import App
from cristal.governance import Principal, Tenant, record_export

__all__ = ["export_dataset", "record_file"]


def record_file(app: App, principal: Principal, path: str | Path, *, fmt: str, rows: int,
                source: str, tenant: Tenant | str | None) -> Path:
    """Audit one file written out of the store (`data.export`); returns its absolute path."""
    return record_export(app.store, tenant=tenant, actor=principal.actor, path=path, fmt=fmt,
                         rows=rows, source=source)


def export_dataset(app: App, principal: Principal, *, tenant: str | None = None,
                   **options: Any) -> Any:
    """`cristal data export`: write the dataset (see `envs.export_dataset`), audit each file."""
    from cristal.envs import export_dataset as write

    where = tenant_for(app, principal, tenant)
    report = write(app, where, **options)
    source = f"{report.source} as {report.fmt}"
    for path, rows in report.files.items():
        record_file(app, principal, path, fmt="jsonl", rows=rows, source=source, tenant=where)
        parquet = Path(path).with_suffix(".parquet")
        if options.get("parquet") and parquet.is_file():
            record_file(app, principal, parquet, fmt="parquet", rows=rows, source=source,
                        tenant=where)
    return report
