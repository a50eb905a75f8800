"""Scheduled runs: a job file in, one immutable bundle out (``hotspots run JOB.toml --runs DIR``).

A job file names the inputs, the config, the period (explicit, or relative to the run date:
``"latest complete quarter"``, ``"latest complete month"``), the earlier period to compare
against, and the products with their audiences::

    name = "norfolk-quarterly"
    inputs = ["extracts/*.csv"]          # globs, relative to the job file
    config = "norfolk.toml"              # optional, relative to the job file
    period = "latest complete quarter"   # or "latest complete month", or "2025Q3", ...
    against = "previous"                 # optional: the period before, or explicit ("2025Q2")
    reason = "Quarterly tasking cycle"   # optional: kept in the audit log and the briefing

    [[products]]
    kind = "map"                         # map, compare, brief, evaluate
    [[products]]
    kind = "brief"
    audience = "wide"                    # internal (default) or wide; only brief has a wide version
    pdf = false                          # brief only: print briefing.pdf (default true)

The run writes every product into a hidden staging folder ``DIR/.partial-<run id>-…``, writes
``manifest.json`` (see `hotspots.bundle`) last, makes the files read-only, and renames the
folder to ``DIR/<run id>`` in one step: a run that fails leaves no bundle (and its staging
folder is removed). The run's audit record -- success or failure -- is appended to the shared
hash-chained log (default ``DIR/audit.jsonl``), never into the bundle; a product's own
``audit.jsonl`` (the briefing writes one) is moved into that record.
"""

from __future__ import annotations

import getpass
import glob
import hashlib
import json
import os
import re
import shutil
import socket
import tempfile
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Final, cast

from hotspots import __version__
from hotspots.access import is_event_level
from hotspots.auditlog import LOG_FILE, AuditLog
from hotspots.bundle import BUNDLE_FORMAT, MANIFEST, SAFE_NAME
from hotspots.errors import ConfigError, HotspotsError, InputError, OutputError
from hotspots.period import Period, parse_period

__all__ = [
    "Job",
    "ProductSpec",
    "RunOutcome",
    "load_job",
    "parse_job",
    "resolve_period",
    "run_job",
]

PRODUCT_KINDS: Final = ("map", "compare", "brief", "evaluate")
_NEEDS_AGAINST: Final = frozenset({"compare", "evaluate"})
_RELATIVE: Final = {"latest complete quarter": "quarter", "latest complete month": "month"}
_JOB_KEYS: Final = frozenset(
    {"name", "inputs", "config", "period", "against", "reason", "products"}
)
_PRODUCT_KEYS: Final = frozenset({"kind", "audience", "name", "pdf", "top"})


@dataclass(frozen=True)
class ProductSpec:
    """One product a job makes: its kind, audience and folder name."""

    kind: str
    audience: str = "internal"
    name: str = ""
    pdf: bool = True
    top: int = 10


@dataclass(frozen=True)
class Job:
    """A parsed job file; paths are resolved against the job file's folder."""

    name: str
    inputs: tuple[str, ...]
    config: Path | None
    period: str
    against: str | None
    reason: str | None
    products: tuple[ProductSpec, ...]
    source: Path
    source_sha256: str = ""


@dataclass(frozen=True)
class RunOutcome:
    """What `run_job` published."""

    run_id: str
    folder: Path
    period: Period
    against: Period | None
    manifest: dict[str, Any] = field(repr=False)


def resolve_period(text: str, today: date) -> Period:
    """A period from the job file: relative forms against ``today``, else `parse_period`.

    ``latest complete quarter`` is the last calendar quarter that ended before ``today``
    (on 2026-12-06: 2026Q3; on 2026-10-01: 2026Q3); ``latest complete month`` likewise
    (2026-11).
    """
    kind = _RELATIVE.get(" ".join(text.lower().split()))
    if kind == "quarter":
        quarter = (today.month - 1) // 3  # quarters fully before today's quarter in this year
        year = today.year if quarter else today.year - 1
        return parse_period(f"{year}Q{quarter or 4}")
    if kind == "month":
        year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
        return parse_period(f"{year}-{month:02d}")
    return parse_period(text)


def previous_period(period: Period) -> Period:
    """The quarter or month before a quarter or month.

    Raises
    ------
    ConfigError
        The period is neither (give ``against`` explicitly then).
    """
    if m := re.fullmatch(r"(\d{4})Q([1-4])", period.label):
        year, quarter = int(m[1]), int(m[2])
        return parse_period(f"{year - 1}Q4" if quarter == 1 else f"{year}Q{quarter - 1}")
    if m := re.fullmatch(r"(\d{4})-(\d{2})", period.label):
        year, month = int(m[1]), int(m[2])
        return parse_period(f"{year - 1}-12" if month == 1 else f"{year}-{month - 1:02d}")
    raise ConfigError(
        f'against = "previous" needs a quarter or month period, not {period.label!r}; '
        'give the earlier period explicitly, e.g. against = "2025Q2"'
    )


