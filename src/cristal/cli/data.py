"""`cristal data export`: training data in TRL / OpenAI fine-tuning shapes."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cristal.cli._common import JsonOpt, TenantOpt, app_state, local_principal
from cristal.cli._output import console, print_json, safe

app = typer.Typer(help="Datasets from episodes, workflow runs, research and operator runs.",
                  no_args_is_help=True)


@app.command("export")
def export(
    source: Annotated[str, typer.Option("--from", help="episodes (of eval runs and "
                                        "rollouts), runs (model steps of workflow runs), "
                                        "research or operator.")],
    fmt: Annotated[str, typer.Option("--format", help="sft, dpo, kto or rewards.")],
    out: Annotated[Path, typer.Option(help="The JSONL file to write.")],
    split: Annotated[float | None, typer.Option(help="Train share, split by task (writes "
                                                "FILE.train.jsonl and FILE.test.jsonl).")]
    = None,
    parquet: Annotated[bool, typer.Option("--parquet", help="Also write Parquet.")] = False,
    redact: Annotated[bool, typer.Option("--redact", help="Redact personal data (JA/EN).")]
    = False,
    run: Annotated[str | None, typer.Option("--run", help="With --from episodes: only this "
                                            "eval run.")] = None,
    licence: Annotated[str, typer.Option("--licence", help="Licence field of the dataset "
                                         "card.")] = "other",
    tenant: TenantOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Write SFT / DPO / KTO / per-step reward rows (secrets removed, deduplicated).

    Each file written is recorded in the audit log (`data.export`: path, format, rows),
    so `cristal erase` can find and delete the files that hold what it erases.
    """
    from cristal.app import data as uc

    report = uc.export_dataset(app_state(), local_principal(tenant), tenant=tenant,
                               source=source, fmt=fmt, out=out, split=split, parquet=parquet,
                               redact=redact, eval_run=run, licence=licence)
    data = report.to_dict()
    if json_out:
        print_json(data)
        return
    for path, rows in data["files"].items():
        console.print(f"{safe(path)}: {rows} rows")
    console.print(f"{data['samples']} samples read, {data['duplicates']} duplicates dropped, "
                  f"skipped {data['skipped'] or 'none'}; secrets removed: "
                  f"{data['secrets_removed'] or 'none'}; card: {safe(data['card'])}")
