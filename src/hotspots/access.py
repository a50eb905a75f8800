"""Who may see which published product: ``ACCESS.toml`` read into grants, and the checks.

``ACCESS.toml`` maps users and directory groups to a role and area codes::

    contact = "Force Analysis Unit, fau@example.police.uk, ext. 4321"

    [users."a.analyst@example.police.uk"]
    role = "analyst"
    areas = ["E23000024"]            # a force code covers its districts

    [groups."GG-Hotspots-Norwich-Command"]
    role = "commander"
    areas = ["E07000148"]

    [forces]                         # optional: force code -> its district codes
    E23000024 = ["E07000143", "E07000144"]

Roles (what each may open, always only within its areas):

``analyst``
    every product, every file, including event-level files (rejected rows, points);
``commander``
    maps (``map``, ``compare``) and briefings (``brief``) of either audience, without
    event-level files;
``partner``
    wide-audience products only, without event-level files.

A user's grants are their own entry plus one per group they belong to. A product is visible
only when *every* area its bundle covers lies within grants whose role allows that product
(a force-wide bundle is not shown to a district commander; a commander of two districts, by
two groups, sees a bundle of those two), so nobody sees another district's hotspots through a
wider product. Nothing here is stored about users beyond this file:
identity comes from the reverse proxy on each request.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from hotspots.errors import ConfigError

__all__ = [
    "AUDIENCES",
    "EVENT_LEVEL_NAMES",
    "KINDS",
    "ROLES",
    "Access",
    "Grant",
    "is_event_level",
    "load_access",
    "parse_access",
]

ROLES: Final = ("analyst", "commander", "partner")
KINDS: Final = ("map", "compare", "brief", "evaluate", "tune", "validate")
AUDIENCES: Final = ("internal", "wide")
#: Products a commander may open: the maps and the briefings.
COMMANDER_KINDS: Final = frozenset({"map", "compare", "brief"})
#: Files that hold one row or point per event: analysts only, whatever the manifest says.
EVENT_LEVEL_NAMES: Final = ("rejected", "points")
DEFAULT_CONTACT: Final = "the analysis team that runs this service"


def is_event_level(file_name: str, flagged: bool = False) -> bool:
    """Whether a file holds event-level data (rejected rows, points).

    The manifest's flag is trusted, and a name rule backs it up, so a file that a future
    product forgets to flag is still kept from commanders and partners.
    """
    stem = file_name.lower()
    return flagged or any(word in stem for word in EVENT_LEVEL_NAMES)


def _force_table() -> dict[str, frozenset[str]]:
    """The packaged force -> districts table when the package has one, else empty.

    The table comes from ``hotspots.boundaries.load_forces`` (the 2025 police force areas and
    their districts); before that exists, ACCESS.toml's ``[forces]`` is the only source.
    """
    try:
        from hotspots.boundaries import load_forces

        return {code: frozenset(force.district_codes) for code, force in load_forces().items()}
    except (ImportError, AttributeError, OSError, KeyError, ValueError):
        return {}


@dataclass(frozen=True)
class Grant:
    """One role over a set of district (or force) codes, from a user or group entry."""

    role: str
    areas: frozenset[str]
    source: str

    def allows_product(self, kind: str, audience: str) -> bool:
        """Whether this role may open a product of this kind and audience."""
        if self.role == "analyst":
            return True
        if self.role == "commander":
            return kind in COMMANDER_KINDS
        return audience == "wide"  # partner

    def allows_event_level(self) -> bool:
        """Only analysts open event-level files."""
        return self.role == "analyst"


@dataclass(frozen=True)
class Access:
    """The parsed access file.

    Attributes
    ----------
    users, groups
        Casefolded name -> (role, area codes as written).
    contact
        Whom an unknown user should ask, shown on the 403 page.
    forces
        Force code -> district codes; a force code in an entry or a bundle stands for these.
    """

    users: Mapping[str, tuple[str, tuple[str, ...]]]
    groups: Mapping[str, tuple[str, tuple[str, ...]]]
    contact: str = DEFAULT_CONTACT
    forces: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def expand(self, codes: Iterable[str]) -> frozenset[str]:
        """District codes of a list of district or force codes (unknown codes stay as they are)."""
        out: set[str] = set()
        for code in codes:
            out |= self.forces.get(code, frozenset({code}))
        return frozenset(out)

    def grants_for(self, user: str, groups: Iterable[str] = ()) -> list[Grant]:
        """The grants of a user: their own entry, then each group's (empty: unknown user)."""
        found: list[Grant] = []
        # Directory names are case-insensitive (A.Analyst@force = a.analyst@force): keys are
        # stored casefolded and looked up the same way.
        if user.casefold() in self.users:
            role, areas = self.users[user.casefold()]
            found.append(Grant(role, self.expand(areas), f"user {user}"))
        for group in sorted({g.casefold() for g in groups}):
            if group in self.groups:
                role, areas = self.groups[group]
                found.append(Grant(role, self.expand(areas), f"group {group}"))
        return found

    def can_see(
        self, grants: Iterable[Grant], bundle_areas: Iterable[str], kind: str, audience: str
    ) -> bool:
        """Whether the grants that allow this kind and audience together cover the bundle's areas."""
        allowed = [g for g in grants if g.allows_product(kind, audience)]
        return _covered(self.expand(bundle_areas), allowed)

    def can_open_file(
        self,
        grants: Iterable[Grant],
        bundle_areas: Iterable[str],
        kind: str,
        audience: str,
        file_name: str,
        event_level: bool = False,
    ) -> bool:
        """Like `can_see`, and an event-level file needs analyst grants over every area."""
        needs_analyst = is_event_level(file_name, event_level)
        allowed = [
            g
            for g in grants
            if g.allows_product(kind, audience) and (not needs_analyst or g.allows_event_level())
        ]
        return _covered(self.expand(bundle_areas), allowed)


