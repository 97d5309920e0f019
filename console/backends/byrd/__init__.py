"""The Backend protocol over byrd's API v2: lots with stock per warehouse, read-only."""

from console.backends.byrd.client import ByrdBackend

__all__ = ["ByrdBackend"]
