"""Helpers for the service tests: hand-made bundles, an access file, a real server process.

The server is started as ``python -m hotspots serve`` on a free loopback port and stopped after
the test, so every request in the tests crosses a real socket into uvicorn.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

NORWICH = ("E07000148", "Norwich")
YARMOUTH = ("E07000145", "Great Yarmouth")
FORCE = "E23000024"  # Norfolk (ONS police force area code)

ACCESS_TOML = f"""
contact = "Force Analysis Unit <fau@example.police.uk>, ext. 4321"

[forces]
{FORCE} = ["{NORWICH[0]}", "{YARMOUTH[0]}"]

[users.alice]
role = "analyst"
areas = ["{FORCE}"]

[users.dave]
role = "analyst"
areas = ["{YARMOUTH[0]}"]

[users.carl]
role = "commander"
areas = ["{NORWICH[0]}"]

[users.pat]
role = "partner"
areas = ["{NORWICH[0]}"]

[groups."GG-Yarmouth-Command"]
role = "commander"
areas = ["{YARMOUTH[0]}"]
"""

MAP_CSP = (
    "default-src 'none'; script-src 'sha256-abc='; style-src 'unsafe-inline'; connect-src 'none'"
)
MAP_HTML = f"""<!DOCTYPE html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{MAP_CSP}" />
<title>map</title></head><body><h1 id="title">Hotspot map</h1></body></html>
"""


def write_bundle(
    runs: Path,
    run_id: str,
    *,
    areas: Sequence[tuple[str, str]],
    products: Mapping[str, tuple[str, str, Mapping[str, bytes]]],
    created: str,
    period: str = "2025Q3",
) -> Path:
    """Write ``runs/run_id`` with a manifest: products = name -> (kind, audience, {file: bytes})."""
    folder = runs / run_id
    listed = []
    for name, (kind, audience, files) in products.items():
        (folder / name).mkdir(parents=True)
        entries = []
        for file_name, data in files.items():
            (folder / name / file_name).write_bytes(data)
            entries.append(
                {
                    "name": file_name,
                    "bytes": len(data),
                    "sha256": hashlib.sha256(data).hexdigest(),
                    "event_level": file_name == "rejected.csv",
                }
            )
        listed.append({"name": name, "kind": kind, "audience": audience, "files": entries})
    manifest = {
        "format": "hotspots-bundle/1",
        "run_id": run_id,
        "job": "test-job",
        "created": created,
        "tool": "hotspots",
        "version": "test",
        "period": {"label": period, "start": "2025-07-01", "end": "2025-09-30"},
        "against": None,
        "areas": [{"code": c, "name": n} for c, n in areas],
        "inputs": [],
        "parameters": {},
        "products": listed,
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return folder


def standard_runs(runs: Path) -> Path:
    """Three bundles: Norwich (all kinds), Great Yarmouth (map, wide brief), force-wide map."""
    runs.mkdir(parents=True, exist_ok=True)
    write_bundle(
        runs,
        "r-norwich",
        areas=[NORWICH],
        created="2025-10-02T06:00:00Z",
        products={
            "map": (
                "map",
                "internal",
                {
                    "map.html": MAP_HTML.encode(),
                    "hotspots.geojson": b'{"type":"FeatureCollection","features":[]}',
                    "rejected.csv": b"source_row,reason\n3,missing_coordinates\n",
                    "summary.json": b"{}",
                },
            ),
            "brief": (
                "brief",
                "internal",
                {"briefing.html": b"<!DOCTYPE html><title>internal brief</title>"},
            ),
            "brief-wide": (
                "brief",
                "wide",
                {"briefing.html": b"<!DOCTYPE html><title>wide brief</title>"},
            ),
            "evaluate": ("evaluate", "internal", {"evaluation.csv": b"a,b\n1,2\n"}),
        },
    )
    write_bundle(
        runs,
        "r-yarmouth",
        areas=[YARMOUTH],
        created="2025-10-01T06:00:00Z",
        products={
            "map": ("map", "internal", {"map.html": MAP_HTML.encode()}),
            "brief-wide": (
                "brief",
                "wide",
                {"briefing.html": b"<!DOCTYPE html><title>wide brief</title>"},
            ),
        },
    )
    write_bundle(
        runs,
        "r-force",
        areas=[NORWICH, YARMOUTH],
        created="2025-10-03T06:00:00Z",
        products={
            "map": ("map", "internal", {"map.html": MAP_HTML.encode()}),
        },
    )
    return runs


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve_argv(runs: Path, access: Path, port: int, *extra: str) -> list[str]:
    """The command that starts ``hotspots serve`` on 127.0.0.1:``port`` (with src on PYTHONPATH)."""
    return [
        sys.executable,
        "-m",
        "hotspots",
        "serve",
        "--runs",
        str(runs),
        "--access",
        str(access),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        *extra,
    ]


@contextmanager
def running_server(runs: Path, access: Path, *extra: str, timeout_s: float = 30.0) -> Iterator[str]:
    """Start ``hotspots serve`` on 127.0.0.1 and a free port; yield its base URL; stop it."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    proc = subprocess.Popen(
        serve_argv(runs, access, port, *extra),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            if proc.poll() is not None:
                _, err = proc.communicate()
                raise RuntimeError(
                    f"server exited {proc.returncode}: {err.decode(errors='replace')}"
                )
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("server did not start in time") from None
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
