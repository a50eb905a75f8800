"""ACCESS.toml: parsing, grants, force codes, role and area rules, event-level files."""

from __future__ import annotations

import tomllib

import pytest

from hotspots.access import is_event_level, load_access, parse_access
from hotspots.errors import ConfigError

# Norfolk's ONS police force area code (E23000026 is Bedfordshire; see lad_2025_pfa.csv)
NORWICH, YARMOUTH, FORCE = "E07000148", "E07000145", "E23000024"
TABLE = {FORCE: [NORWICH, YARMOUTH]}

ACCESS = tomllib.loads(f"""
contact = "FAU, ext. 4321"
[users.alice]
role = "analyst"
areas = ["{FORCE}"]
[users.carl]
role = "commander"
areas = ["{NORWICH}"]
[users.pat]
role = "partner"
areas = ["{NORWICH}"]
[groups.yarmouth-command]
role = "commander"
areas = ["{YARMOUTH}"]
[groups.norwich-analysts]
role = "analyst"
areas = ["{NORWICH}"]
""")


@pytest.fixture
def access():
    return parse_access(ACCESS, forces=TABLE)


CASES = [
    # user, groups, bundle areas, kind, audience, allowed
    ("alice", [], [NORWICH], "evaluate", "internal", True),
    ("alice", [], [NORWICH, YARMOUTH], "map", "internal", True),
    ("alice", [], [FORCE], "map", "internal", True),
    ("carl", [], [NORWICH], "map", "internal", True),
    ("carl", [], [NORWICH], "compare", "internal", True),
    ("carl", [], [NORWICH], "brief", "internal", True),
    ("carl", [], [NORWICH], "evaluate", "internal", False),
    ("carl", [], [YARMOUTH], "map", "internal", False),
    ("carl", [], [NORWICH, YARMOUTH], "map", "internal", False),
    ("carl", [], [FORCE], "map", "internal", False),
    ("carl", ["yarmouth-command"], [NORWICH, YARMOUTH], "map", "internal", True),
    ("carl", ["yarmouth-command"], [NORWICH, YARMOUTH], "evaluate", "internal", False),
    ("pat", ["yarmouth-command"], [NORWICH, YARMOUTH], "map", "internal", False),
    ("pat", [], [NORWICH], "brief", "wide", True),
    ("pat", [], [NORWICH], "brief", "internal", False),
    ("pat", [], [NORWICH], "map", "internal", False),
    ("pat", [], [YARMOUTH], "brief", "wide", False),
    ("nobody", ["yarmouth-command"], [YARMOUTH], "brief", "internal", True),
    ("nobody", ["yarmouth-command"], [NORWICH], "brief", "internal", False),
    ("pat", ["norwich-analysts"], [NORWICH], "evaluate", "internal", True),
]


@pytest.mark.parametrize(
    ("user", "groups", "areas", "kind", "audience", "allowed"),
    CASES,
    ids=[
        f"{c[0]}{'+' + ','.join(c[1]) if c[1] else ''}:{c[3]}-{c[4]}@{'+'.join(c[2])}"
        for c in CASES
    ],
)
def test_products_allowed_by_role_area_and_audience(
    access, user, groups, areas, kind, audience, allowed
):
    grants = access.grants_for(user, groups)
    assert access.can_see(grants, areas, kind, audience) is allowed


@pytest.mark.parametrize(
    ("user", "file", "allowed"),
    [
        ("alice", "rejected.csv", True),
        ("alice", "points.geojson", True),
        ("carl", "rejected.csv", False),
        ("carl", "points.geojson", False),
        ("carl", "map.html", True),
        ("pat", "rejected.csv", False),
    ],
    ids=[
        "analyst-rejected",
        "analyst-points",
        "commander-rejected",
        "commander-points",
        "commander-map",
        "partner-rejected",
    ],
)
def test_event_level_files_only_for_analysts(access, user, file, allowed):
    audience = "wide" if user == "pat" else "internal"
    assert (
        access.can_open_file(access.grants_for(user), [NORWICH], "brief", audience, file) is allowed
    )


def test_event_level_file_needs_analyst_grants_over_every_area(access):
    grants = access.grants_for("carl", ["norwich-analysts", "yarmouth-command"])
    assert access.can_see(grants, [NORWICH, YARMOUTH], "map", "internal")
    assert access.can_open_file(grants, [NORWICH], "map", "internal", "rejected.csv")
    assert not access.can_open_file(grants, [NORWICH, YARMOUTH], "map", "internal", "rejected.csv")


