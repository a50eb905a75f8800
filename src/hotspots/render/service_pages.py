"""The service's own pages (bundle index, bundle page, errors) over one page frame.

Every value is escaped by Jinja2's autoescape; the pages carry no script and one inline style
block, whose hash is the only style the service's Content-Security-Policy allows
(`SERVICE_CSP`). Pages are plain HTML that work without a network and without JavaScript.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from typing import Any, Final

from jinja2 import Environment, StrictUndefined

from hotspots.schema import DEFAULT_MARKING

__all__ = ["SERVICE_CSP", "bundle_page", "error_page", "index_page"]

_STYLE: Final = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Arial,sans-serif;margin:0;color:#1b1b1b}
header{background:#1d3557;color:#fff;padding:.6em 1.2em;display:flex;justify-content:space-between}
header a{color:#fff}main{padding:1em 1.2em;max-width:72em}
.marking{font-weight:700;letter-spacing:.05em}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #ccd;padding:.35em .5em;text-align:left;vertical-align:top}
th{background:#eef1f6}code{font-size:.85em}.muted{color:#555}.note{background:#fff6d6;padding:.5em .8em}
form{margin:.5em 0 1em}input[type=search]{padding:.3em;width:22em}
"""
_STYLE_HASH: Final = base64.b64encode(hashlib.sha256(_STYLE.encode("utf-8")).digest()).decode(
    "ascii"
)

#: The header Content-Security-Policy of the service's own pages.
SERVICE_CSP: Final = (
    f"default-src 'none'; style-src 'sha256-{_STYLE_HASH}'; img-src 'self' data:; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)

_FRAME: Final = """<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{{ title }} - hotspots</title><style>{{ style|safe }}</style></head>
<body><header><span><a href="/">Hotspot products</a></span>
<span class="marking">{{ marking }}</span>
<span>{% if user %}{{ user }}{% endif %}</span></header>
<main><h1>{{ title }}</h1>
{{ body|safe }}
</main></body></html>
"""

_INDEX: Final = """<form method="get" action="/" role="search">
<label for="q">Area name or code</label>
<input type="search" id="q" name="q" value="{{ query }}" maxlength="100">
<button type="submit">Search</button>{% if query %} <a href="/">Show all</a>{% endif %}</form>
{% if not rows %}<p class="note">{% if query %}No product you may open matches "{{ query }}".{% else %}No product
published for your areas and role yet.{% endif %}</p>{% else %}
<table><thead><tr><th>Area</th><th>Period</th><th>Products</th><th>Published (UTC)</th></tr></thead><tbody>
{% for row in rows %}<tr>
<td>{% for code, name in row.areas %}{{ name }} <code>{{ code }}</code>{% if not loop.last %}<br>{% endif %}{% endfor %}</td>
<td>{{ row.period }}{% if row.against %} <span class="muted">vs {{ row.against }}</span>{% endif %}</td>
<td>{% for p in row.products %}<a href="{{ p.href }}">{{ p.label }}</a>{% if not loop.last %}, {% endif %}{% endfor %}</td>
<td><a href="{{ row.href }}">{{ row.created }}</a></td></tr>
{% endfor %}</tbody></table>{% endif %}
<p class="muted">Newest first. You see the products your role ({{ roles }}) allows for your areas.
Every listing, view and download is recorded in an audit log.</p>
"""

_BUNDLE: Final = """<p>Period <strong>{{ period }}</strong>{% if against %}, compared with {{ against }}{% endif %};
published {{ created }} (UTC) by job <code>{{ job }}</code>, run <code>{{ run_id }}</code>.</p>
<p>Areas: {% for code, name in areas %}{{ name }} <code>{{ code }}</code>{% if not loop.last %}, {% endif %}{% endfor %}</p>
{% for p in products %}<h2 id="{{ p.name }}">{{ p.label }}</h2>
<table><thead><tr><th>File</th><th>Size</th><th>SHA-256</th></tr></thead><tbody>
{% for f in p.files %}<tr><td>{% if f.view %}<a href="{{ f.view }}">{{ f.name }}</a> (<a href="{{ f.download }}">download</a>)
{% else %}<a href="{{ f.download }}">{{ f.name }}</a>{% endif %}{% if f.event_level %} <em>event-level</em>{% endif %}</td>
<td>{{ f.size }}</td><td><code>{{ f.sha256 }}</code></td></tr>{% endfor %}
</tbody></table>{% endfor %}
"""

_ERROR: Final = """<p>{{ message }}</p>{% if contact %}<p>To ask for access, contact: <strong>{{ contact }}</strong>.
Say which areas and products you need and why.</p>{% endif %}<p><a href="/">Back to the products</a></p>
"""

_ENV: Final = Environment(autoescape=True, undefined=StrictUndefined, keep_trailing_newline=True)
# Compiled once: compiling a template costs more than rendering it.
_FRAME_T: Final = _ENV.from_string(_FRAME)
_INDEX_T: Final = _ENV.from_string(_INDEX)
_BUNDLE_T: Final = _ENV.from_string(_BUNDLE)
_ERROR_T: Final = _ENV.from_string(_ERROR)




def _page(title: str, body: str, user: str | None, marking: str) -> str:
    return _FRAME_T.render(
        title=title, body=body, user=user, style=_STYLE, marking=marking
    )


def index_page(
    *,
    user: str,
    roles: str,
    query: str,
    rows: Sequence[dict[str, Any]],
    marking: str = DEFAULT_MARKING,
) -> str:
    """The bundle list: one row per bundle (areas, period, product links, published time)."""
    body = _INDEX_T.render(query=query, rows=rows, roles=roles)
    return _page("Hotspot products", body, user, marking)


def bundle_page(*, user: str, bundle: dict[str, Any], marking: str = DEFAULT_MARKING) -> str:
    """One bundle: its period, areas and the files of each product the user may open."""
    body = _BUNDLE_T.render(**bundle)
    return _page(f"{bundle['period']} - {bundle['area_label']}", body, user, marking)


def error_page(
    title: str,
    message: str,
    *,
    user: str | None = None,
    contact: str | None = None,
    marking: str = DEFAULT_MARKING,
) -> str:
    """An error page: what happened and, for a missing grant, whom to ask."""
    body = _ERROR_T.render(message=message, contact=contact)
    return _page(title, body, user, marking)
