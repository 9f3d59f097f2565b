"""Governance: tenants (one per group company), hard budgets, data protection.

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
from cristal.governance._data_policy import (
    PII_MODES,
    RETENTION_CATEGORIES,
    DataPolicy,
    get_data_policy,
    pii_mode,
    retention_days,
    set_pii_policy,
    set_retention,
)
from cristal.governance._lifecycle import (
    SELECTORS,
    ErasureScope,
    RetentionScope,
    erase_data,
    register_eraser,
    register_expirer,
    remove_stored_path,
    run_retention,
)
from cristal.governance._tenants import (
    PERIODS,
    Tenant,
    create_tenant,
    get_tenant,
    list_tenants,
    update_tenant,
)

__all__ = [
    "PERIODS",
    "PII_MODES",
    "RETENTION_CATEGORIES",
    "SELECTORS",
    "DataPolicy",
    "ErasureScope",
    "Reservation",
    "RetentionScope",
    "Tenant",
    "Usage",
    "create_tenant",
    "current_usage",
    "erase_data",
    "get_data_policy",
    "get_tenant",
    "list_tenants",
    "period_start",
    "pii_mode",
    "register_eraser",
    "register_expirer",
    "remove_stored_path",
    "reserve",
    "retention_days",
    "run_retention",
    "set_pii_policy",
    "set_retention",
    "settle",
    "update_tenant",
]
