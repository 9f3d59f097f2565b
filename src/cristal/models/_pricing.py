"""Prices per million tokens: built-in defaults for common models, overridable in config."""

from __future__ import annotations

from cristal.config import PriceConfig, Settings

__all__ = ["DEFAULT_PRICES", "cost_micros", "price_for"]

# US dollars per million tokens (input, output), public list prices late 2025/2026.
DEFAULT_PRICES: dict[str, tuple[float, float]] = {
    "gpt-4o": (2.50, 10.00),
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4.1": (2.00, 8.00),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1-nano": (0.10, 0.40),
    "gpt-5": (1.25, 10.00),
    "gpt-5-mini": (0.25, 2.00),
    "gpt-5-nano": (0.05, 0.40),
    "o3": (2.00, 8.00),
    "o4-mini": (1.10, 4.40),
    "text-embedding-3-small": (0.02, 0.0),
    "text-embedding-3-large": (0.13, 0.0),
    "deepseek-chat": (0.27, 1.10),
    "deepseek-reasoner": (0.55, 2.19),
    "claude-sonnet-4-5": (3.00, 15.00),
    "claude-haiku-4-5": (1.00, 5.00),
    "gemini-2.5-flash": (0.30, 2.50),
    "gemini-2.5-pro": (1.25, 10.00),
}


def price_for(settings: Settings, model: str, local: bool) -> PriceConfig | None:
    """The price of `model`; local providers are free; None when unknown."""
    if model in settings.prices:
        return settings.prices[model]
    if local:
        return PriceConfig(input_per_mtok=0.0, output_per_mtok=0.0)
    base = model.rsplit("/", 1)[-1]  # "openai/gpt-4o-mini" style names from routers
    for name in (model, base):
        if name in DEFAULT_PRICES:
            inp, out = DEFAULT_PRICES[name]
            return PriceConfig(input_per_mtok=inp, output_per_mtok=out)
    return None


def cost_micros(price: PriceConfig | None, input_tokens: int, output_tokens: int) -> int:
    """Cost in micro-dollars, rounded up so budgets never under-count."""
    if price is None:
        return 0
    # $/Mtok * tokens = micro-dollars exactly.
    raw = price.input_per_mtok * input_tokens + price.output_per_mtok * output_tokens
    return int(-(-raw // 1))
