"""`cristal chat "prompt"`: try a route by hand."""

from __future__ import annotations

from typing import Annotated

import typer

from cristal.app import models
from cristal.cli._common import JsonOpt, TenantOpt, app_state, local_principal
from cristal.cli._output import console, print_json


def chat(
    prompt: Annotated[str, typer.Argument(help="What to ask.")],
    route: Annotated[str, typer.Option("--route", "-r", help="Route name.")] = "default",
    tenant: TenantOpt = None,
    system: Annotated[str | None, typer.Option(help="A system message.")] = None,
    max_tokens: Annotated[int | None, typer.Option(min=1, help="Output token limit.")] = None,
    stream: Annotated[bool, typer.Option(help="Print the reply as it arrives.")] = True,
    json_out: JsonOpt = False,
) -> None:
    """Send one prompt through the gateway (budget-checked and logged) and print the reply."""
    state, me = app_state(), local_principal(tenant)
    messages = ([{"role": "system", "content": system}] if system else []) + [
        {"role": "user", "content": prompt}
    ]
    if json_out or not stream:
        result = models.chat(state, me, messages, route=route, max_tokens=max_tokens,
                             via="cli:chat")
        if json_out:
            print_json({"text": result.text, "model": result.model, "provider": result.provider,
                        "route": result.route, "call_id": result.call_id,
                        "input_tokens": result.input_tokens,
                        "output_tokens": result.output_tokens, "cost_usd": result.cost_usd,
                        "latency_ms": round(result.latency_ms, 1)})
            return
        console.print(result.text)
    else:
        result = None
        for event in models.stream(state, me, messages, route=route, max_tokens=max_tokens,
                                   via="cli:chat"):
            if event.result is not None:
                result = event.result
            else:
                console.print(event.delta, end="", markup=False)
        console.print()
    if result is not None and not result.text:
        console.print("[dim](the model returned an empty reply)[/]")
    if result is not None:
        console.print(f"[dim]{result.provider}/{result.model} · {result.input_tokens}+"
                      f"{result.output_tokens} tokens · ${result.cost_usd:.6f} · "
                      f"{result.latency_ms:.0f} ms · {result.call_id}[/]")
