"""Secrets for `{{secret:NAME}}`: read from CRISTAL_SECRET_<NAME>, never stored or shown."""

from __future__ import annotations

import os
import re

from cristal.errors import InvalidInput

__all__ = ["SECRET_PREFIX", "secret_from_env"]

SECRET_PREFIX = "CRISTAL_SECRET_"


def secret_from_env(name: str, host: str) -> str:
    """`{{secret:NAME}}` is read from the environment variable CRISTAL_SECRET_NAME."""
    key = SECRET_PREFIX + re.sub(r"[^A-Za-z0-9]", "_", name).upper()
    value = os.environ.get(key)
    if not value:
        raise InvalidInput(f"The task types {{{{secret:{name}}}}} but {key} is not set; export "
                           f"{key}=... and run again (the value is typed into {host or 'the page'}"
                           ", never stored or printed).", secret=name)
    return value
