"""The read-only web application: list bundles, show a bundle, view or download its files.

Each request goes through the same gate, in this order:

1. the peer address must be a trusted reverse proxy (``--trusted-proxy``), else 403 — a
   header from anywhere else could be forged, so nothing from such a peer is believed;
2. the user header must be present, else 401;
3. the user or one of their groups must have a grant in ``ACCESS.toml``, else 403 with a page
   naming whom to ask;
4. the bundle, product and file must be listed in a manifest *and* allowed to the user's
   role and areas, else 404 (the same answer as for something that does not exist, so a user
   learns nothing about other areas' products).

Every request, whatever its outcome, is appended to the audit log before the answer is sent;
if it cannot be logged the answer is 503 (fail closed). Only GET and HEAD exist.
"""

from __future__ import annotations

import functools
import html
import ipaddress
import re
import sys
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import Route

from hotspots import schema
from hotspots.access import Access, Grant, is_event_level
from hotspots.auditlog import AuditLog
from hotspots.bundle import Bundle
from hotspots.errors import OutputError
from hotspots.render.service_pages import SERVICE_CSP
from hotspots.render.service_pages import bundle_page as _bundle_page
from hotspots.render.service_pages import error_page as _error_page
from hotspots.render.service_pages import index_page as _index_page
from hotspots.serve.catalogue import Catalogue, IntegrityError

__all__ = ["DEFAULT_TRUSTED", "ServiceConfig", "create_app", "parse_trusted"]

DEFAULT_TRUSTED: Final = ("127.0.0.1", "::1")
_MAX_HEADER: Final = 256
_MAX_GROUPS: Final = 200
_MEDIA_TYPES: Final = {
    ".html": "text/html; charset=utf-8",
    ".csv": "text/csv; charset=utf-8",
    ".json": "application/json",
    ".geojson": "application/geo+json",
    ".md": "text/markdown; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".tif": "image/tiff",
}
_KIND_LABELS: Final = {
    "map": "Map",
    "compare": "Comparison map",
    "brief": "Briefing",
    "evaluate": "Evaluation",
    "tune": "Tuning",
    "validate": "Data quality",
}
#: Header CSP for a non-HTML file opened in a tab: no script, no plugins, no framing.
_FILE_CSP: Final = "default-src 'none'; sandbox; frame-ancestors 'none'"
#: Header CSP for a product page that carries no meta CSP of its own: no script at all.
_FALLBACK_PRODUCT_CSP: Final = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "form-action 'none'; sandbox allow-same-origin; frame-ancestors 'none'"
)
_META_CSP: Final = re.compile(
    rb"""<meta\s+http-equiv\s*=\s*["']Content-Security-Policy["']\s+content\s*=\s*"([^"]*)\"""",
    re.IGNORECASE,
)
_SECURITY_HEADERS: Final = (
    (b"x-content-type-options", b"nosniff"),
    (b"cache-control", b"no-store"),
    (b"pragma", b"no-cache"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), interest-cohort=()"),
)


def parse_trusted(
    values: Iterable[str],
) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """Addresses or networks (``10.0.0.5``, ``10.0.0.0/24``, ``::1``) of trusted proxies.

    Raises
    ------
    ValueError
        A value is not an IP address or network (the message names it).
    """
    out = []
    for value in values:
        try:
            out.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError:
            raise ValueError(
                f"--trusted-proxy {value!r}: expected an IP address or network such as 127.0.0.1 or 10.0.0.0/24"
            ) from None
    return tuple(out)


@dataclass(frozen=True)
class ServiceConfig:
    """Everything the application needs; built by ``hotspots serve``.

    Attributes
    ----------
    runs_dir
        The runs folder (bundles).
    access
        The parsed ``ACCESS.toml``.
    audit
        The audit log every request is appended to.
    user_header, groups_header
        Request headers the reverse proxy sets (groups: comma- or semicolon-separated).
    trusted
        Networks whose requests are believed.
    marking
        Protective marking printed in the header of the service's own pages.
    """

    runs_dir: Path
    access: Access
    audit: AuditLog
    user_header: str = schema.USER_HEADER
    groups_header: str = schema.GROUPS_HEADER
    trusted: tuple[Any, ...] = field(default_factory=lambda: parse_trusted(DEFAULT_TRUSTED))
    marking: str = schema.DEFAULT_MARKING


