"""Governance: tenants (one per group company) and hard budgets.

This area sits just above `store`: the model gateway uses it to check and
charge budgets, and it imports nothing from `models` or any feature.
"""

from cristal.governance._budgets import (
    Reservation,
    Usage,
    current_usage,
    period_start,
    reserve,
    settle,
)
from cristal.governance._tenants import (
    MAX_BUDGET_TOKENS,
    MAX_BUDGET_USD,
    PERIODS,
    Tenant,
    create_tenant,
    get_tenant,
    list_tenants,
    update_tenant,
)

__all__ = [
    "MAX_BUDGET_TOKENS",
    "MAX_BUDGET_USD",
    "PERIODS",
    "Reservation",
    "Tenant",
    "Usage",
    "create_tenant",
    "current_usage",
    "get_tenant",
    "list_tenants",
    "period_start",
    "reserve",
    "settle",
    "update_tenant",
]
