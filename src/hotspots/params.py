"""Every tunable of an analysis, validated on creation, with optional TOML loading.

A config file (``--config``) has up to six tables; every key is optional::

    [columns]            # your header -> the column hotspots expects
    id = "Crime ID"
    type = "Crime type"
    date = "Month"
    lat = "Latitude"
    lon = "Longitude"
    time = "Time"        # optional: time of day, when not part of the date
    date_from = "From"   # optional: a window (from .. to), see docs/time.md
    date_to = "To"
    # easting / northing (EPSG:27700), or x / y with crs = "EPSG:…"

    [types]              # your label -> an event type (matched case-insensitively)
    "warrant executed" = "raid"
    "drugs seized" = "seizure"

    [roles]              # new event types and their role: "harm" or "enforcement"
    robbery = "harm"

    [ignore]             # labels recorded but not analysed (counted apart from rejected rows)
    types = ["Shoplifting"]
    other_types = false  # true: every label not named in [types] is not analysed

    [analysis]           # the same names as the command-line options
    eps_m = 400
    min_samples = 3

    [labels]             # what harm and enforcement stand for (hotspots.labels)
    harm = "robbery"
    harm_description = "Robbery — a stand-in for drug-market harm"

Command-line options override the config file.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from hotspots import schema
from hotspots.errors import ConfigError
from hotspots.labels import Labels, labels_from_table
from hotspots.period import Period
from hotspots.tiles import basemap_from_tiles

#: Default DBSCAN radius. Cuckooing reports cluster at the scale of a few streets or an estate;
#: 400 m joins addresses in one neighbourhood without bridging separate villages.
DEFAULT_EPS_M = 400.0
#: Default DBSCAN density. Harm events are sparse (hundreds a quarter across a county), so three
#: reports within reach of each other in one quarter is already a pattern worth tasking.
DEFAULT_MIN_SAMPLES = 3
#: A hotspot is thin when enforcement events in its footprint number fewer than this many per
#: harm event (0.5: fewer than one warrant or seizure for every two cuckooing reports).
DEFAULT_THIN_RATIO = 0.5
#: Points this close to a boundary but outside every polygon are given to the nearest area:
#: generalised, coast-clipped boundaries leave genuine seafront and estuary points outside.
DEFAULT_COAST_TOLERANCE_M = 1000.0
#: An exact coordinate holding at least this many analysed events is reported as a stacked point.
DEFAULT_STACK_MIN = 5
#: A hotspot whose harm events sit at fewer distinct coordinates (to 1 m) than this is a
#: "few locations" hotspot: 2 singles out hotspots whose every event is at one point.
DEFAULT_MIN_LOCATIONS = 2
#: What a few-locations hotspot is. "flag": ranked as usual and flagged everywhere (force data:
#: one cuckooed address reported many times is exactly what a briefing needs); "demote": ranked
#: after every other hotspot, out of the priorities, listed under "check the geocoding" (police.uk
#: snaps every event to an anonymising point, so one point can be a whole street).
FEW_LOCATIONS_CHOICES = ("flag", "demote")

#: Upper bound of every distance parameter (eps, footprint margin, coast tolerance): 100 km is
#: wider than any county, so a larger value cannot mean a hotspot; far larger ones (1e8, 1e308)
#: overflow the geometry library into NaN and Infinity.
MAX_DISTANCE_M = 100_000.0
#: Upper bound of the count parameters (min_samples, stack_min): more events than any input holds;
#: 2**63 overflows the integer arrays DBSCAN counts with.
MAX_COUNT = 1_000_000_000

ENGINE_NAMES = schema.ENGINE_NAMES
DATE_ORDERS = ("auto", "dmy", "mdy")


@dataclass(frozen=True)
class ColumnNames:
    """Which input column holds each field the tool reads (names as in the file)."""

    id: str = schema.COL_ID
    type: str = schema.COL_TYPE
    date: str = schema.COL_DATE
    lat: str = schema.COL_LAT
    lon: str = schema.COL_LON
    easting: str = schema.COL_EASTING
    northing: str = schema.COL_NORTHING
    x: str | None = None
    y: str | None = None
    crs: str | None = None  # the CRS of x / y
    time: str = schema.COL_TIME  # optional: time of day of ``date``
    date_from: str = schema.COL_DATE_FROM  # optional: an aoristic window's start (date, time)
    date_to: str = schema.COL_DATE_TO  # optional: ... and its end
    renamed: frozenset[str] = frozenset()  # fields the user named explicitly

    def __post_init__(self) -> None:
        if (self.x is None) != (self.y is None):
            raise ConfigError("columns: give both x and y, or neither")
        if self.x is not None and not self.crs:
            raise ConfigError(
                f"columns: x/y columns ({self.x!r}, {self.y!r}) need their CRS; "
                "pass --crs EPSG:27700 (or the EPSG code of your data), or set crs in [columns]"
            )


@dataclass(frozen=True)
class EventTypes:
    """The event-type vocabulary: labels, canonical types and their roles."""

    roles: Mapping[str, str] = field(default_factory=lambda: dict(schema.DEFAULT_TYPE_ROLES))
    aliases: Mapping[str, str] = field(default_factory=dict)  # casefolded label -> type
    ignored: frozenset[str] = frozenset()  # casefolded labels recorded but not analysed
    ignore_others: bool = False
    #: type -> the user's label for it as the config writes it (first one given); tooltips and
    #: tables show it ("Robbery 3", not "robbery 3"). Types without one show their own name.
    type_labels: Mapping[str, str] = field(default_factory=dict)
    #: what harm and enforcement stand for, in the user's words ([labels], hotspots.labels)
    labels: Labels = field(default_factory=Labels)

    def __post_init__(self) -> None:
        for type_name, role in self.roles.items():
            if role not in schema.ROLES:
                raise ConfigError(
                    f"roles: type {type_name!r} has role {role!r}; expected one of {', '.join(schema.ROLES)}"
                )
        for label, type_name in self.aliases.items():
            if type_name not in self.roles:
                raise ConfigError(
                    f"types: label {label!r} maps to {type_name!r}, which has no role; "
                    f"add it under [roles] or use one of {', '.join(sorted(self.roles))}"
                )

    def label_of(self, type_name: str) -> str:
        """The user's label of an event type (``"Robbery"``), else the type's own name."""
        return self.type_labels.get(type_name, type_name)

    def lookup(self) -> dict[str, str]:
        """Casefolded label -> canonical type, including each type's own name."""
        table = {name.casefold(): name for name in self.roles}
        table.update(self.aliases)
        return table


