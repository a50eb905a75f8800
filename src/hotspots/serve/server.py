"""Run the application with uvicorn, configured for a service behind a reverse proxy."""

from __future__ import annotations

from hotspots import schema
from hotspots.serve.app import ServiceConfig, create_app

__all__ = ["run_server"]


def run_server(
    config: ServiceConfig,
    *,
    host: str = schema.SERVICE_HOST,
    port: int = schema.SERVICE_PORT,
    log_level: str = "warning",
) -> None:
    """Serve until interrupted (SIGINT/SIGTERM end it cleanly).

    ``proxy_headers`` is off: uvicorn would otherwise replace the peer address with the
    client-supplied ``X-Forwarded-For`` for requests from 127.0.0.1, and the trusted-proxy
    check must see the real peer. The ``Server`` header is dropped, and uvicorn's access log
    is off because the audit log is the record of every request.
    """
    import uvicorn

    uvicorn.run(
        create_app(config),
        host=host,
        port=port,
        proxy_headers=False,
        server_header=False,
        access_log=False,
        log_level=log_level,
        lifespan="off",
        timeout_keep_alive=5,
    )
