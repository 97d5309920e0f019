"""The Backend protocol over a Directus traceability project (lots, products, locations)."""

from console.backends.directus.client import DirectusBackend

__all__ = ["DirectusBackend"]