@dataclass(frozen=True)
class AnalysisParams:
    """The parameters of one analysis; invalid values raise ConfigError on creation."""

    eps_m: float = DEFAULT_EPS_M
    min_samples: int = DEFAULT_MIN_SAMPLES
    footprint_margin_m: float | None = None  # None: half of eps_m
    thin_ratio: float = DEFAULT_THIN_RATIO
    engine: str = schema.ENGINE_GRID
    period: Period | None = None
    study_area: tuple[str, ...] = ()  # area codes or names; empty: every area holding events
    date_order: str = "auto"
    coast_tolerance_m: float = DEFAULT_COAST_TOLERANCE_M
    stack_min: int = DEFAULT_STACK_MIN
    min_locations: int = DEFAULT_MIN_LOCATIONS
    few_locations: str = "flag"  # one of FEW_LOCATIONS_CHOICES
    eps_source: str = ""  # how eps_m was chosen when not given, e.g. "auto: k-distance knee"

    def __post_init__(self) -> None:
        _positive("eps_m", self.eps_m, MAX_DISTANCE_M)
        if self.footprint_margin_m is not None:
            _non_negative("footprint_margin_m", self.footprint_margin_m, MAX_DISTANCE_M)
        _non_negative("thin_ratio", self.thin_ratio)
        _non_negative("coast_tolerance_m", self.coast_tolerance_m, MAX_DISTANCE_M)
        _whole_at_least("min_samples", self.min_samples, 1)
        _whole_at_least("stack_min", self.stack_min, 2)
        _whole_at_least("min_locations", self.min_locations, 1)
        if self.few_locations not in FEW_LOCATIONS_CHOICES:
            raise ConfigError(
                f"few_locations: expected one of {', '.join(FEW_LOCATIONS_CHOICES)}, "
                f"got {self.few_locations!r}"
            )
        if self.engine not in ENGINE_NAMES:
            raise ConfigError(f"engine: expected one of {', '.join(ENGINE_NAMES)}, got {self.engine!r}")
        if self.date_order not in DATE_ORDERS:
            raise ConfigError(
                f"date_order: expected one of {', '.join(DATE_ORDERS)}, got {self.date_order!r}"
            )

    @property
    def margin_m(self) -> float:
        """The footprint margin in metres (half of eps_m unless set)."""
        return self.eps_m / 2 if self.footprint_margin_m is None else self.footprint_margin_m

    def as_dict(self) -> dict[str, Any]:
        """The effective parameters as JSON-ready values."""
        return {
            "eps_m": self.eps_m,
            "min_samples": self.min_samples,
            "footprint_margin_m": self.margin_m,
            "thin_ratio": self.thin_ratio,
            "engine": self.engine,
            "period": self.period.as_dict() if self.period else None,
            "study_area": list(self.study_area),
            "date_order": self.date_order,
            "coast_tolerance_m": self.coast_tolerance_m,
            "stack_min": self.stack_min,
            "min_locations": self.min_locations,
            "few_locations": self.few_locations,
            "eps_source": self.eps_source or "given",
        }

    def with_overrides(self, **changes: Any) -> AnalysisParams:
        """A copy with every non-None value in ``changes`` applied."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


@dataclass(frozen=True)
class PresentationParams:
    """How results are shown, not what is found; invalid values raise ConfigError on creation.

    ``tiles`` is checked here (:func:`hotspots.tiles.basemap_from_tiles`), so a bad basemap
    fails before any data is read, in every command.
    """

    marking: str = schema.DEFAULT_MARKING  # protective marking printed on every page
    tiles: str = "none"  # basemap: none (offline), osm, or an http(s) {z}/{x}/{y} template
    show_points: bool = False  # draw individual events (victims' locations) on the map
    run_date: str | None = None  # printed on the map when given; no clock, for identical reruns

    def __post_init__(self) -> None:
        if not isinstance(self.marking, str) or not self.marking.strip():
            raise ConfigError("marking: the protective marking must not be empty")
        if not isinstance(self.show_points, bool):
            raise ConfigError(f"show_points: expected true or false, got {self.show_points!r}")
        if self.run_date is not None and not isinstance(self.run_date, str):
            raise ConfigError(f"run_date: expected text such as 2024-10-02, got {self.run_date!r}")
        basemap_from_tiles(self.tiles)

    def as_dict(self) -> dict[str, Any]:
        """The settings that outputs record (the run date is printed, not recorded)."""
        return {"marking": self.marking, "show_points": self.show_points, "tiles": self.tiles}

    def with_overrides(self, **changes: Any) -> PresentationParams:
        """A copy with every non-None value in ``changes`` applied."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def parameters_record(analysis: AnalysisParams, presentation: PresentationParams) -> dict[str, Any]:
    """Both parameter sets as one JSON-ready mapping, as summaries and audit records hold them.

    The key order is the one outputs have always had (presentation keys before
    ``eps_source``), so outputs stay byte-identical for users who compare runs.
    """
    record = analysis.as_dict()
    eps_source = record.pop("eps_source")
    return {**record, **presentation.as_dict(), "eps_source": eps_source}


