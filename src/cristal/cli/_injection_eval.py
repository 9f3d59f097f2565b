"""`cristal eval injection`: prompt-injection defence on AgentDojo or on hostile pages."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from cristal.cli._common import JsonOpt, TenantOpt, app_state
from cristal.cli._output import console, print_json
from cristal.cli._progress import progress_bars
from cristal.errors import ConfigError, InvalidInput

__all__ = ["injection"]

_SUITES = ("agentdojo", "pages")


def _clean(text: Any, limit: int = 160) -> str:
    """Outside text (reasons quote tool data) printed literally, without control characters."""
    flat = "".join(ch if ch.isprintable() else " " for ch in str(text))
    return escape(flat[:limit])


def _agentdojo(state: Any, route: str | None, defence: bool, suites: str | None,
               limit: int | None, tenant: str | None, progress: Any,
               poison: bool = False) -> dict[str, Any]:
    import cristal.injection as injection

    try:
        suites_known = injection.AGENTDOJO_SUITES
    except ImportError as exc:
        raise ConfigError(f"the AgentDojo suite needs the `agentdojo` package ({exc.name} is "
                          "missing): pip install 'cristal[eval]'.") from None
    attack_for, evaluate_agentdojo = injection.attack_for, injection.evaluate_agentdojo

    chosen = tuple(s.strip() for s in (suites or ",".join(suites_known)).split(",")
                   if s.strip())
    unknown = [s for s in chosen if s not in suites_known]
    if unknown:
        raise InvalidInput(f"--suites: no AgentDojo suite {unknown[0]!r}; suites: "
                           f"{', '.join(suites_known)}.")
    model_name = None
    if route is not None or state.gateway.available("default", tenant):
        model_name = state.gateway.resolve(route or "default", tenant).model or "default"
    name, named = attack_for(model_name or "")
    scenario = injection.AgentDojoScenario(attack=name, attack_model=named, poison=poison)
    with injection.eval_model(state.settings, state.store, state.gateway, route, [scenario],
                    tenant) as model:
        if poison and not model.is_double:
            raise InvalidInput("--poison changes what the obedient test double does; it "
                               "cannot apply to a real model (leave out --route and OPENAI_*).")
        report = evaluate_agentdojo(model.gateway, model.route, model.model, defence=defence,
                                    suites=chosen, limit=limit, tenant=tenant,
                                    progress=progress, attack_model=model_name)
    report["poison"] = poison
    return report


def _pages(state: Any, route: str | None, defence: bool, quick: bool, tenant: str | None,
           progress: Any) -> dict[str, Any]:
    from cristal.injection import PagesScenario, eval_model, evaluate_pages, hostile_site

    with hostile_site() as (listener, site), eval_model(
            state.settings, state.store, state.gateway, route,
            [PagesScenario(listener.origin)], tenant) as model:
        return evaluate_pages(state.store, model.gateway, model.route, model.model,
                              state.settings.operator, site, listener, defence=defence,
                              tenant=tenant, quick=quick, progress=progress)


def _show(report: dict[str, Any]) -> None:
    table = Table("measure", "value", title=f"Prompt injection: {report['suite']} "
                  f"(defence {report['defence']})")
    for key in ("pairs", "attack_success", "attacks_landed", "injection_seen", "utility",
                "utility_undefended", "utility_with_confirmation", "utility_under_attack",
                "secrets_leaked", "offsite_requests", "refusals", "extractor_tool_calls_refused",
                "attack", "elapsed_s"):
        if report.get(key) is not None:
            table.add_row(key, _clean(report[key]))
    console.print(table)
    console.print(f"[dim]model: {_clean(report['model'], 200)}[/]")
    other = report.get("other_mode")
    if other:
        console.print(f"defence {other['defence']}: attack_success {other['attack_success']}, "
                      f"utility {other['utility']}, secrets leaked {other['secrets_leaked']}")
    blocked = report.get("blocked_legit") or []
    if blocked:
        console.print(f"[bold]{len(blocked)} legitimate task(s) blocked or not completed:[/]")
        for item in blocked:
            where = item.get("user_task") or item.get("id")
            why = "; ".join(item.get("reasons") or [r for x in item.get("refusals", [])
                                                    for r in x.get("reasons", [])]) \
                or str(item.get("status", ""))
            console.print(f"  {_clean(item.get('suite', ''))} {_clean(where)} "
                          f"{_clean(item.get('tool') or '')}: {_clean(why, 240)}")


def injection(
    suite: Annotated[str, typer.Option(help="agentdojo (AgentDojo v1.2.2, 949 pairs) or "
                                       "pages (hostile pages in Chromium).")],
    defence: Annotated[str, typer.Option(help="on: Cristal's information-flow control; off: "
                                         "the plain loop, for comparison.")] = "on",
    route: Annotated[str | None, typer.Option(help="A model route (default: the `default` "
                                              "route when OPENAI_* is set, else the obedient "
                                              "test double).")] = None,
    quick: Annotated[bool, typer.Option("--quick", help="A sample: the first 3 user tasks "
                                        "of each AgentDojo suite, or 20 of the pages.")] = False,
    suites: Annotated[str | None, typer.Option(help="AgentDojo suites, comma-separated "
                                               "(workspace,travel,banking,slack).")] = None,
    limit: Annotated[int | None, typer.Option(min=1, help="AgentDojo: only the first N user "
                                              "tasks of each suite.")] = None,
    poison: Annotated[bool, typer.Option("--poison", help="AgentDojo: the double's extractor "
                                         "answers with the attacker's values instead of "
                                         "trying its tool call (data-only attacks).")] = False,
    tenant: TenantOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Measure prompt-injection defence: attack success and utility, defence on or off."""
    if suite not in _SUITES:
        raise InvalidInput(f"--suite {suite!r} is not one of {', '.join(_SUITES)}.")
    if poison and suite != "agentdojo":
        raise InvalidInput("--poison is for --suite agentdojo.")
    if defence not in ("on", "off"):
        raise InvalidInput(f"--defence {defence!r} is not on or off.")
    state = app_state()
    with progress_bars(not json_out) as progress:
        if suite == "agentdojo":
            report = _agentdojo(state, route, defence == "on", suites,
                                limit or (3 if quick else None), tenant, progress, poison)
        else:
            report = _pages(state, route, defence == "on", quick, tenant, progress)
    if json_out:
        print_json(report)
        return
    _show(report)