def _covered(districts: frozenset[str], grants: Iterable[Grant]) -> bool:
    """Whether every district is within at least one of the grants (and there is one)."""
    union: set[str] = set()
    for grant in grants:
        union |= grant.areas
    return bool(districts) and districts <= union


def _entries(table: object, where: str, section: str) -> dict[str, tuple[str, tuple[str, ...]]]:
    if table is None:
        return {}
    if not isinstance(table, dict):
        raise ConfigError(
            f"{where}: [{section}] must be a table of names, found {type(table).__name__}"
        )
    out: dict[str, tuple[str, tuple[str, ...]]] = {}
    problems: list[str] = []
    for name, entry in table.items():
        label = f'[{section}."{name}"]'
        if not isinstance(entry, dict):
            problems.append(f"{label}: expected a table with role and areas")
            continue
        unknown = sorted(set(entry) - {"role", "areas"})
        if unknown:
            problems.append(f"{label}: unknown keys {unknown} (expected role, areas)")
        role = entry.get("role")
        if role not in ROLES:
            problems.append(f"{label}: role {role!r} is not one of {', '.join(ROLES)}")
        areas = entry.get("areas")
        if (
            not isinstance(areas, list)
            or not areas
            or not all(isinstance(a, str) and a.strip() for a in areas)
        ):
            problems.append(
                f'{label}: areas must be a non-empty list of area codes, e.g. ["E07000148"]'
            )
            continue
        key = str(name).casefold()
        if key in out:
            problems.append(
                f"{label}: a second entry for {name!r} (names are compared ignoring case)"
            )
            continue
        out[key] = (str(role), tuple(a.strip() for a in areas))
    if problems:
        raise ConfigError(f"{where}: " + "; ".join(problems))
    return out


def parse_access(
    data: Mapping[str, object],
    where: str = "ACCESS.toml",
    forces: Mapping[str, Iterable[str]] | None = None,
) -> Access:
    """Build an `Access` from parsed TOML; report every problem at once.

    Parameters
    ----------
    data
        The parsed file.
    where
        Name used in messages.
    forces
        Force -> districts table; default: the packaged table, overlaid by the file's
        ``[forces]``.

    Raises
    ------
    ConfigError
        Unknown keys, roles or malformed entries.
    """
    unknown = sorted(set(data) - {"contact", "users", "groups", "forces"})
    if unknown:
        raise ConfigError(
            f"{where}: unknown keys {unknown}; expected contact, [users], [groups], [forces]"
        )
    table = dict(_force_table() if forces is None else {k: frozenset(v) for k, v in forces.items()})
    extra = data.get("forces") or {}
    if not isinstance(extra, dict) or not all(
        isinstance(v, list) and all(isinstance(c, str) for c in v) for v in extra.values()
    ):
        raise ConfigError(
            f'{where}: [forces] must map a force code to a list of district codes, e.g. E23000024 = ["E07000148"]'
        )
    # [forces] may narrow a packaged force to some of its districts, but a packaged code given
    # districts outside that force is a copying mistake waiting to grant the wrong force's
    # products (E23000026 is Bedfordshire, not Norfolk): refuse it by name.
    clashes = [
        f"{code} (not in that force: {', '.join(sorted(frozenset(v) - table[str(code)]))})"
        for code, v in sorted(extra.items())
        if str(code) in table and frozenset(v) - table[str(code)]
    ]
    if clashes:
        raise ConfigError(
            f"{where}: [forces] gives packaged police force codes districts outside those forces: "
            f"{'; '.join(clashes)}. Fix: check the force code (Norfolk is E23000024), list only "
            "that force's districts, or use a code of your own for a custom group of districts"
        )
    table.update({str(k): frozenset(v) for k, v in extra.items()})
    contact = data.get("contact", DEFAULT_CONTACT)
    if not isinstance(contact, str) or not contact.strip():
        raise ConfigError(f"{where}: contact must be text naming whom users ask for access")
    return Access(
        users=_entries(data.get("users"), where, "users"),
        groups=_entries(data.get("groups"), where, "groups"),
        contact=contact.strip(),
        forces=table,
    )


def load_access(path: Path | str, forces: Mapping[str, Iterable[str]] | None = None) -> Access:
    """Read ``ACCESS.toml``.

    Raises
    ------
    ConfigError
        The file is missing, not TOML, or invalid (see `parse_access`).
    """
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(
            f"{path}: cannot read the access file ({exc.strerror or exc}); pass --access FILE"
        ) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    return parse_access(data, str(path), forces)
