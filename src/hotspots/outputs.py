"""Deterministic file formats and all-or-nothing writing of an output folder.

Outputs are written into a temporary folder beside ``--out`` and moved into place only
when every file is complete: an interrupted or failed run leaves the previous complete
outputs (or none). Only the files this run writes are replaced; anything else in the
folder is left alone.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import math
import os
import re
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd

from hotspots import schema
from hotspots.errors import InputError, OutputError
from hotspots.process import raise_if_interrupted

#: Decimal places of WGS84 coordinates in GeoJSON outputs (1e-6 degrees is about 0.1 m).
COORD_DECIMALS = 6


class OutputFolder:
    """Files collected for one output folder; see :func:`writing`."""

    def __init__(self, staging: Path) -> None:
        self.staging = staging
        self.names: list[str] = []

    def write_text(self, name: str, text: str) -> None:
        """Stage a text file (UTF-8, ``\\n`` line endings)."""
        self.write_bytes(name, text.encode("utf-8"))

    def write_bytes(self, name: str, data: bytes) -> None:
        """Stage a binary file."""
        if not name or Path(name).name != name or name in {".", ".."}:
            raise ValueError(f"output name {name!r}: expected a plain file name without folders")
        (self.staging / name).write_bytes(data)
        if name not in self.names:
            self.names.append(name)


#: Input files of the running command: `writing` refuses to replace any of them.
_PROTECTED: ContextVar[tuple[Path, ...]] = ContextVar("hotspots_protected_inputs", default=())


@contextmanager
def inputs_protected(paths: Iterable[str | os.PathLike[str] | None]) -> Iterator[None]:
    """Within the block, `writing` refuses to replace any of `paths` (the run's input files).

    An input inside ``--out`` with an output's name (``rejected.csv``, ``areas.csv``) would
    otherwise be replaced by that output; hard links and symbolic links to it count too.
    """
    token = _PROTECTED.set(tuple(Path(p) for p in paths if p is not None and str(p)))
    try:
        yield
    finally:
        _PROTECTED.reset(token)


def _refuse_replacing_inputs(out_dir: Path, names: Iterable[str]) -> None:
    """Raise InputError if an output would replace one of the protected input files."""
    protected = _PROTECTED.get()
    if not protected:
        return
    for name in names:
        target = out_dir / name
        for source in protected:
            try:
                same = target.exists() and source.exists() and os.path.samefile(target, source)
            except OSError:
                same = False
            if same:
                raise InputError(
                    f"{source}: this input would be replaced by the output {name} in {out_dir}; "
                    "nothing was written. Move the input out of the output folder, rename it, or "
                    "give another --out."
                )


@contextmanager
def writing(out_dir: Path) -> Iterator[OutputFolder]:
    """Stage files in a temporary folder beside ``out_dir``; move them in on success.

    Files are written into ``.<out>.partial-…`` beside ``out_dir`` (inside it when it is
    a mount point, where a rename from beside it would fail). Only when the ``with``
    block ends without an error are they moved in: the previous versions of the same
    names are kept until every new file is in place, and put back if a move fails, so
    the folder holds the previous complete set or the new one, never a mixture. Ctrl-C
    and SIGTERM wait for that short step to finish. Files in ``out_dir`` that this run
    does not write are never touched; the staging folder is always removed.

    Raises
    ------
    OutputError
        The folder cannot be created or written.
    """
    out_dir = Path(out_dir).resolve()
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError(f"{out_dir}: exists and is not a folder; give a folder with --out")
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        staging_parent = out_dir if _is_mount_point(out_dir) else out_dir.parent
        staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.partial-", dir=staging_parent))
    except OSError as exc:
        raise OutputError(f"{out_dir}: cannot create the output folder ({exc.strerror or exc})") from None
    created = False
    try:
        folder = OutputFolder(staging)
        yield folder
        _refuse_replacing_inputs(out_dir, folder.names)
        raise_if_interrupted()  # an interrupt Python lost delivers nothing
        created = not out_dir.exists()
        out_dir.mkdir(parents=True, exist_ok=True)
        with _signals_deferred():
            _move_in(staging, out_dir, folder.names)
        created = False
    except OutputError:
        raise  # already says what could not be written (e.g. a --to-postgis database)
    except OSError as exc:
        raise OutputError(f"{out_dir}: cannot write outputs ({exc.strerror or exc})") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if created:  # a first run that failed while moving in leaves no empty folder behind
            with contextlib.suppress(OSError):
                out_dir.rmdir()


def _is_mount_point(path: Path) -> bool:
    try:
        return path.is_dir() and path.stat().st_dev != path.parent.stat().st_dev
    except OSError:
        return False


def _move_in(staging: Path, out_dir: Path, names: list[str]) -> None:
    """Replace ``names`` in ``out_dir`` by the staged files, all or none."""
    previous = staging / ".previous"
    previous.mkdir()
    saved: set[str] = set()
    placed: list[str] = []
    try:
        for name in names:
            target = out_dir / name
            if target.is_file():
                _keep_copy(target, previous / name)
                saved.add(name)
        for name in names:
            os.replace(staging / name, out_dir / name)
            placed.append(name)
    except BaseException:
        for name in reversed(placed):  # put the previous set back
            with contextlib.suppress(OSError):
                if name in saved:
                    os.replace(previous / name, out_dir / name)
                else:
                    (out_dir / name).unlink(missing_ok=True)
        raise


def _keep_copy(source: Path, destination: Path) -> None:
    """A hard link (instant, no space) where the file system allows, else a copy."""
    try:
        os.link(source, destination)
    except OSError:
        shutil.copy2(source, destination)


@contextmanager
def _signals_deferred() -> Iterator[None]:
    """Hold SIGINT and SIGTERM until the block ends, then deliver them."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[signal.Signals] = []

    def hold(signum: int, _frame: Any) -> None:
        received.append(signal.Signals(signum))

    previous = {sig: signal.signal(sig, hold) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        for sig in dict.fromkeys(received):
            signal.raise_signal(sig)


def _plain(value: Any) -> Any:
    """A JSON-ready version of numpy and pandas scalars; NaN becomes null."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return None if not math.isfinite(value) else round(value, 4)
    if value is pd.NaT or value is None:
        return None
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    return value


def _plain_column(column: pd.Series) -> list[Any]:
    """``[_plain(v) for v in column]``, with the common column types done a column at a time."""
    if pd.api.types.is_float_dtype(column.dtype) and not isinstance(column.dtype, pd.ArrowDtype):
        return [round(v, 4) if math.isfinite(v) else None for v in column.to_numpy(float).tolist()]
    if pd.api.types.is_integer_dtype(column.dtype) and not pd.api.types.is_extension_array_dtype(column.dtype):
        return column.to_numpy().tolist()
    return [_plain(v) for v in column.tolist()]


def _jsonable(data: Any) -> Any:
    """``data`` with numpy and pandas values made plain and NaN/infinity as null."""
    if isinstance(data, Mapping):
        return {(k.item() if isinstance(k, np.generic) else k): _jsonable(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [_jsonable(v) for v in data]
    if isinstance(data, np.ndarray):
        return [_jsonable(v) for v in data.tolist()]
    if isinstance(data, float) and not isinstance(data, np.floating):
        return data if math.isfinite(data) else None
    if isinstance(data, (str, int, bool)) or data is None:
        return data
    return _plain(data)


def json_text(data: Any) -> str:
    """Stable JSON: 2-space indent, keys in insertion order, UTF-8, final newline.

    NaN and infinity (not valid JSON) are written as ``null``.
    """
    return json.dumps(_jsonable(data), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


#: Text cells starting with one of these are formulas to a spreadsheet (OWASP's CSV injection list).
FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?")


def neutralise_formula(value: object) -> object:
    """Prefix ``'`` to a text cell a spreadsheet would run as a formula; leave the rest alone.

    A text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is a formula
    to Excel, LibreOffice and Google Sheets (``=HYPERLINK(...)``, ``@SUM(...)``), so it gets a
    leading apostrophe, which spreadsheets show as text (OWASP's rule). A cell that is a plain
    number (``-1.2963``, ``+5``, ``-2,5``) is left as it is: it is data, not a formula, and a
    negative easting stays a number.

    Examples
    --------
    >>> neutralise_formula("=1+2")
    "'=1+2"
    >>> neutralise_formula("-1.2963")
    '-1.2963'
    """
    if (
        isinstance(value, str)
        and value.startswith(FORMULA_STARTS)
        and not _PLAIN_NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value


def csv_text(frame: pd.DataFrame) -> str:
    """Stable CSV: no index, ``\\n`` line endings, floats rounded to 4 decimals, NaN empty.

    A carriage return inside a value is written as ``\\n``: Python's csv writer quotes a
    value only for the line ending it writes, so a bare ``\\r`` would split the row for
    every reader. Text cells that a spreadsheet would run as a formula are neutralised
    (`neutralise_formula`); numbers are never changed. Every CSV output goes through here.
    """
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_float_dtype(out[column]):
            out[column] = out[column].round(4)
        elif pd.api.types.is_string_dtype(out[column]) or out[column].dtype == object:
            text = out[column]
            risky = text.map(
                lambda v: isinstance(v, str) and v.startswith(FORMULA_STARTS)
            ).to_numpy(dtype=bool)
            if risky.any():
                text = text.where(~risky, text.map(neutralise_formula))
                out[column] = text
            try:
                has_cr = text.str.contains("\r", regex=False, na=False).to_numpy(dtype=bool)
            except AttributeError:  # an object column that is not text
                continue
            if has_cr.any():
                out[column] = text.where(~has_cr, text.str.replace("\r\n?", "\n", regex=True))
    return out.to_csv(index=False, lineterminator="\n")


def web_frame(frame: Any) -> Any:
    """Reproject to WGS84 and round coordinates to :data:`COORD_DECIMALS`, for web outputs.

    Raises
    ------
    InputError
        The frame has no CRS.
    """
    import geopandas as gpd

    from hotspots.geojson import web_geometries

    if frame.crs is None:
        raise InputError("web_frame: the frame has no CRS; set it with set_crs() first")
    geometry = web_geometries(frame.geometry.values, frame.crs, COORD_DECIMALS)
    return frame.set_geometry(gpd.GeoSeries(geometry, index=frame.index, crs=schema.CRS_WEB, name=frame.geometry.name))


def geojson_text(frame: Any, properties: list[str]) -> str:
    """A WGS84 FeatureCollection, one feature per row, one line per feature.

    Coordinates are rounded to :data:`COORD_DECIMALS`; properties keep the given order.
    """
    from hotspots.geojson import geometry_json

    web = web_frame(frame)
    columns = [_plain_column(web[name]) for name in properties]
    records = (
        [dict(zip(properties, values, strict=True)) for values in zip(*columns, strict=True)]
        if properties
        else [{} for _ in range(len(web))]
    )
    geometries = geometry_json(web.geometry.to_numpy(), COORD_DECIMALS)
    lines = [
        '{"type":"Feature","properties":'
        + json.dumps(record, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        + ',"geometry":'
        + geometry
        + "}"
        for record, geometry in zip(records, geometries, strict=True)
    ]
    body = ",\n".join(lines)
    return '{"type":"FeatureCollection","features":[\n' + body + ("\n" if lines else "") + "]}\n"
