"""Models: the gateway every feature calls, its providers, routes, prices and call log."""

from cristal.models._calllog import (
    CallRecord,
    count_calls,
    get_call,
    list_calls,
    release_stale,
    usage_by_day,
    usage_since,
)
from cristal.models._gateway import Gateway
from cristal.models._pricing import DEFAULT_PRICES, price_for
from cristal.models._proxy import completion_body
from cristal.models._routing import (
    FEATURE_ROUTES,
    ResolvedRoute,
    all_providers,
    all_routes,
    resolve_route,
)
from cristal.models._tokens import estimate_messages, estimate_tokens
from cristal.models._types import ChatRequest, ChatResult, EmbedResult, StreamEvent, ToolCall
from cristal.models.providers._base import ChatProvider, Embedder
from cristal.models.providers.function import FunctionProvider

__all__ = [
    "DEFAULT_PRICES",
    "FEATURE_ROUTES",
    "CallRecord",
    "ChatProvider",
    "ChatRequest",
    "ChatResult",
    "EmbedResult",
    "Embedder",
    "FunctionProvider",
    "Gateway",
    "ResolvedRoute",
    "StreamEvent",
    "ToolCall",
    "all_providers",
    "all_routes",
    "completion_body",
    "count_calls",
    "estimate_messages",
    "estimate_tokens",
    "get_call",
    "list_calls",
    "price_for",
    "release_stale",
    "resolve_route",
    "usage_by_day",
    "usage_since",
]
