"""Check a user's district boundaries as GIS exports really are, before they are used.

A boundaries file from a GIS is often not one polygon per district: shapefile exports split
multi-part districts into one feature per part, some features lack a code or a name, a layer
of points or lines is picked by mistake, or a CSV table is passed instead of a spatial file.
`check_boundaries` turns each of these into a clear refusal (`InputError`, exit 2) naming the
features, or -- for parts of one district -- merges them into one feature and says so.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Final

from hotspots.errors import InputError

__all__ = ["POLYGON_TYPES", "check_boundaries", "check_boundary_fields", "check_spatial"]

#: Geometry types a district may have.
POLYGON_TYPES: Final = ("Polygon", "MultiPolygon")
#: How many feature numbers a message lists before "and N more".
_LISTED: Final = 10


def _features(numbers: list[int]) -> str:
    """``"features 3, 7 and 9"`` (1-based, as GIS attribute tables number them)."""
    shown = [str(n) for n in numbers[:_LISTED]]
    more = len(numbers) - len(shown)
    text = ", ".join(shown[:-1]) + (" and " if len(shown) > 1 else "") + shown[-1]
    if more:
        text = ", ".join(shown) + f" and {more} more"
    return ("feature " if len(numbers) == 1 else "features ") + text


def check_boundary_fields(file: Path, code_field: str, name_field: str) -> None:
    """Refuse one field named for both the district code and the district name.

    Raises
    ------
    InputError
        If `code_field` and `name_field` are the same field.
    """
    if code_field == name_field:
        raise InputError(
            f"{file}: the same field {code_field!r} is given for the district code and the "
            "district name; name two different fields with --boundary-code-field and "
            "--boundary-name-field"
        )


def check_spatial(frame: Any, file: Path) -> None:
    """Refuse a file read without geometry (a CSV or a plain table passed as boundaries).

    Raises
    ------
    InputError
        If `frame` has no active geometry column.
    """
    import geopandas as gpd

    if not isinstance(frame, gpd.GeoDataFrame) or frame._geometry_column_name not in frame.columns:
        raise InputError(
            f"{file}: not a spatial file (no geometry column): --boundaries needs district "
            "polygons, e.g. GeoJSON, GeoPackage or a shapefile, not a table"
        )


def _blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return not str(value).strip()


def check_boundaries(
    frame: Any, file: Path, code_field: str, name_field: str
) -> tuple[Any, tuple[str, ...]]:
    """Check district features and merge the parts of multi-part districts.

    Parameters
    ----------
    frame
        The file as read (a GeoDataFrame, or a plain DataFrame for a file without geometry).
    file
        The file, for messages.
    code_field, name_field
        The fields holding the district code and name (both present in `frame`).

    Returns
    -------
    tuple
        The features, one per district code (parts of one code merged into one multi-part
        geometry, in the order of each code's first feature), and notes for the summary.

    Raises
    ------
    InputError
        If the file has no geometry, a feature is not a polygon, a code or a name is empty or
        missing, or one code has two names. Every problem is listed with feature numbers
        (1-based).
    """
    import geopandas as gpd
    import shapely

    check_boundary_fields(file, code_field, name_field)
    check_spatial(frame, file)
    problems: list[str] = []
    geometry = frame.geometry
    wrong = [
        (i + 1, g.geom_type)
        for i, g in enumerate(geometry)
        if g is not None and not g.is_empty and g.geom_type not in POLYGON_TYPES
    ]
    if wrong:
        kinds = sorted({t for _, t in wrong})
        problems.append(
            f"{_features([n for n, _ in wrong])} {'is' if len(wrong) == 1 else 'are'} "
            f"{', '.join(kinds)}, not polygons: districts must be Polygon or MultiPolygon "
            "(a layer of points or lines was probably chosen)"
        )
    for field, what in ((code_field, "code"), (name_field, "name")):
        empty = [i + 1 for i, v in enumerate(frame[field]) if _blank(v)]
        if empty:
            problems.append(
                f"{_features(empty)} {'has' if len(empty) == 1 else 'have'} no district {what} "
                f"(field {field!r} empty)"
            )
    if problems:
        raise InputError(f"{file}: " + "; ".join(problems) + ". Fix the file in your GIS.")

    codes = frame[code_field].astype(str).str.strip()
    names = frame[name_field].astype(str).str.strip()
    clashes = []
    for code, group in names.groupby(codes, sort=True):
        distinct = sorted(set(group))
        if len(distinct) > 1:
            clashes.append(f"{code!r} is named {' and '.join(repr(n) for n in distinct)}")
    if clashes:
        raise InputError(
            f"{file}: one district code has two names ({'; '.join(clashes[:_LISTED])}): "
            "codes must name one district; fix the codes or names in your GIS"
        )
    notes: tuple[str, ...] = ()
    counts = codes.value_counts()
    split = sorted(counts[counts > 1].index)
    if split:
        kept = frame.assign(**{code_field: codes, name_field: names})
        order = list(dict.fromkeys(codes))
        merged = []
        for code in order:
            part = kept[codes == code]
            row = part.iloc[0].copy()
            row[kept.geometry.name] = shapely.union_all(
                [g for g in part.geometry if g is not None and not g.is_empty]
            )
            merged.append(row)
        frame = gpd.GeoDataFrame(merged, geometry=kept.geometry.name, crs=frame.crs)
        more = len(split) - _LISTED
        listed = ", ".join(split[:_LISTED]) + (f" and {more} more" if more > 0 else "")
        were = "district was" if len(split) == 1 else "districts were"
        notes = (
            (
                f"{file.name}: {len(split)} {were} split across several features (multi-part "
                f"districts): the parts of {listed} were merged into one district each"
            ),
        )
    return frame, notes
