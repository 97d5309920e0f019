"""The HTTP client backend: the Backend protocol over a PackageX-style inventory API."""

from console.backends.http.client import HttpBackend
from console.backends.http.transport import ClientConfigError, RetryPolicy

__all__ = ["ClientConfigError", "HttpBackend", "RetryPolicy"]
