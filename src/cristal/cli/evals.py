"""`cristal eval research|operator|injection`: measure features on evaluation sets."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from cristal.cli import _envs_eval
from cristal.cli._common import JsonOpt, TenantOpt, app_state
from cristal.cli._injection_eval import injection
from cristal.cli._operator_eval import operator as operator_eval
from cristal.cli._output import console, print_json
from cristal.cli._progress import progress_bars
from cristal.errors import InvalidInput
from cristal.research import ResearchOptions, evaluate

# Pieces of offline research that can be switched off to measure each one's effect.
_PIECES = ("lexicon", "names", "focus", "meaning", "feedback")

app = typer.Typer(help="Evaluate features on benchmark sets.", no_args_is_help=True)
app.command("operator")(operator_eval)
app.command("run")(_envs_eval.run)
app.add_typer(_envs_eval.runs_app, name="runs")
app.command("injection")(injection)


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


@app.command("pii")
def pii(
    set_dir: Annotated[Path, typer.Option("--set", help="Folder with items.jsonl.")],
    ner: Annotated[bool | None, typer.Option(
        "--ner/--no-ner", help="Use the NER models too (default: rules only).")] = False,
    errors: Annotated[bool, typer.Option(help="List missed and spurious spans.")] = False,
    json_out: JsonOpt = False,
) -> None:
    """Score PII detection on a labelled set: per-type precision, recall, F1 (exact, overlap)."""
    from cristal.cli.pii import plain
    from cristal.governance.pii import evaluate_pii

    with progress_bars(not json_out) as progress:
        result = evaluate_pii(set_dir, ner=ner,
                              progress=lambda done, total: progress("items", done, total, ""))
    report = result.report
    if json_out:
        print_json({**report, "errors": result.errors} if errors else report)
        return
    table = Table("type", "support", "precision", "recall", "F1", "F1 (overlap)",
                  title=f"PII detection on {set_dir} ({report['items']} items)")
    for t, row in report["types"].items():
        table.add_row(t, str(row["support"]), _pct(row["precision"]), _pct(row["recall"]),
                      _pct(row["f1"]), _pct(report["overlap"]["types"][t]["f1"]))
    m = report["micro"]
    table.add_row("micro", "", _pct(m["precision"]), _pct(m["recall"]), _pct(m["f1"]),
                  _pct(report["overlap"]["micro"]["f1"]))
    console.print(table)
    if errors:
        for e in result.errors:
            console.print(plain(f"{e['id']} {e['kind']} {e['type']}: {e['text']!r}"))


@app.command("research")
def research(
    set_dir: Annotated[Path, typer.Option("--set", help="Folder with docs/ and "
                                           "questions.jsonl.")],
    tenant: TenantOpt = None,
    limit: Annotated[int | None, typer.Option(min=1, help="Only the first N questions.")] = None,
    model: Annotated[bool, typer.Option("--model/--offline", help="Use the research route's "
                                        "model (default: offline, extractive).")] = False,
    without: Annotated[list[str] | None, typer.Option(
        "--without", help=f"Switch a piece off to measure its effect (ablation): "
        f"{', '.join(_PIECES)}. Repeatable.")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Research every question of the set; print per-question results and totals."""
    off = sorted(set(without or []))
    unknown = [p for p in off if p not in _PIECES]
    if unknown:
        raise InvalidInput(f"unknown piece {', '.join(unknown)!r} for --without; "
                           f"choose among: {', '.join(_PIECES)}")
    options = ResearchOptions(**{p: False for p in off})
    state = app_state()
    with progress_bars(not json_out) as progress:
        result = evaluate(state.store, state.gateway, set_dir, tenant=tenant,
                          use_model=model, limit=limit, progress=progress, options=options)
    if json_out:
        print_json({"set": str(set_dir), "without": off, "totals": result.totals,
                    "questions": result.rows})
        return
    table = Table("id", "lang", "r@5", "r@10", "facts", "citations ok", "not found", "ms",
                  "missing", title=f"Deep Research on {set_dir}")
    for r in result.rows:
        def flag(v):
            return "-" if v is None else ("✓" if v else "✗")
        nf = ("✓" if r["not_found"] else "✗") if not r["answerable"] else (
            "✗ (false)" if r["not_found"] else "")
        table.add_row(r["id"], r["lang"], flag(r["recall_at_5"]), flag(r["recall_at_10"]),
                      f"{r['facts_found']}/{r['facts']}",
                      f"{r['citations_valid']}/{r['citations']}", nf, f"{r['latency_ms']:.0f}",
                      ", ".join(r["missing_facts"])[:40])
    console.print(table)
    t = result.totals
    summary = Table("measure", "value", title="Totals")
    for key, value in t.items():
        summary.add_row(key, _pct(value) if isinstance(value, float) else str(value))
    console.print(summary)