def test_flagged_file_is_event_level_whatever_its_name(access):
    assert is_event_level("map.html", flagged=True)
    assert not access.can_open_file(
        access.grants_for("carl"), [NORWICH], "map", "internal", "map.html", True
    )


def test_unknown_user_has_no_grants(access):
    assert access.grants_for("mallory", ["unrelated"]) == []
    assert access.contact == "FAU, ext. 4321"


def test_force_table_in_the_file(tmp_path):
    path = tmp_path / "ACCESS.toml"
    path.write_text(
        f'[forces]\n{FORCE} = ["{NORWICH}"]\n[users.a]\nrole = "analyst"\nareas = ["{FORCE}"]\n'
    )
    access = load_access(path, forces={})
    assert access.can_see(access.grants_for("a"), [NORWICH], "map", "internal")
    assert not access.can_see(access.grants_for("a"), [YARMOUTH], "map", "internal")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[users.a]\nrole = "admin"\nareas = ["X"]',
            "role 'admin' is not one of analyst, commander, partner",
        ),
        ('[users.a]\nrole = "analyst"', "areas must be a non-empty list"),
        ('[users.a]\nrole = "analyst"\nareas = []', "areas must be a non-empty list"),
        ('[users.a]\nrole = "analyst"\nareas = ["X"]\nlevel = 3', "unknown keys ['level']"),
        ('[people.a]\nrole = "analyst"', "unknown keys ['people']"),
        ('contact = ""', "contact must be text"),
        ("[forces]\nE23 = 'E07'", "[forces] must map a force code"),
        ("role = = 1", "not valid TOML"),
    ],
    ids=[
        "role",
        "no-areas",
        "empty-areas",
        "unknown-key",
        "unknown-section",
        "contact",
        "forces",
        "toml",
    ],
)
def test_bad_access_file_names_the_problem(tmp_path, text, message):
    path = tmp_path / "ACCESS.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_access(path, forces={})
    assert str(path) in str(caught.value) and message in str(caught.value)


def test_every_problem_reported_at_once(tmp_path):
    path = tmp_path / "ACCESS.toml"
    path.write_text('[users.a]\nrole = "x"\nareas = ["A"]\n[users.b]\nrole = "y"\nareas = ["B"]\n')
    with pytest.raises(ConfigError, match=r'users\."a".*users\."b"'):
        load_access(path, forces={})


def test_force_codes_from_the_packaged_table_when_there_is_one():
    from hotspots import boundaries

    if not hasattr(boundaries, "load_forces"):
        pytest.skip("no packaged force table yet (hotspots.boundaries.load_forces)")
    access = parse_access(ACCESS)  # the packaged table, no [forces] in the file
    norfolk = boundaries.load_forces()[FORCE].district_codes
    assert NORWICH in norfolk
    assert access.can_see(access.grants_for("alice"), list(norfolk), "map", "internal")


def test_names_match_ignoring_case(access):
    assert access.grants_for("ALICE")[0].role == "analyst"
    assert access.grants_for("x", ["Yarmouth-Command"])[0].role == "commander"


def test_names_differing_only_in_case_are_refused(tmp_path):
    path = tmp_path / "ACCESS.toml"
    path.write_text(
        '[users."A.Analyst"]\nrole = "analyst"\nareas = ["A"]\n'
        '[users."a.analyst"]\nrole = "partner"\nareas = ["A"]\n'
    )
    with pytest.raises(ConfigError, match="a second entry for 'a.analyst'"):
        load_access(path, forces={})


def test_a_packaged_force_code_given_another_forces_districts_is_refused():
    # An example copied with the wrong code (E23000026 is Bedfordshire) must not silently grant a
    # Norfolk analyst Bedfordshire's products, nor widen Bedfordshire to Norfolk's districts.
    packaged = {"E23000026": ["E06000032", "E06000055", "E06000056"], FORCE: [NORWICH, YARMOUTH]}
    data = {"forces": {"E23000026": [NORWICH]}, "users": {"a": {"role": "analyst", "areas": ["E23000026"]}}}
    with pytest.raises(ConfigError, match=r"districts outside those forces: E23000026 \(not in that force: E07000148"):
        parse_access(data, "ACCESS.toml", packaged)
    # Narrowing a force to some of its own districts stays allowed.
    narrow = {"forces": {FORCE: [NORWICH]}, "users": {"a": {"role": "analyst", "areas": [FORCE]}}}
    assert parse_access(narrow, "ACCESS.toml", packaged).forces[FORCE] == frozenset({NORWICH})
