"""``outputs.gpkg``: the results as one GeoPackage in British National Grid, styled for QGIS.

Layers (EPSG:27700, MultiPolygon, the same fields as the GeoJSON outputs):

``hotspots``
    one row per harm hotspot (the fields of ``hotspots.geojson``);
``enforcement_clusters``
    one row per enforcement cluster (``enforcement_clusters.geojson``);
``districts``
    the study-area districts with their figures (``areas.csv`` for ``map``,
    ``area_changes.csv`` for ``compare``);
``changes`` (``compare`` only)
    every hotspot of both periods with its change class (``changes.geojson``);
``layer_styles``
    the table QGIS reads when a layer is opened: one default QML style per layer, coloured as the
    HTML maps are (:mod:`hotspots.export.styles`). ArcGIS Pro ignores it and draws its defaults.

Determinism: GDAL stamps the GeoPackage with the time of writing (``gpkg_contents.last_change``);
it is fixed to :data:`FIXED_TIMESTAMP` through GDAL's ``OGR_CURRENT_DATE`` option, as is
``layer_styles.update_time``. With that, writing the same results twice gives the same bytes (the
SQLite file records no time, host or path). What is *not* promised: the same bytes from another
GDAL or SQLite version, whose page layout or metadata tables may differ.
"""

from __future__ import annotations

import contextlib
import sqlite3
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final

import pandas as pd

from hotspots import schema
from hotspots.export import FIXED_TIME

if TYPE_CHECKING:
    import geopandas as gpd

    from hotspots.compare import Comparison
    from hotspots.model import Analysis

__all__ = [
    "FIXED_TIMESTAMP",
    "GPKG_NAME",
    "Layer",
    "compare_layers",
    "gpkg_bytes",
    "map_layers",
    "write_gpkg",
]

#: File name of the GeoPackage in an output folder.
GPKG_NAME: Final = "outputs.gpkg"
#: The time written wherever the GeoPackage format asks for one (UTC, ISO 8601 with milliseconds).
FIXED_TIMESTAMP: Final = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%S.000Z")
#: Name GDAL gives the geometry column (GeoPackage's usual ``geom``); the styles refer to it.
GEOMETRY_COLUMN: Final = "geom"
STYLES_TABLE: Final = "layer_styles"


@dataclass(frozen=True)
class Layer:
    """One GeoPackage layer: a polygon table in EPSG:27700, its QGIS style and a description."""

    name: str
    frame: gpd.GeoDataFrame
    style_qml: str
    description: str


# --- layers of each command ------------------------------------------------------------------


def _attributes(frame: gpd.GeoDataFrame, columns: Sequence[str] | None = None) -> gpd.GeoDataFrame:
    """The given columns (default: all but geometry) and the geometry, index reset, in EPSG:27700."""
    import geopandas as gpd

    if frame.crs is None:
        raise ValueError("outputs.gpkg: a layer has no CRS; expected EPSG:27700")
    names = (
        [c for c in frame.columns if c != frame.geometry.name] if columns is None else list(columns)
    )
    table = pd.DataFrame({name: frame[name].to_numpy() for name in names})
    out = gpd.GeoDataFrame(table, geometry=frame.geometry.to_numpy(), crs=frame.crs)
    return out.to_crs(schema.CRS_METRIC) if not out.crs.equals(schema.CRS_METRIC) else out


def map_layers(analysis: Analysis) -> list[Layer]:
    """The layers of ``hotspots map``: hotspots, enforcement clusters, districts."""
    from hotspots.export import styles
    from hotspots.render.map import harm_breaks

    thin_ratio = float(analysis.params.thin_ratio)
    breaks = harm_breaks(analysis.areas["harm_in_thin_hotspots"].tolist())
    return [
        Layer(
            "hotspots",
            _attributes(analysis.hotspots),
            styles.hotspots_style(thin_ratio),
            "Harm hotspots: DBSCAN clusters of the period's harm events, footprint polygons; "
            "fields as hotspots.geojson",
        ),
        Layer(
            "enforcement_clusters",
            _attributes(analysis.enforcement_clusters),
            styles.enforcement_clusters_style(),
            "DBSCAN clusters of the period's enforcement events; fields as enforcement_clusters.geojson",
        ),
        Layer(
            "districts",
            _attributes(analysis.areas),
            styles.districts_style(breaks),
            "Study-area districts with the period's figures; fields as areas.csv",
        ),
    ]