def parse_job(data: Mapping[str, Any], source: Path) -> Job:
    """Check a parsed job file; report every problem at once.

    Raises
    ------
    ConfigError
        Unknown keys, missing or malformed values, a wide map, a compare without ``against``.
    """
    where = str(source)
    problems: list[str] = []
    unknown = sorted(set(data) - _JOB_KEYS)
    if unknown:
        problems.append(f"unknown keys {unknown} (expected {', '.join(sorted(_JOB_KEYS))})")
    name = data.get("name")
    if not isinstance(name, str) or not SAFE_NAME.match(name):
        problems.append(
            f"name {name!r}: expected letters, digits, '.', '_' or '-', e.g. name = \"norfolk-quarterly\""
        )
    inputs = data.get("inputs")
    if isinstance(inputs, str):
        inputs = [inputs]
    if (
        not isinstance(inputs, list)
        or not inputs
        or not all(isinstance(i, str) and i for i in inputs)
    ):
        problems.append(
            'inputs: expected a list of files or globs, e.g. inputs = ["extracts/*.csv"]'
        )
        inputs = []
    config = data.get("config")
    if config is not None and not isinstance(config, str):
        problems.append("config: expected the path of a TOML config file")
    period = data.get("period")
    if not isinstance(period, str) or not period.strip():
        problems.append(
            'period: expected e.g. "latest complete quarter", "latest complete month" or "2025Q3"'
        )
    against = data.get("against")
    if against is not None and (not isinstance(against, str) or not against.strip()):
        problems.append('against: expected "previous" or a period such as "2025Q2"')
    reason = data.get("reason")
    if reason is not None and not isinstance(reason, str):
        problems.append("reason: expected text")
    products: list[ProductSpec] = []
    raw_products = data.get("products")
    if not isinstance(raw_products, list) or not raw_products:
        problems.append(
            'products: expected at least one [[products]] table with kind = "map", "compare", "brief" or "evaluate"'
        )
        raw_products = []
    for number, raw in enumerate(raw_products, start=1):
        label = f"products[{number}]"
        if not isinstance(raw, dict):
            problems.append(f"{label}: expected a table")
            continue
        extra = sorted(set(raw) - _PRODUCT_KEYS)
        if extra:
            problems.append(
                f"{label}: unknown keys {extra} (expected {', '.join(sorted(_PRODUCT_KEYS))})"
            )
        kind = raw.get("kind")
        audience = raw.get("audience", "internal")
        if kind not in PRODUCT_KINDS:
            problems.append(f"{label}: kind {kind!r} is not one of {', '.join(PRODUCT_KINDS)}")
            continue
        if audience not in ("internal", "wide"):
            problems.append(f"{label}: audience {audience!r} is not internal or wide")
        elif audience == "wide" and kind != "brief":
            problems.append(
                f"{label}: only a briefing has a wide-audience version (1 km squares, small counts "
                f"suppressed); a {kind} shows footprints, so its audience must be internal"
            )
        if kind in _NEEDS_AGAINST and against is None:
            problems.append(f'{label}: a {kind} needs against = "previous" or an earlier period')
        folder = raw.get("name") or (kind if audience == "internal" else f"{kind}-{audience}")
        if not isinstance(folder, str) or not SAFE_NAME.match(folder):
            problems.append(f"{label}: name {folder!r}: expected letters, digits, '.', '_' or '-'")
        if any(p.name == folder for p in products):
            problems.append(
                f"{label}: a second product named {folder!r}; give each a different name"
            )
        pdf = raw.get("pdf", True)
        top = raw.get("top", 10)
        if not isinstance(pdf, bool):
            problems.append(f"{label}: pdf must be true or false")
        if isinstance(top, bool) or not isinstance(top, int) or top < 1:
            problems.append(f"{label}: top must be a whole number of at least 1")
        products.append(
            ProductSpec(
                str(kind),
                str(audience),
                str(folder),
                bool(pdf),
                int(top) if isinstance(top, int) else 10,
            )
        )
    if problems:
        raise ConfigError(f"{where}: " + "; ".join(problems))
    base = source.parent
    return Job(
        name=str(name),
        inputs=tuple(str(base / i) if not os.path.isabs(i) else i for i in inputs),
        config=(base / config) if isinstance(config, str) else None,
        period=str(period).strip(),
        against=str(against).strip() if against else None,
        reason=reason,
        products=tuple(products),
        source=source,
    )