@dataclass
class _Caller:
    user: str | None
    groups: list[str]
    client: str
    forwarded_for: str | None
    grants: list[Grant]
    trusted: bool


class _SecurityHeaders:
    """ASGI middleware: the same hygiene headers on every response, including errors and 416s.

    A response that set its own Content-Security-Policy (a product page carrying its meta
    CSP) keeps it; every other response gets the service pages' policy.
    """

    def __init__(self, app: Callable[..., Awaitable[None]]) -> None:
        self.app = app

    async def __call__(self, scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                names = {name for name, _ in _SECURITY_HEADERS}
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in names]
                headers.extend(_SECURITY_HEADERS)
                if not any(k.lower() == b"content-security-policy" for k, _ in headers):
                    headers.append((b"content-security-policy", SERVICE_CSP.encode("ascii")))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


@functools.lru_cache(maxsize=1024)
def _product_csp(path: Path, sha256: str) -> str:
    """The product page's own meta CSP (plus ``frame-ancestors 'none'``), sent as a header.

    Cached by path and content hash: the file was just checked against that hash.
    """
    with path.open("rb") as handle:
        head = handle.read(65536)
    match = _META_CSP.search(head)
    if not match:
        return _FALLBACK_PRODUCT_CSP
    policy = html.unescape(match.group(1).decode("ascii", "replace")).strip().rstrip(";")
    if not policy or not all(
        " " <= ch <= "~" for ch in policy
    ):  # nothing that could split a header
        return _FALLBACK_PRODUCT_CSP
    if "frame-ancestors" not in policy:
        policy += "; frame-ancestors 'none'"
    return policy


class _FileResponse(FileResponse):
    """Files read in 1 MiB chunks (Starlette's 64 kB means 80 thread hops for a 5 MB map)."""

    chunk_size = 1 << 20


def _media_type(name: str) -> str:
    return _MEDIA_TYPES.get(Path(name).suffix.lower(), "application/octet-stream")


