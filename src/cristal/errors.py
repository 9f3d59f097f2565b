"""One exception hierarchy for Cristal; every message says what to do next.

```
CristalError                      exit 1 unless a subclass says otherwise
├── UserError                     exit 2: bad input from the person or the config
│   ├── ConfigError               a config file or CRISTAL_* variable is invalid
│   ├── NotFound                  a named tenant, call, run, collection... does not exist
│   └── InvalidInput              an argument or file is not acceptable
│       ├── Conflict              it exists already, or the request repeats another one
│       ├── TooLarge              a body, file or upload is over the size limit
│       └── UnsupportedType       a file whose type (name or content) is not accepted
├── Refused                       exit 3: the request was understood and refused
│   ├── BudgetExceeded            the tenant's budget cannot cover the call (nothing was sent)
│   ├── PermissionDenied          a role, region or allow-list forbids it
│   ├── PiiBlocked                personal data in a call the policy blocks (nothing was sent)
│   ├── NotAuthenticated          no credentials, or a key/token that is not valid
│   └── RateLimited               too many requests from this key or user; retry later
├── ModelError                    anything that went wrong with a model call
│   ├── ModelUnavailable          no model on this route (offline): use the extractive path
│   ├── ModelAuthError            the endpoint rejected the key
│   ├── ModelRequestError         the endpoint rejected the request (400, 404, 422)
│   ├── ModelResponseError        the reply could not be used (bad JSON, empty)
│   └── ModelTransientError       retryable: the endpoint may answer later
│       ├── ModelUnreachable      connection refused, DNS failure
│       ├── ModelTimeout          no answer within the timeout
│       ├── ModelRateLimited      429 after all retries
│       └── ModelServerError      5xx after all retries
└── StoreError                    the database could not be opened or migrated
```

Callers catch the level they care about. Retryability is a property of the type
(`retryable`), never decided at call sites.
"""

from __future__ import annotations

__all__ = [
    "BudgetExceeded",
    "ConfigError",
    "Conflict",
    "CristalError",
    "InvalidInput",
    "ModelAuthError",
    "ModelError",
    "ModelRateLimited",
    "ModelRequestError",
    "ModelResponseError",
    "ModelServerError",
    "ModelTimeout",
    "ModelTransientError",
    "ModelUnavailable",
    "ModelUnreachable",
    "NotAuthenticated",
    "NotFound",
    "PermissionDenied",
    "PiiBlocked",
    "RateLimited",
    "Refused",
    "StoreError",
    "TooLarge",
    "UnsupportedType",
    "UserError",
]


class CristalError(Exception):
    """Root of every error Cristal raises on purpose."""

    exit_code: int = 1
    retryable: bool = False

    def __init__(self, message: str, **fields: object) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields
        for key, value in fields.items():
            setattr(self, key, value)

    def to_dict(self) -> dict[str, object]:
        """The error as JSON-friendly data (type, message and fields)."""
        data: dict[str, object] = {"error": type(self).__name__, "message": self.message}
        data.update({k: v for k, v in self.fields.items() if _jsonable(v)})
        return data


def _jsonable(value: object) -> bool:
    return value is None or isinstance(value, str | int | float | bool | list | dict)


class UserError(CristalError):
    """The input (arguments, files, configuration) is wrong; fix it and try again."""

    exit_code = 2


class ConfigError(UserError):
    """A configuration file or environment variable is invalid."""


class NotFound(UserError):
    """A named object does not exist."""


class InvalidInput(UserError):
    """An argument or input file is not acceptable."""


class Conflict(InvalidInput):
    """The object exists already, or the request conflicts with the current state."""


class TooLarge(InvalidInput):
    """A request body, file or upload is over the configured size limit."""


class UnsupportedType(InvalidInput):
    """A file's type, by its name or its content, is not one Cristal accepts."""


class Refused(CristalError):
    """The request was understood and refused by policy."""

    exit_code = 3


class BudgetExceeded(Refused):
    """The tenant's remaining budget cannot cover the call; nothing was sent."""


class PermissionDenied(Refused):
    """A role, region or allow-list forbids the action."""


class PiiBlocked(Refused):
    """The PII policy blocks this call: it names entity types and where, never values."""


class NotAuthenticated(Refused):
    """No credentials were given, or the key or token is not valid (unknown, expired, revoked)."""


class RateLimited(Refused):
    """Too many requests from one key or user in the current window (`retry_after` seconds)."""

    retryable = True


class ModelError(CristalError):
    """A model call failed."""


class ModelUnavailable(ModelError):
    """No model serves this route (offline mode); features fall back to extractive paths."""


class ModelAuthError(ModelError):
    """The model endpoint rejected the credentials."""


class ModelRequestError(ModelError):
    """The model endpoint rejected the request itself."""


class ModelResponseError(ModelError):
    """The model answered, but the answer cannot be used."""


class ModelTransientError(ModelError):
    """A failure that may go away if the call is tried again later."""

    retryable = True


class ModelUnreachable(ModelTransientError):
    """The model endpoint could not be reached."""


class ModelTimeout(ModelTransientError):
    """The model endpoint did not answer in time."""


class ModelRateLimited(ModelTransientError):
    """The model endpoint kept answering 429 Too Many Requests."""


class ModelServerError(ModelTransientError):
    """The model endpoint kept failing with 5xx errors."""


class StoreError(CristalError):
    """The database could not be opened, migrated or written."""
