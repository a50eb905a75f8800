"""Published bundles: the ``manifest.json`` that describes one run's products, read and checked.

A bundle is a folder ``RUNS/<run id>/`` written once by ``hotspots run`` and never changed::

    RUNS/20261206T021500Z-norfolk-quarterly/
        manifest.json
        map/map.html, map/hotspots.geojson, ..., map/rejected.csv
        brief-wide/briefing.html, ...

``manifest.json`` (``format`` = ``hotspots-bundle/1``) records the run id, job name, creation
time (UTC), tool and version, the period (and the earlier period compared against), the areas
covered (``code``, ``name``), the inputs' SHA-256, the parameters, and each product: its
``name`` (its folder), ``kind`` (map, compare, brief, evaluate), ``audience`` (internal or wide)
and files (``name``, ``bytes``, ``sha256``, ``event_level``). The service lists and serves only
what a manifest names, so a stray file in a bundle folder is never reachable.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from hotspots.access import AUDIENCES, KINDS
from hotspots.errors import InputError

__all__ = [
    "BUNDLE_FORMAT",
    "MANIFEST",
    "SAFE_NAME",
    "Bundle",
    "BundleFile",
    "Product",
    "bundle_from_manifest",
    "read_bundle",
]

MANIFEST: Final = "manifest.json"
BUNDLE_FORMAT: Final = "hotspots-bundle/1"
#: Run ids, product names and file names: no separators, no leading dot, nothing to escape.
SAFE_NAME: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


@dataclass(frozen=True)
class BundleFile:
    """One file of a product, as the manifest lists it."""

    name: str
    size: int
    sha256: str
    event_level: bool


@dataclass(frozen=True)
class Product:
    """One product of a bundle: a folder of files of one kind for one audience."""

    name: str
    kind: str
    audience: str
    files: tuple[BundleFile, ...]

    def file(self, name: str) -> BundleFile | None:
        """The listed file of this name, or None."""
        return next((f for f in self.files if f.name == name), None)


@dataclass(frozen=True)
class Bundle:
    """A published run, from its manifest."""

    run_id: str
    job: str
    created: str
    period: Mapping[str, str]
    against: Mapping[str, str] | None
    areas: tuple[tuple[str, str], ...]  # (code, name)
    products: tuple[Product, ...]
    manifest: Mapping[str, Any]

    @property
    def area_codes(self) -> tuple[str, ...]:
        """The codes of the areas covered."""
        return tuple(code for code, _ in self.areas)

    def product(self, name: str) -> Product | None:
        """The product of this name, or None."""
        return next((p for p in self.products if p.name == name), None)


def _need(condition: bool, where: str, problem: str) -> None:
    if not condition:
        raise InputError(f"{where}: {problem}")


def bundle_from_manifest(data: Mapping[str, Any], run_id: str, where: str = MANIFEST) -> Bundle:
    """Check a parsed manifest and build its `Bundle`.

    Raises
    ------
    InputError
        A field is missing or malformed, or a name is unsafe (names may hold only letters,
        digits, ``.``, ``_`` and ``-`` and must not start with a dot).
    """
    _need(isinstance(data, dict), where, "expected a JSON object")
    _need(
        data.get("format") == BUNDLE_FORMAT,
        where,
        f"format is {data.get('format')!r}, expected {BUNDLE_FORMAT!r}",
    )
    _need(
        data.get("run_id") == run_id,
        where,
        f"run_id {data.get('run_id')!r} does not match its folder {run_id!r}",
    )
    _need(bool(SAFE_NAME.match(run_id)), where, f"unsafe run id {run_id!r}")
    period = data.get("period")
    _need(
        isinstance(period, dict) and isinstance(period.get("label"), str),
        where,
        "period.label is missing",
    )
    areas_raw = data.get("areas")
    _need(
        isinstance(areas_raw, list) and bool(areas_raw),
        where,
        "areas must list at least one {code, name}",
    )
    areas = []
    for area in areas_raw or []:
        _need(
            isinstance(area, dict) and isinstance(area.get("code"), str) and area["code"],
            where,
            f"bad area {area!r}",
        )
        areas.append((area["code"], str(area.get("name") or area["code"])))
    products = []
    names: set[str] = set()
    for product in data.get("products") or []:
        _need(isinstance(product, dict), where, "each product must be an object")
        name = product.get("name")
        _need(
            isinstance(name, str) and bool(SAFE_NAME.match(name)),
            where,
            f"unsafe product name {name!r}",
        )
        _need(name not in names, where, f"product {name!r} listed twice")
        names.add(name)
        _need(
            product.get("kind") in KINDS,
            where,
            f"product {name}: kind {product.get('kind')!r} not in {KINDS}",
        )
        _need(
            product.get("audience") in AUDIENCES,
            where,
            f"product {name}: audience {product.get('audience')!r} not in {AUDIENCES}",
        )
        files = []
        for item in product.get("files") or []:
            _need(isinstance(item, dict), where, f"product {name}: each file must be an object")
            fname = item.get("name")
            _need(
                isinstance(fname, str) and bool(SAFE_NAME.match(fname)),
                where,
                f"product {name}: unsafe file name {fname!r}",
            )
            sha = item.get("sha256")
            _need(
                isinstance(sha, str) and bool(re.fullmatch(r"[0-9a-f]{64}", sha)),
                where,
                f"{name}/{fname}: bad sha256",
            )
            size = item.get("bytes")
            _need(isinstance(size, int) and size >= 0, where, f"{name}/{fname}: bad bytes")
            files.append(BundleFile(fname, size, sha, bool(item.get("event_level", False))))
        products.append(Product(name, product["kind"], product["audience"], tuple(files)))
    against = data.get("against")
    return Bundle(
        run_id=run_id,
        job=str(data.get("job") or ""),
        created=str(data.get("created") or ""),
        period={str(k): str(v) for k, v in (period or {}).items()},
        against={str(k): str(v) for k, v in against.items()} if isinstance(against, dict) else None,
        areas=tuple(areas),
        products=tuple(products),
        manifest=data,
    )


def read_bundle(folder: Path) -> Bundle:
    """Read and check ``folder/manifest.json``.

    Raises
    ------
    InputError
        The manifest is missing, not JSON, or invalid.
    """
    path = folder / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    except ValueError as exc:
        raise InputError(f"{path}: not valid JSON ({exc})") from None
    return bundle_from_manifest(data, folder.name, str(path))