def compare_layers(comparison: Comparison, previous: Analysis, current: Analysis) -> list[Layer]:
    """The layers of ``hotspots compare``: the current period's hotspots and clusters, districts
    with both periods' figures and the changes, and every hotspot of both periods as ``changes``.
    """
    from hotspots.compare import GEOJSON_COLUMNS
    from hotspots.export import styles
    from hotspots.render.compare_map import _area_polygons

    thin_ratio = float(current.params.thin_ratio)
    # The comparison map's own district table: area_changes.csv's rows with the polygons and the
    # change in harm inside thin hotspots it shades by (thin_harm_previous/current/p/class).
    districts = _area_polygons(comparison, previous, current)
    return [
        Layer(
            "hotspots",
            _attributes(current.hotspots),
            styles.hotspots_style(thin_ratio),
            "Harm hotspots of the current period; fields as hotspots.geojson of hotspots map",
        ),
        Layer(
            "enforcement_clusters",
            _attributes(current.enforcement_clusters),
            styles.enforcement_clusters_style(),
            "Enforcement clusters of the current period",
        ),
        Layer(
            "districts",
            _attributes(districts),
            styles.compare_districts_style(),
            "Districts with both periods' figures and the changes: the fields of area_changes.csv, "
            "then thin_harm_previous/current (harm events inside thin hotspots), thin_harm_p (count "
            "test) and thin_harm_class (rose, fell, no significant change, no thin hotspot)",
        ),
        Layer(
            "changes",
            _attributes(comparison.hotspots, GEOJSON_COLUMNS),
            styles.changes_style(),
            "Every hotspot of both periods with its change class; fields as changes.geojson",
        ),
    ]


# --- writing ---------------------------------------------------------------------------------


@contextmanager
def _gdal_options(options: dict[str, str]) -> Iterator[None]:
    """Set GDAL configuration options for the block, then restore the previous values."""
    import pyogrio

    previous = {key: pyogrio.get_gdal_config_option(key) for key in options}
    pyogrio.set_gdal_config_options(options)
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options(previous)


def _styles_table(layers: Sequence[Layer]) -> pd.DataFrame:
    """Rows of ``layer_styles`` as QGIS writes them (one default style per layer)."""
    return pd.DataFrame(
        {
            "f_table_catalog": ["" for _ in layers],
            "f_table_schema": ["" for _ in layers],
            "f_table_name": [layer.name for layer in layers],
            "f_geometry_column": [GEOMETRY_COLUMN for _ in layers],
            "styleName": [layer.name for layer in layers],
            "styleQML": [layer.style_qml for layer in layers],
            "styleSLD": ["" for _ in layers],
            "useAsDefault": [True for _ in layers],
            "description": [
                f"hotspots: {layer.name}, coloured as the HTML map" for layer in layers
            ],
            "owner": ["" for _ in layers],
            "ui": ["" for _ in layers],
            "update_time": pd.to_datetime([FIXED_TIMESTAMP for _ in layers], utc=True),
        }
    )


def write_gpkg(path: Path, layers: Sequence[Layer]) -> None:
    """Write the layers and their QGIS styles into a new GeoPackage at ``path``.

    Parameters
    ----------
    path
        The file to create; an existing file is replaced.
    layers
        Polygon layers (EPSG:27700), written in order; names must be distinct.

    Raises
    ------
    ValueError
        Two layers share a name, or a layer is called ``layer_styles``.
    """
    import pyogrio

    names = [layer.name for layer in layers]
    if len(set(names)) != len(names) or STYLES_TABLE in names:
        raise ValueError(
            f"outputs.gpkg: layer names must be distinct and not {STYLES_TABLE!r}: {names}"
        )
    path = Path(path)
    path.unlink(missing_ok=True)
    with _gdal_options({"OGR_CURRENT_DATE": FIXED_TIMESTAMP}):
        for layer in layers:
            pyogrio.write_dataframe(
                layer.frame,
                path,
                layer=layer.name,
                driver="GPKG",
                geometry_type="MultiPolygon",
                promote_to_multi=True,
                layer_options={
                    "GEOMETRY_NAME": GEOMETRY_COLUMN,
                    "DESCRIPTION": layer.description,
                    "SPATIAL_INDEX": "YES",
                },
                append=path.exists(),
                # GeoPackage 1.2: what GDAL 3.6 (Debian 12's QGIS) and ArcGIS Pro read without warning.
                dataset_options=None if path.exists() else {"VERSION": "1.2"},
            )
        pyogrio.write_dataframe(
            _styles_table(layers),
            path,
            layer=STYLES_TABLE,
            driver="GPKG",
            layer_options={"FID": "id", "DESCRIPTION": "QGIS layer styles (QML)"},
            append=True,
        )
    # GDAL writes a whole-second time without its milliseconds, which the GeoPackage date-time
    # format requires (readers warn "non-conformant content"); write it in full.
    with contextlib.closing(sqlite3.connect(path)) as db, db:
        db.execute(f"UPDATE {STYLES_TABLE} SET update_time = ?", (FIXED_TIMESTAMP,))


def gpkg_bytes(layers: Sequence[Layer]) -> bytes:
    """The GeoPackage of :func:`write_gpkg` as bytes (written in a temporary folder)."""
    with tempfile.TemporaryDirectory(prefix="hotspots-gpkg-") as folder:
        path = Path(folder) / GPKG_NAME
        write_gpkg(path, layers)
        return path.read_bytes()


def layer_names(path: Path) -> list[str]:
    """The layers of a GeoPackage, in the order GDAL lists them (for tests and docs)."""
    import pyogrio

    return [str(name) for name, _kind in pyogrio.list_layers(path)]