def _positive(name: str, value: float, most: float | None = None) -> None:
    if not isinstance(value, int | float) or not math.isfinite(value) or value <= 0:
        raise ConfigError(f"{name}: expected a finite number above 0, got {value!r}")
    if most is not None and value > most:
        raise ConfigError(
            f"{name}: expected at most {most:,.0f} metres (100 km; wider than any county), "
            f"got {value!r}"
        )


def _non_negative(name: str, value: float, most: float | None = None) -> None:
    if not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
        raise ConfigError(f"{name}: expected a finite number of 0 or more, got {value!r}")
    if most is not None and value > most:
        raise ConfigError(
            f"{name}: expected at most {most:,.0f} metres (100 km; wider than any county), "
            f"got {value!r}"
        )


def _whole_at_least(name: str, value: int, least: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise ConfigError(f"{name}: expected a whole number of at least {least}, got {value!r}")
    if value > MAX_COUNT:
        raise ConfigError(f"{name}: expected a whole number of at most {MAX_COUNT:,}, got {value!r}")


@dataclass(frozen=True)
class Config:
    """What a config file says: column names, event types and analysis defaults."""

    columns: ColumnNames = field(default_factory=ColumnNames)
    types: EventTypes = field(default_factory=EventTypes)
    analysis: Mapping[str, Any] = field(default_factory=dict)
    source: str | None = None


_PRESENTATION_KEYS = {f.name for f in fields(PresentationParams)} - {"run_date"}
# The [analysis] table also takes presentation keys (marking, tiles, show_points).
_ANALYSIS_KEYS = ({f.name for f in fields(AnalysisParams)} - {"period"}) | _PRESENTATION_KEYS
_COLUMN_KEYS = {f.name for f in fields(ColumnNames)} - {"renamed"}


def load_config(path: Path | None) -> Config:
    """Read a TOML config file; ``None`` gives the defaults.

    Raises
    ------
    ConfigError
        Naming the file, the table and key, what was expected and what was found.
    """
    if path is None:
        return Config()
    data = _read_toml(Path(path))

    unknown = set(data) - {"columns", "types", "roles", "ignore", "analysis", "labels"}
    if unknown:
        raise ConfigError(
            f"{path}: unknown table(s) {', '.join(sorted(unknown))}; "
            "expected [columns], [types], [roles], [ignore], [analysis], [labels]"
        )
    columns_table = _table(data, "columns", path)
    bad = set(columns_table) - _COLUMN_KEYS
    if bad:
        raise ConfigError(
            f"{path}: [columns] has unknown key(s) {', '.join(sorted(bad))}; "
            f"expected some of {', '.join(sorted(_COLUMN_KEYS))}"
        )
    for key, value in columns_table.items():
        if not isinstance(value, str) or not value:
            raise ConfigError(f"{path}: [columns] {key} must be a non-empty string, got {value!r}")
    columns = ColumnNames(**columns_table, renamed=frozenset(columns_table))
    _check_distinct_columns(columns, path)

    roles_table = _table(data, "roles", path)
    _refuse_changed_builtin_roles(roles_table, path)
    roles = dict(schema.DEFAULT_TYPE_ROLES)
    roles.update({str(k): str(v) for k, v in roles_table.items()})
    types_table = _table(data, "types", path)
    aliases = _aliases(types_table, path)
    type_labels: dict[str, str] = {}
    for label, type_name in types_table.items():
        type_labels.setdefault(str(type_name), str(label).strip())
    ignore_table = _table(data, "ignore", path)
    ignored_labels = ignore_table.get("types", [])
    if not isinstance(ignored_labels, list) or not all(isinstance(v, str) for v in ignored_labels):
        raise ConfigError(f"{path}: [ignore] types must be a list of strings")
    ignore_others = ignore_table.get("other_types", False)
    if not isinstance(ignore_others, bool):
        raise ConfigError(f"{path}: [ignore] other_types must be true or false, got {ignore_others!r}")
    try:
        types = EventTypes(
            roles=roles,
            aliases=aliases,
            ignored=frozenset(label.strip().casefold() for label in ignored_labels),
            ignore_others=ignore_others,
            type_labels=type_labels,
            labels=labels_from_table(_table(data, "labels", path), roles, type_labels),
        )
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from None

    analysis = _table(data, "analysis", path)
    bad = set(analysis) - _ANALYSIS_KEYS
    if bad:
        raise ConfigError(
            f"{path}: [analysis] has unknown key(s) {', '.join(sorted(bad))}; "
            f"expected some of {', '.join(sorted(_ANALYSIS_KEYS))}"
        )
    if "study_area" in analysis:
        wanted = analysis["study_area"]
        if not isinstance(wanted, list) or not all(isinstance(v, str) for v in wanted):
            example = f'["{wanted}"]' if isinstance(wanted, str) else '["Norwich", "Broadland"]'
            raise ConfigError(
                f"{path}: [analysis] study_area must be a list of district names or codes, got "
                f"{wanted!r}; write study_area = {example}"
            )
        analysis = {**analysis, "study_area": tuple(wanted)}
    return Config(columns=columns, types=types, analysis=analysis, source=str(path))


def _refuse_changed_builtin_roles(roles_table: Mapping[str, Any], path: Path) -> None:
    """Refuse ``[roles]`` entries that give a built-in type another role.

    Harm and enforcement are never mixed: ``raid = "harm"`` would count police effort as
    harm in every figure without a word (issue 17). New types take any role.
    """
    builtin = {name.casefold(): (name, role) for name, role in schema.DEFAULT_TYPE_ROLES.items()}
    for key, role in roles_table.items():
        name, default = builtin.get(str(key).strip().casefold(), (None, None))
        if name is not None and role != default:
            raise ConfigError(
                f"{path}: [roles] {key} = {role!r} changes the role of the built-in type {name!r} "
                f"(always {default!r}: harm and enforcement are never mixed). Fix: map your label "
                f'to a new type instead, e.g. [types] "{key}" = "my_{name}" and [roles] '
                f'my_{name} = "{role}"'
            )


def _aliases(types_table: Mapping[str, Any], path: Path) -> dict[str, str]:
    """Casefolded label -> type; one label (in any case) given two types is refused."""
    aliases: dict[str, str] = {}
    first_key: dict[str, str] = {}
    for key, value in types_table.items():
        if not isinstance(value, str) or not value:
            raise ConfigError(f"{path}: [types] {key!r} must name an event type, got {value!r}")
        label = str(key).strip().casefold()
        if label in aliases and aliases[label] != value:
            raise ConfigError(
                f"{path}: [types] {first_key[label]!r} = {aliases[label]!r} and {key!r} = {value!r} "
                "are one label (labels match case-insensitively) mapped to two types; keep one of them"
            )
        aliases[label] = value
        first_key.setdefault(label, str(key))
    return aliases


def _read_toml(path: Path) -> dict[str, Any]:
    """The TOML file's tables; every way it can fail is a ConfigError naming the file."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a folder; --config takes a TOML file") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the config file ({exc.strerror or exc})") from None
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(raw) > 1 and b"\x00" in raw[:200]):
        raise ConfigError(
            f"{path}: the config file is UTF-16 (Excel or Notepad 'Unicode'); TOML must be UTF-8: "
            "save it as UTF-8"
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{path}: the config file is not UTF-8 (byte 0x{raw[exc.start]:02x} at position "
            f"{exc.start}, e.g. 'é' saved as Windows cp1252); TOML must be UTF-8: save it as UTF-8"
        ) from None
    try:
        return tomllib.loads(text.removeprefix("\ufeff"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None


def _check_distinct_columns(columns: ColumnNames, path: Path) -> None:
    """Refuse one input column named for two fields (``date = "id"``, lat and lon alike)."""
    names = ("id", "type", "date", "lat", "lon", "easting", "northing", "x", "y")
    by_column: dict[str, list[str]] = {}
    for name in names:
        column = getattr(columns, name)
        if column is not None:
            by_column.setdefault(column.strip().casefold(), []).append(name)
    clashes = [
        (column, fields_)
        for column, fields_ in by_column.items()
        if len(fields_) > 1 and set(fields_) & columns.renamed
    ]
    if clashes:
        described = "; ".join(
            f"{' and '.join(fields_)} all read column {getattr(columns, fields_[0])!r}"
            if len(fields_) > 2
            else f"{fields_[0]} and {fields_[1]} both read column {getattr(columns, fields_[0])!r}"
            for _column, fields_ in clashes
        )
        raise ConfigError(
            f"{path}: [columns] maps two fields to one column ({described}); each field needs "
            "its own column"
        )


def _table(data: Mapping[str, Any], name: str, path: Path) -> dict[str, Any]:
    table = data.get(name, {})
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [{name}] must be a table")
    return table


def build_params(config: Config, **overrides: Any) -> AnalysisParams:
    """Analysis parameters from config defaults with command-line ``overrides`` on top."""
    settings = {k: v for k, v in config.analysis.items() if k not in _PRESENTATION_KEYS}
    try:
        base = AnalysisParams(**settings)
    except (TypeError, ConfigError) as exc:
        raise ConfigError(f"{config.source}: [analysis] {exc}") from None
    return base.with_overrides(**overrides)


def build_presentation(config: Config, **overrides: Any) -> PresentationParams:
    """Presentation settings from config defaults with command-line ``overrides`` on top.

    Raises
    ------
    ConfigError
        A value is invalid; the message names the config file when the value came from it.
    """
    settings = {k: v for k, v in config.analysis.items() if k in _PRESENTATION_KEYS}
    try:
        base = PresentationParams(**settings)
    except (TypeError, ConfigError) as exc:
        raise ConfigError(f"{config.source}: [analysis] {exc}") from None
    return base.with_overrides(**overrides)