def _html(text: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(text, status_code=status)


def create_app(config: ServiceConfig) -> Callable[..., Awaitable[None]]:
    """Build the ASGI application (Starlette behind the security-header middleware)."""
    catalogue = Catalogue(config.runs_dir)
    access = config.access
    index_page = functools.partial(_index_page, marking=config.marking)
    bundle_page = functools.partial(_bundle_page, marking=config.marking)
    error_page = functools.partial(_error_page, marking=config.marking)

    def split_groups(raw: str | None) -> list[str]:
        if not raw:
            return []
        return [g.strip() for g in re.split(r"[,;]", raw)[:_MAX_GROUPS] if g.strip()][:_MAX_GROUPS]

    def caller_of(request: Request) -> _Caller:
        client = request.client.host if request.client else ""
        try:
            address = ipaddress.ip_address(client)
            trusted = any(address in net for net in config.trusted)
        except ValueError:
            trusted = False
        if not trusted:  # nothing such a peer sends about identity is believed or logged as such
            return _Caller(None, [], client, None, [], False)
        user = (request.headers.get(config.user_header) or "").strip()[:_MAX_HEADER] or None
        groups = split_groups(request.headers.get(config.groups_header))
        grants = access.grants_for(user, groups) if user else []
        forwarded = (request.headers.get("x-forwarded-for") or "")[:_MAX_HEADER] or None
        return _Caller(user, groups, client, forwarded, grants, True)

    async def audit(
        request: Request, caller: _Caller, action: str, outcome: str, status: int, **fields: Any
    ) -> None:
        record = {
            "event": action,
            "outcome": outcome,
            "status": status,
            "user": caller.user,
            "groups": caller.groups,
            "client": caller.client,
            "forwarded_for": caller.forwarded_for,
            "method": request.method,
            "path": request.url.path[:512],
            **fields,
        }
        await run_in_threadpool(config.audit.append, record)

    async def gate(request: Request, action: str) -> tuple[_Caller, Response | None]:
        caller = caller_of(request)
        if not caller.trusted:
            await audit(
                request,
                caller,
                action,
                "untrusted_proxy",
                403,
                identity_header_sent=config.user_header.lower() in request.headers,
            )
            return caller, _html(
                error_page(
                    "Forbidden", "Requests must come through the organisation's sign-in proxy."
                ),
                403,
            )
        if caller.user is None:
            await audit(request, caller, action, "unauthenticated", 401)
            return caller, _html(
                error_page(
                    "Sign-in required",
                    "No signed-in user came with this request. Open the service "
                    "through its intranet address so that the sign-in proxy identifies you.",
                ),
                401,
            )
        if not caller.grants:
            await audit(request, caller, action, "unknown_user", 403)
            return caller, _html(
                error_page(
                    "No access yet",
                    f"You are signed in as {caller.user}, but you have no access to "
                    "the hotspot products.",
                    user=caller.user,
                    contact=access.contact,
                ),
                403,
            )
        return caller, None

    def visible_products(caller: _Caller, bundle: Bundle) -> list[Any]:
        return [
            p
            for p in bundle.products
            if access.can_see(caller.grants, bundle.area_codes, p.kind, p.audience)
        ]

    def product_label(p: Any) -> str:
        label = _KIND_LABELS.get(p.kind, p.kind)
        return f"{label} ({'wide audience' if p.audience == 'wide' else 'internal'})"

    async def not_found(
        request: Request, caller: _Caller, action: str, outcome: str = "not_found", **fields: Any
    ) -> Response:
        await audit(request, caller, action, outcome, 404, **fields)
        return _html(
            error_page("Not found", "There is nothing here that you may open.", user=caller.user),
            404,
        )

    async def guarded(
        request: Request, handler: Callable[..., Awaitable[Response]], action: str
    ) -> Response:
        try:
            caller, refusal = await gate(request, action)
            if refusal is not None:
                return refusal
            return await handler(request, caller)
        except OutputError as exc:
            print(f"hotspots serve: {exc}", file=sys.stderr, flush=True)
            return _html(
                error_page(
                    "Service unavailable",
                    "The audit log cannot be written, so "
                    "nothing is served. The service owner has been told.",
                ),
                503,
            )

    async def index(request: Request) -> Response:
        async def handle(request: Request, caller: _Caller) -> Response:
            query = request.query_params.get("q", "").strip()[:100]
            needle = query.casefold()
            rows: list[dict[str, Any]] = []
            shown_ids: list[str] = []
            for bundle in await run_in_threadpool(catalogue.bundles):
                products = visible_products(caller, bundle)
                if not products:
                    continue
                if needle and not any(
                    needle in code.casefold() or needle in name.casefold()
                    for code, name in bundle.areas
                ):
                    continue
                base = f"/b/{bundle.run_id}/"
                shown_ids.append(bundle.run_id)
                rows.append(
                    {
                        "areas": bundle.areas,
                        "period": bundle.period.get("label", ""),
                        "against": (bundle.against or {}).get("label"),
                        "created": bundle.created,
                        "href": base,
                        "products": [
                            {"href": f"{base}#{p.name}", "label": product_label(p)}
                            for p in products
                        ],
                    }
                )
            await audit(
                request,
                caller,
                "list",
                "ok",
                200,
                query=query or None,
                bundles=shown_ids,
            )
            roles = ", ".join(sorted({g.role for g in caller.grants}))
            return _html(index_page(user=caller.user or "", roles=roles, query=query, rows=rows))

        return await guarded(request, handle, "list")

    async def bundle_view(request: Request) -> Response:
        run_id = request.path_params["run_id"]

        async def handle(request: Request, caller: _Caller) -> Response:
            bundle = await run_in_threadpool(catalogue.bundle, run_id)
            products = visible_products(caller, bundle) if bundle else []
            if bundle is None or not products:
                return await not_found(
                    request, caller, "bundle", "denied" if bundle else "not_found", bundle=run_id
                )
            shown = []
            for p in products:
                files = []
                for f in p.files:
                    if not access.can_open_file(
                        caller.grants, bundle.area_codes, p.kind, p.audience, f.name, f.event_level
                    ):
                        continue
                    href = f"/b/{bundle.run_id}/{p.name}/{f.name}"
                    files.append(
                        {
                            "name": f.name,
                            "size": f"{f.size:,} bytes",
                            "sha256": f.sha256,
                            "event_level": is_event_level(f.name, f.event_level),
                            "view": href if f.name.lower().endswith(".html") else None,
                            "download": f"{href}?download=1",
                        }
                    )
                shown.append({"name": p.name, "label": product_label(p), "files": files})
            await audit(request, caller, "bundle", "ok", 200, bundle=run_id)
            names = ", ".join(name for _, name in bundle.areas)
            return _html(
                bundle_page(
                    user=caller.user or "",
                    bundle={
                        "run_id": bundle.run_id,
                        "job": bundle.job,
                        "created": bundle.created,
                        "period": bundle.period.get("label", ""),
                        "against": (bundle.against or {}).get("label"),
                        "areas": bundle.areas,
                        "area_label": names if len(names) < 80 else names[:77] + "...",
                        "products": shown,
                    },
                )
            )

        return await guarded(request, handle, "bundle")

    async def file_view(request: Request) -> Response:
        run_id = request.path_params["run_id"]
        product_name = request.path_params["product"]
        file_name = request.path_params["file"]
        download = request.query_params.get("download") not in (None, "", "0")
        action = "download" if download or not file_name.lower().endswith(".html") else "view"

        async def handle(request: Request, caller: _Caller) -> Response:
            where = {"bundle": run_id, "product": product_name, "file": file_name}
            try:
                # Off the event loop: the first look at a file hashes it (a 5 MB map: ~10 ms).
                located = await run_in_threadpool(catalogue.locate, run_id, product_name, file_name)
            except IntegrityError as exc:
                print(f"hotspots serve: {exc}", file=sys.stderr, flush=True)
                await audit(request, caller, action, "integrity_error", 500, **where)
                return _html(
                    error_page(
                        "File withheld",
                        "This file differs from what was published, "
                        "so it is not served. The service owner has been told.",
                        user=caller.user,
                    ),
                    500,
                )
            if located is None:
                return await not_found(request, caller, action, **where)
            p, f = located.product, located.file
            if not access.can_open_file(
                caller.grants, located.bundle.area_codes, p.kind, p.audience, f.name, f.event_level
            ):
                return await not_found(request, caller, action, "denied", sha256=f.sha256, **where)
            await audit(
                request,
                caller,
                action,
                "ok",
                200,
                sha256=f.sha256,
                range=request.headers.get("range"),
                **where,
            )
            safe_name = f"{located.bundle.run_id}_{p.name}_{f.name}"  # SAFE_NAME parts only
            headers = {}
            media = _media_type(f.name)
            if action == "view":
                headers["content-security-policy"] = _product_csp(located.path, located.file.sha256)
            else:
                headers["content-security-policy"] = _FILE_CSP
            return _FileResponse(
                located.path,
                media_type=media,
                filename=safe_name,
                headers=headers,
                content_disposition_type="inline" if action == "view" else "attachment",
            )

        return await guarded(request, handle, action)

    async def fallback(request: Request) -> Response:
        async def handle(request: Request, caller: _Caller) -> Response:
            return await not_found(request, caller, "other")

        return await guarded(request, handle, "other")

    methods = ["GET", "HEAD"]
    routes = [
        Route("/", index, methods=methods),
        Route("/b/{run_id}/", bundle_view, methods=methods),
        Route("/b/{run_id}/{product}/{file}", file_view, methods=methods),
        Route("/{rest:path}", fallback, methods=methods),
    ]
    app = Starlette(routes=routes)
    return _SecurityHeaders(app)
