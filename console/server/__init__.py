"""The API server over the in-memory warehouse (needs the `server` extra: starlette, uvicorn)."""

from console.server.app import create_app
from console.server.runner import ServeError, ServerThread, bind, serve

__all__ = ["ServeError", "ServerThread", "bind", "create_app", "serve"]
