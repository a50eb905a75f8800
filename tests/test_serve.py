"""``hotspots serve`` against a real server process on 127.0.0.1, with real HTTP requests.

Identity (trusted proxy, 401, 403), role and area rules for listings, pages and downloads,
web hygiene headers, range and HEAD, path confinement, escaping, search, order, integrity,
fail-closed auditing, and the audit records the requests leave.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from servehelp import (
    ACCESS_TOML,
    MAP_CSP,
    MAP_HTML,
    NORWICH,
    REPO,
    running_server,
    standard_runs,
    write_bundle,
)

httpx = pytest.importorskip(
    "httpx", reason="httpx is needed for the service tests (pip install 'hotspots[test]')"
)
pytest.importorskip(
    "starlette", reason="the service needs starlette (pip install 'hotspots[serve]')"
)
pytest.importorskip("uvicorn", reason="the service needs uvicorn (pip install 'hotspots[serve]')")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, Path]]:
    """A server over the standard bundles; yields (base URL, runs folder, audit log)."""
    root = tmp_path_factory.mktemp("serve")
    runs = standard_runs(root / "runs")
    # A stray file in a bundle and a secret outside the runs folder, linked into a bundle.
    (runs / "r-norwich" / "map" / "stray.txt").write_text("not in the manifest")
    secret = root / "secret.txt"
    secret.write_text("outside the runs folder")
    write_bundle(
        runs,
        "r-link",
        areas=[NORWICH],
        created="2025-09-01T00:00:00Z",
        products={
            "map": ("map", "internal", {"map.html": MAP_HTML.encode(), "link.csv": b"placeholder"}),
        },
    )
    link = runs / "r-link" / "map" / "link.csv"
    link.unlink()
    link.symlink_to(secret)
    access = root / "ACCESS.toml"
    access.write_text(ACCESS_TOML, encoding="utf-8")
    with running_server(runs, access) as base:
        yield base, runs, runs / "audit.jsonl"


def get(
    base: str,
    path: str,
    user: str | None = "alice",
    groups: str | None = None,
    method: str = "GET",
    **headers: str,
) -> httpx.Response:
    sent = dict(headers)
    if user is not None:
        sent["X-Remote-User"] = user
    if groups is not None:
        sent["X-Remote-Groups"] = groups
    return httpx.request(method, base + path, headers=sent, timeout=30)


def raw_get(base: str, raw_path: str, user: str = "alice") -> int:
    """Send ``raw_path`` byte for byte (no client-side normalisation of ``..``)."""
    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        conn.putrequest("GET", raw_path, skip_accept_encoding=True)
        conn.putheader("X-Remote-User", user)
        conn.endheaders()
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def audit_lines(log: Path) -> list[dict]:
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]


# --- identity -------------------------------------------------------------------------------


def test_no_identity_is_401(site):
    base, _, log = site
    response = get(base, "/", user=None)
    assert response.status_code == 401
    assert "Sign-in required" in response.text
    assert audit_lines(log)[-1]["outcome"] == "unauthenticated"


def test_empty_identity_header_is_401(site):
    assert get(site[0], "/", user="").status_code == 401


def test_unknown_user_gets_403_naming_whom_to_ask(site):
    response = get(site[0], "/", user="mallory")
    assert response.status_code == 403
    # The contact is escaped (it holds < and >) and shown.
    assert "Force Analysis Unit &lt;fau@example.police.uk&gt;, ext. 4321" in response.text
    assert audit_lines(site[2])[-1]["outcome"] == "unknown_user"


def test_header_from_untrusted_address_is_403(tmp_path):
    runs = standard_runs(tmp_path / "runs")
    access = tmp_path / "ACCESS.toml"
    access.write_text(ACCESS_TOML, encoding="utf-8")
    # The server trusts only 10.9.9.9, so this loopback client is not the proxy.
    with running_server(runs, access, "--trusted-proxy", "10.9.9.9") as base:
        forged = get(base, "/", user="alice")
        file = get(base, "/b/r-norwich/map/map.html", user="alice")
        anonymous = get(base, "/", user=None)
    assert (forged.status_code, file.status_code, anonymous.status_code) == (403, 403, 403)
    assert "alice" not in forged.text and "Hotspot map" not in file.text
    records = audit_lines(runs / "audit.jsonl")
    assert [r["outcome"] for r in records] == ["untrusted_proxy"] * 3
    # A forged identity is recorded as sent, never as the user.
    assert records[0]["user"] is None and records[0]["identity_header_sent"] is True


def test_group_grant_from_groups_header(site):
    response = get(site[0], "/", user="yvonne", groups="GG-Other, GG-Yarmouth-Command")
    assert response.status_code == 200
    assert "/b/r-yarmouth/" in response.text and "/b/r-norwich/" not in response.text


# --- roles and areas ------------------------------------------------------------------------

VISIBLE = {
    "alice": {"r-norwich", "r-yarmouth", "r-force", "r-link"},
    "dave": {"r-yarmouth"},
    "carl": {"r-norwich", "r-link"},
    "pat": {"r-norwich"},
}


@pytest.mark.parametrize("user", sorted(VISIBLE), ids=sorted(VISIBLE))
def test_index_lists_only_bundles_of_the_users_areas_and_role(site, user):
    response = get(site[0], "/", user=user)
    assert response.status_code == 200
    listed = set(re.findall(r'href="/b/([^/"]+)/"', response.text))
    assert listed == VISIBLE[user]


def test_partner_sees_only_the_wide_briefing(site):
    text = get(site[0], "/", user="pat").text
    assert "Briefing (wide audience)" in text
    assert "Map (internal)" not in text and "Briefing (internal)" not in text


FILES = [
    ("alice", "/b/r-norwich/map/map.html", 200),
    ("alice", "/b/r-norwich/map/rejected.csv", 200),
    ("alice", "/b/r-norwich/evaluate/evaluation.csv", 200),
    ("alice", "/b/r-force/map/map.html", 200),
    ("carl", "/b/r-norwich/map/map.html", 200),
    ("carl", "/b/r-norwich/brief/briefing.html", 200),
    ("carl", "/b/r-norwich/map/hotspots.geojson", 200),
    ("carl", "/b/r-norwich/map/rejected.csv", 404),  # event-level: analysts only
    ("carl", "/b/r-norwich/evaluate/evaluation.csv", 404),  # not a map or briefing
    ("carl", "/b/r-yarmouth/map/map.html", 404),  # another district
    ("carl", "/b/r-force/map/map.html", 404),  # covers a district outside the grant
    ("pat", "/b/r-norwich/brief-wide/briefing.html", 200),
    ("pat", "/b/r-norwich/brief/briefing.html", 404),  # internal audience
    ("pat", "/b/r-norwich/map/map.html", 404),
    ("pat", "/b/r-norwich/map/rejected.csv", 404),
    ("pat", "/b/r-yarmouth/brief-wide/briefing.html", 404),  # wide, but another area
    ("dave", "/b/r-yarmouth/map/map.html", 200),
    ("dave", "/b/r-norwich/map/map.html", 404),
]


@pytest.mark.parametrize(("user", "path", "status"), FILES, ids=[f"{u}:{p}" for u, p, _ in FILES])
def test_file_access_by_role_area_and_audience(site, user, path, status):
    assert get(site[0], path, user=user).status_code == status
    # The download form of the same file gets the same answer.
    assert get(site[0], path + "?download=1", user=user).status_code == status


@pytest.mark.parametrize(
    ("user", "shown", "hidden"),
    [
        ("alice", ["rejected.csv", "evaluation.csv", "briefing.html"], []),
        (
            "carl",
            ["map.html", "hotspots.geojson", "briefing.html"],
            ["rejected.csv", "evaluation.csv"],
        ),
        (
            "pat",
            ["briefing.html"],
            ["map.html", "rejected.csv", "hotspots.geojson", "summary.json"],
        ),
    ],
    ids=["analyst", "commander", "partner"],
)
def test_bundle_page_lists_only_allowed_files(site, user, shown, hidden):
    response = get(site[0], "/b/r-norwich/", user=user)
    assert response.status_code == 200
    for name in shown:
        assert f">{name}<" in response.text
    for name in hidden:
        assert f">{name}<" not in response.text


def test_bundle_page_of_another_area_is_404(site):
    assert get(site[0], "/b/r-yarmouth/", user="carl").status_code == 404


# --- hygiene --------------------------------------------------------------------------------

COMMON_HEADERS = {
    "x-content-type-options": "nosniff",
    "cache-control": "no-store",
    "x-frame-options": "DENY",
}


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/b/r-norwich/",
        "/b/r-norwich/map/map.html",
        "/b/r-norwich/map/summary.json",
        "/nowhere",
    ],
    ids=["index", "bundle", "view", "download", "404"],
)
def test_hygiene_headers_on_every_response(site, path):
    response = get(site[0], path)
    for name, value in COMMON_HEADERS.items():
        assert response.headers[name] == value
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert "server" not in response.headers


def test_product_page_keeps_its_own_csp(site):
    response = get(site[0], "/b/r-norwich/map/map.html")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["content-security-policy"] == MAP_CSP + "; frame-ancestors 'none'"
    assert response.headers["content-disposition"] == 'inline; filename="r-norwich_map_map.html"'
    assert response.text == MAP_HTML  # served byte for byte, meta CSP included


def test_service_pages_have_a_strict_csp(site):
    csp = get(site[0], "/").headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src" not in csp and "unsafe-inline" not in csp


def test_download_has_a_safe_attachment_name(site):
    response = get(site[0], "/b/r-norwich/map/hotspots.geojson")
    assert (
        response.headers["content-disposition"]
        == 'attachment; filename="r-norwich_map_hotspots.geojson"'
    )
    assert response.headers["content-type"] == "application/geo+json"
    html_download = get(site[0], "/b/r-norwich/map/map.html?download=1")
    assert html_download.headers["content-disposition"].startswith("attachment;")


def test_range_request_and_head(site):
    whole = get(site[0], "/b/r-norwich/map/map.html").content
    part = get(site[0], "/b/r-norwich/map/map.html", Range="bytes=10-29")
    assert part.status_code == 206
    assert part.content == whole[10:30]
    assert part.headers["content-range"] == f"bytes 10-29/{len(whole)}"
    head = get(site[0], "/b/r-norwich/map/map.html", method="HEAD")
    assert head.status_code == 200 and head.content == b""
    assert int(head.headers["content-length"]) == len(whole)
    assert head.headers["cache-control"] == "no-store"
    beyond = get(site[0], "/b/r-norwich/map/map.html", Range=f"bytes={len(whole) + 5}-")
    assert beyond.status_code == 416 and beyond.headers["x-content-type-options"] == "nosniff"


def test_other_methods_are_refused(site):
    assert get(site[0], "/", method="POST").status_code == 405
    assert get(site[0], "/b/r-norwich/map/map.html", method="DELETE").status_code == 405


TRAVERSALS = [
    "/b/r-norwich/map/../manifest.json",
    "/b/r-norwich/map/..%2fmanifest.json",
    "/b/r-norwich/map/%2e%2e%2fmanifest.json",
    "/b/r-norwich/map/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/b/r-norwich/map/..%5cmanifest.json",
    "/b/r-norwich/../../etc/passwd",
    "/b/%2e%2e/map/map.html",
    "/b/r-norwich/map//etc/passwd",
    "//etc/passwd",
    "/etc/passwd",
    "/b/r-norwich/manifest.json",
    "/b/r-norwich/map/",
    "/b/r-norwich/map",
    "/b/r-norwich/map/stray.txt",
    "/b/r-link/map/link.csv",
    "/audit.jsonl",
    "/b/audit.jsonl/",
    "/b/r-norwich/map/map.html%00.txt",
]


@pytest.mark.parametrize("raw", TRAVERSALS, ids=TRAVERSALS)
def test_paths_are_confined_to_listed_files(site, raw):
    assert raw_get(site[0], raw) == 404


def test_symlinked_bundle_folder_out_of_runs_is_not_listed(site, tmp_path):
    base, runs, _ = site
    outside = write_bundle(
        tmp_path,
        "r-outside",
        areas=[NORWICH],
        created="2030-01-01T00:00:00Z",
        products={"map": ("map", "internal", {"map.html": MAP_HTML.encode()})},
    )
    (runs / "r-outside").symlink_to(outside)
    try:
        assert "r-outside" not in get(base, "/").text
        assert get(base, "/b/r-outside/map/map.html").status_code == 404
    finally:
        (runs / "r-outside").unlink()


# --- listing --------------------------------------------------------------------------------


def test_index_is_newest_first(site):
    text = get(site[0], "/", user="alice").text
    order = re.findall(r'href="/b/([^/"]+)/"', text)
    assert order == ["r-force", "r-norwich", "r-yarmouth", "r-link"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("norwich", {"r-norwich", "r-force", "r-link"}),
        ("GREAT yar", {"r-yarmouth", "r-force"}),
        ("E07000145", {"r-yarmouth", "r-force"}),
        ("nowhere", set()),
    ],
    ids=["name", "name-case", "code", "none"],
)
def test_search_by_area_name_or_code(site, query, expected):
    text = httpx.get(site[0] + "/", params={"q": query}, headers={"X-Remote-User": "alice"}).text
    assert set(re.findall(r'href="/b/([^/"]+)/"', text)) == expected


def test_everything_shown_is_escaped(site, tmp_path):
    base, runs, _ = site
    write_bundle(
        runs,
        "r-evil",
        areas=[("E07000148", "<script>alert(1)</script>")],
        created="2000-01-01T00:00:00Z",
        period="<b>2025</b>",
        products={"map": ("map", "internal", {"map.html": MAP_HTML.encode()})},
    )
    try:
        text = httpx.get(
            base + "/",
            params={"q": '"><img src=x onerror=alert(1)>'},
            headers={"X-Remote-User": "alice"},
        ).text
        assert "<img src=x" not in text and "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in text
        listing = get(base, "/").text + get(base, "/b/r-evil/").text
        assert (
            "<script>alert(1)" not in listing and "&lt;script&gt;alert(1)&lt;/script&gt;" in listing
        )
        assert "<b>2025</b>" not in listing
    finally:
        import shutil

        shutil.rmtree(runs / "r-evil")


def test_a_bundle_published_while_serving_appears(site):
    base, runs, _ = site
    assert "r-late" not in get(base, "/").text
    staging = write_bundle(
        runs,
        ".partial-r-late",
        areas=[NORWICH],
        created="2026-01-01T00:00:00Z",
        products={"map": ("map", "internal", {"map.html": MAP_HTML.encode()})},
    )
    assert "r-late" not in get(base, "/").text  # hidden while being written
    manifest = json.loads((staging / "manifest.json").read_text())
    manifest["run_id"] = "r-late"
    (staging / "manifest.json").write_text(json.dumps(manifest))
    staging.rename(runs / "r-late")
    try:
        assert re.findall(r'href="/b/([^/"]+)/"', get(base, "/").text)[0] == "r-late"
    finally:
        import shutil

        shutil.rmtree(runs / "r-late")


# --- integrity and audit --------------------------------------------------------------------


def test_a_file_changed_after_publication_is_withheld(site):
    base, runs, log = site
    target = runs / "r-norwich" / "brief-wide" / "briefing.html"
    original = target.read_bytes()
    target.write_bytes(original.replace(b"wide", b"WIDE"))
    try:
        response = get(base, "/b/r-norwich/brief-wide/briefing.html")
        assert response.status_code == 500 and "WIDE" not in response.text
        assert audit_lines(log)[-1]["outcome"] == "integrity_error"
    finally:
        target.write_bytes(original)


def test_every_request_is_audited_with_the_file_hash(site):
    base, runs, log = site
    before = len(audit_lines(log))
    get(base, "/?q=norwich", user="carl", groups="GG-A,GG-B", **{"X-Forwarded-For": "10.1.2.3"})
    get(base, "/b/r-norwich/map/map.html", user="carl")
    get(base, "/b/r-norwich/map/hotspots.geojson", user="carl")
    get(base, "/b/r-norwich/map/rejected.csv", user="carl")
    records = audit_lines(log)[before:]
    assert [(r["event"], r["outcome"], r["status"]) for r in records] == [
        ("list", "ok", 200),
        ("view", "ok", 200),
        ("download", "ok", 200),
        ("download", "denied", 404),
    ]
    listing, view = records[0], records[1]
    assert listing["user"] == "carl" and listing["groups"] == ["GG-A", "GG-B"]
    assert listing["client"] == "127.0.0.1" and listing["forwarded_for"] == "10.1.2.3"
    assert listing["query"] == "norwich" and set(listing["bundles"]) == {"r-norwich", "r-link"}
    import hashlib

    expected = hashlib.sha256((runs / "r-norwich" / "map" / "map.html").read_bytes()).hexdigest()
    assert (view["bundle"], view["product"], view["file"], view["sha256"]) == (
        "r-norwich",
        "map",
        "map.html",
        expected,
    )
    assert all(r["time"].endswith("Z") for r in records)


def test_the_served_audit_log_verifies(site):
    get(site[0], "/")
    result = subprocess.run(
        [sys.executable, "-m", "hotspots", "audit", "verify", str(site[2])],
        env={**os.environ, "PYTHONPATH": str(REPO / "src")},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "chain intact" in result.stdout


def test_unwritable_audit_log_fails_closed(tmp_path):
    runs = standard_runs(tmp_path / "runs")
    access = tmp_path / "ACCESS.toml"
    access.write_text(ACCESS_TOML, encoding="utf-8")
    blocked = tmp_path / "audit-is-a-folder"
    blocked.mkdir()
    with running_server(runs, access, "--audit-log", str(blocked)) as base:
        response = get(base, "/b/r-norwich/map/map.html")
    assert response.status_code == 503
    assert "Hotspot map" not in response.text


# --- command line ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--runs", "{tmp}/missing", "--access", "{tmp}/ACCESS.toml"], "no such folder"),
        (["--runs", "{tmp}", "--access", "{tmp}/nope.toml"], "cannot read the access file"),
        (
            ["--runs", "{tmp}", "--access", "{tmp}/ACCESS.toml", "--trusted-proxy", "proxy.local"],
            "expected an IP address or network",
        ),
    ],
    ids=["runs", "access", "trusted"],
)
def test_serve_bad_options_exit_2(tmp_path, args, message):
    (tmp_path / "ACCESS.toml").write_text(ACCESS_TOML, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "hotspots", "serve", *[a.format(tmp=tmp_path) for a in args]],
        env={**os.environ, "PYTHONPATH": str(REPO / "src")},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def test_marking_option_is_shown_escaped(tmp_path):
    runs = standard_runs(tmp_path / "runs")
    access = tmp_path / "ACCESS.toml"
    access.write_text(ACCESS_TOML, encoding="utf-8")
    with running_server(runs, access, "--marking", "OFFICIAL <b>x</b>") as base:
        text = get(base, "/").text
    assert "OFFICIAL &lt;b&gt;x&lt;/b&gt;" in text and "<b>x</b>" not in text
    assert "OFFICIAL-SENSITIVE" not in text


def test_custom_identity_headers(tmp_path):
    runs = standard_runs(tmp_path / "runs")
    access = tmp_path / "ACCESS.toml"
    access.write_text(ACCESS_TOML, encoding="utf-8")
    args = ("--user-header", "X-Auth-User", "--groups-header", "X-Auth-Groups")
    with running_server(runs, access, *args) as base:
        default_header = get(base, "/", user="alice")  # X-Remote-User is now just a header
        named = httpx.get(base + "/", headers={"X-Auth-User": "alice"})
        group = httpx.get(
            base + "/", headers={"X-Auth-User": "yvonne", "X-Auth-Groups": "GG-Yarmouth-Command"}
        )
    assert default_header.status_code == 401
    assert named.status_code == 200 and "/b/r-norwich/" in named.text
    assert group.status_code == 200 and "/b/r-yarmouth/" in group.text


@pytest.mark.parametrize(
    "manifest",
    ["{not json", '{"format": "hotspots-bundle/1", "run_id": "other"}', '{"format": "v0"}'],
    ids=["not-json", "wrong-run-id", "wrong-format"],
)
def test_a_bundle_with_a_bad_manifest_is_skipped_not_fatal(site, manifest):
    base, runs, _ = site
    bad = runs / "r-bad"
    (bad / "map").mkdir(parents=True)
    (bad / "map" / "map.html").write_text("x")
    (bad / "manifest.json").write_text(manifest)
    try:
        response = get(base, "/")
        assert response.status_code == 200
        assert "r-bad" not in response.text and "/b/r-norwich/" in response.text
        assert get(base, "/b/r-bad/map/map.html").status_code == 404
    finally:
        import shutil

        shutil.rmtree(bad)


def test_a_bundle_copied_in_by_hand_appears_once_its_manifest_does(site, tmp_path):
    base, runs, _ = site
    source = write_bundle(
        tmp_path,
        "r-copied",
        areas=[NORWICH],
        created="2024-01-01T00:00:00Z",
        products={"map": ("map", "internal", {"map.html": MAP_HTML.encode()})},
    )
    target = runs / "r-copied"
    (target / "map").mkdir(parents=True)  # as cp -r does: the folder first, files after
    (target / "map" / "map.html").write_bytes((source / "map" / "map.html").read_bytes())
    try:
        assert "r-copied" not in get(base, "/").text
        (target / "manifest.json").write_bytes((source / "manifest.json").read_bytes())
        assert "/b/r-copied/" in get(base, "/").text
        assert get(base, "/b/r-copied/map/map.html").status_code == 200
    finally:
        import shutil

        shutil.rmtree(target)
