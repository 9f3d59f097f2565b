"""The application object shared by the CLI and the server: settings, store, gateway."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from cristal.config import Settings, load_settings
from cristal.models import Gateway
from cristal.store import Store

__all__ = ["App"]


class App:
    """Lazily opens what a command needs: nothing is touched until it is used."""

    def __init__(self, settings: Settings | None = None,
                 providers: dict[str, Any] | None = None) -> None:
        self._settings = settings
        self._providers = providers or {}

    @cached_property
    def settings(self) -> Settings:
        """The effective configuration (file + environment)."""
        return self._settings or load_settings()

    @cached_property
    def store(self) -> Store:
        """The migrated database."""
        return Store.open(self.settings.db_url)

    @cached_property
    def gateway(self) -> Gateway:
        """The model gateway over this store."""
        return Gateway(self.settings, self.store, providers=self._providers)

    @cached_property
    def engine(self) -> Any:
        """The workflow engine (a DBOS client for management; nothing is launched)."""
        from cristal.workflows import Engine  # workflows imports this module

        return Engine(self)

    def close(self) -> None:
        """Release the database if it was opened."""
        if "store" in self.__dict__:
            self.store.close()
