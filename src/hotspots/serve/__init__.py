"""The read-only intranet service: published bundles behind delegated identity and an audit log.

`create_app` builds the ASGI application; `run_server` serves it with uvicorn. The web layer
only reads bundles (written by ``hotspots run``) and never analyses.
"""

from __future__ import annotations

from hotspots.serve.app import DEFAULT_TRUSTED, ServiceConfig, create_app, parse_trusted
from hotspots.serve.server import run_server

__all__ = ["DEFAULT_TRUSTED", "ServiceConfig", "create_app", "parse_trusted", "run_server"]