def load_job(path: Path | str) -> Job:
    """Read and check a job file.

    Raises
    ------
    ConfigError
        The file cannot be read, is not TOML, or is invalid (see `parse_job`).
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
        data = tomllib.loads(raw.decode("utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the job file ({exc.strerror or exc})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    job = parse_job(data, path.resolve())
    return Job(**{**job.__dict__, "source_sha256": hashlib.sha256(raw).hexdigest()})


def _input_files(job: Job) -> list[Path]:
    files: list[Path] = []
    for pattern in job.inputs:
        matched = sorted(glob.glob(pattern)) if glob.has_magic(pattern) else [pattern]
        matched = [m for m in matched if Path(m).is_file()]
        if not matched:
            raise InputError(
                f"{job.source}: inputs {pattern!r} matches no file; check the path (relative to the job file)"
            )
        files.extend(Path(m) for m in matched)
    return files


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


Maker = Callable[..., Any]


def _make_product(
    spec: ProductSpec,
    files: list[Path],
    job: Job,
    period: Period,
    against: Period | None,
    produced: date,
) -> Any:
    """Run the job function of one product (from `hotspots.jobs`) and return its result."""
    from hotspots import jobs

    common: dict[str, Any] = {"config": job.config, "period": period}
    if spec.kind == "map":
        return jobs.run_map(files, **common)
    if spec.kind in _NEEDS_AGAINST and against is None:  # parse_job refuses such a job
        raise ConfigError(f"{job.source}: a {spec.kind} needs against")
    if spec.kind == "compare":
        return jobs.run_compare(files, against=cast(Period, against), **common)
    if spec.kind == "evaluate":
        return jobs.run_evaluate(files, against=cast(Period, against), **common)
    return jobs.run_brief(
        files,
        against=against,
        audience=spec.audience,
        top_n=spec.top,
        produced=produced,
        reason=job.reason,
        pdf=spec.pdf,
        **common,
    )


def _analysis_of(result: Any) -> Any:
    return getattr(result, "analysis", None) or getattr(result, "current", None)


def _areas_of(result: Any) -> list[dict[str, str]]:
    from hotspots import schema

    analysis = _analysis_of(result)
    if analysis is None:
        return []
    areas = analysis.areas
    return [
        {"code": str(c), "name": str(n)}
        for c, n in zip(areas[schema.COL_AREA_CODE], areas[schema.COL_AREA_NAME], strict=True)
    ]


def _run_id(runs: Path, job: Job, period: Period, created: datetime) -> str:
    label = re.sub(r"[^A-Za-z0-9._-]", "_", period.label)
    base = f"{created:%Y%m%dT%H%M%SZ}-{job.name}-{label}"[:120]
    run_id, n = base, 1
    while (runs / run_id).exists():
        n += 1
        run_id = f"{base}-{n}"
    return run_id


def _freeze(folder: Path) -> None:
    """Make the bundle read-only: files 0444, folders 0555 (published means unchanged)."""
    for root, dirs, names in os.walk(folder):
        for name in names:
            os.chmod(Path(root) / name, 0o444)
        for name in dirs:
            os.chmod(Path(root) / name, 0o555)
    os.chmod(folder, 0o555)


def run_job(
    job: Job,
    runs_dir: Path | str,
    *,
    today: date | None = None,
    audit_log: Path | str | None = None,
    now: datetime | None = None,
    progress: Callable[[str], None] = lambda _: None,
    make_product: Maker = _make_product,
) -> RunOutcome:
    """Make every product of a job and publish them as one bundle, or nothing.

    Parameters
    ----------
    job
        From `load_job`.
    runs_dir
        The runs folder (created if missing).
    today
        The date relative periods count back from (default: today, UTC).
    audit_log
        The shared audit log (default ``runs_dir/audit.jsonl``).
    now
        Creation time recorded (default: the current UTC time).
    progress
        Called with a short message per step.
    make_product
        Builds one product's result (tests replace it to make a run fail part-way).

    Raises
    ------
    HotspotsError
        Bad job values, inputs, or outputs; the run is then recorded as failed and no bundle
        is left behind.
    """
    runs = Path(runs_dir).resolve()
    created = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    today = today or created.date()
    log = AuditLog(audit_log or runs / LOG_FILE)
    record: dict[str, Any] = {
        "event": "run",
        "job": job.name,
        "job_file": str(job.source),
        "job_sha256": job.source_sha256,
        "user": getpass.getuser(),
        "host": socket.gethostname(),
        "tool_version": __version__,
    }
    staging: Path | None = None
    try:
        period = resolve_period(job.period, today)
        against = None
        if job.against:
            against = (
                previous_period(period)
                if job.against.lower() == "previous"
                else resolve_period(job.against, today)
            )
        record.update(period=period.label, against=against.label if against else None)
        files = _input_files(job)
        try:
            runs.mkdir(parents=True, exist_ok=True)
            run_id = _run_id(runs, job, period, created)
            staging = Path(tempfile.mkdtemp(prefix=f".partial-{run_id}-", dir=runs))
        except OSError as exc:
            raise OutputError(
                f"{runs}: cannot create the run folder ({exc.strerror or exc})"
            ) from None
        record["run_id"] = run_id
        products: list[dict[str, Any]] = []
        areas: list[dict[str, str]] = []
        parameters: dict[str, Any] = {}
        inputs: dict[str, str] = {}
        product_records: list[Any] = []
        for spec in job.products:
            progress(f"{spec.name}: {spec.kind} ({spec.audience})")
            result = make_product(spec, files, job, period, against, today)
            folder = staging / spec.name
            if callable(getattr(result, "audit_log", None)):
                # A briefing records itself before delivering (never inside a wide folder):
                # give it a log beside its folder, read back into the shared log below.
                own_log = staging / f".{spec.name}.audit.jsonl"
                result.write(folder, audit_log=own_log)
            else:
                result.write(folder)
                own_log = folder / LOG_FILE
            if own_log.exists():  # the run's records belong in the shared log, not the bundle
                product_records += [
                    json.loads(line) for line in own_log.read_text("utf-8").splitlines() if line
                ]
                own_log.unlink()
            analysis = _analysis_of(result)
            areas = areas or _areas_of(result)
            if analysis is not None and not parameters:
                parameters = dict(analysis.params.as_dict())
            loaded = getattr(result, "loaded", None)
            if loaded is not None:
                inputs.update(dict(loaded.inputs))
            points = bool(getattr(getattr(result, "presentation", None), "show_points", False))
            listed = []
            for path in sorted(p for p in folder.iterdir() if p.is_file()):
                flagged = is_event_level(path.name) or (points and path.suffix == ".html")
                listed.append(
                    {
                        "name": path.name,
                        "bytes": path.stat().st_size,
                        "sha256": _sha256(path),
                        "event_level": flagged,
                    }
                )
            products.append(
                {"name": spec.name, "kind": spec.kind, "audience": spec.audience, "files": listed}
            )
        if not areas:
            raise InputError(
                f"{job.source}: the run found no areas to publish under; check the inputs and study area"
            )
        manifest = {
            "format": BUNDLE_FORMAT,
            "run_id": run_id,
            "job": job.name,
            "job_sha256": job.source_sha256,
            "created": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "tool": "hotspots",
            "version": __version__,
            "period": period.as_dict(),
            "against": against.as_dict() if against else None,
            "areas": areas,
            "inputs": [{"file": k, "sha256": v} for k, v in sorted(inputs.items())],
            "parameters": parameters,
            "products": products,
        }
        try:
            (staging / MANIFEST).write_text(
                json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8"
            )
            _freeze(staging)
            final = runs / run_id
            if final.exists():
                raise OutputError(f"{final}: already exists; bundles are never overwritten")
            os.rename(staging, final)
            staging = None
        except OSError as exc:
            raise OutputError(
                f"{runs}: cannot publish the bundle ({exc.strerror or exc})"
            ) from None
        record.update(
            outcome="ok",
            products=[
                {
                    "name": p["name"],
                    "kind": p["kind"],
                    "audience": p["audience"],
                    "files": {f["name"]: f["sha256"] for f in p["files"]},
                }
                for p in products
            ],
            inputs=manifest["inputs"],
            areas=[a["code"] for a in areas],
            product_records=product_records,
        )
        log.append(record)
        progress(f"published {final}")
        return RunOutcome(run_id, final, period, against, manifest)
    except HotspotsError as exc:
        _discard(staging)
        record.update(outcome="failed", error=str(exc))
        log.append(record)
        raise
    except BaseException as exc:  # an interrupt or a bug: still no bundle, still logged
        _discard(staging)
        record.update(outcome="failed", error=f"{type(exc).__name__}: {exc}")
        try:
            log.append(record)
        except HotspotsError:
            pass
        raise


def _discard(staging: Path | None) -> None:
    if staging is None:
        return
    for root, dirs, _ in os.walk(staging):  # undo _freeze so the folder can be removed
        for name in dirs:
            os.chmod(Path(root) / name, 0o755)
    if staging.exists():
        os.chmod(staging, 0o755)
    shutil.rmtree(staging, ignore_errors=True)
