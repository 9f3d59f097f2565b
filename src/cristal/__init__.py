"""Cristal: an open, self-hosted platform for enterprise AI agents."""

__version__ = "0.1.0"
