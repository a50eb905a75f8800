"""What harm and enforcement stand for, in the user's words (the config's ``[labels]`` table).

The tool's two roles, harm and enforcement, are fixed terms (coverage, thin and harm gap are
defined with them), but what each role *is* depends on the data: cuckooing reports and raids
in force data, robbery and drugs offences in the police.uk stand-ins. Every page header,
legend, tooltip, the briefing title and ``summary.json`` name the role with its label, so
nobody reads a robbery hotspot as a cuckooed address::

    [labels]
    harm = "robbery"                      # a short noun: headers, legends, tooltips
    harm_description = "Robbery — a stand-in for drug-market harm"   # a sentence: titles, definitions
    enforcement = "drugs and weapons offences"
    enforcement_description = "Drugs and weapons possession offences — a stand-in for enforcement"

Each key is optional. Without ``[labels]`` the built-in wording applies when only the built-in
types carry the role; when the config gives a role types of its own, the role is named by
those types' labels as the config writes them (``"Robbery"``), so no page calls robbery
"cuckooing reports".
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from hotspots import schema
from hotspots.errors import ConfigError

#: The built-in wording (force data: the built-in types cuckooing, raid and seizure).
DEFAULT_HARM: Final = "cuckooing reports"
DEFAULT_HARM_DESCRIPTION: Final = (
    "Cuckooing reports (a drug line taking over a vulnerable person's home)"
)
DEFAULT_ENFORCEMENT: Final = "raids and seizures"
DEFAULT_ENFORCEMENT_DESCRIPTION: Final = "Raids (warrants executed) and seizures"
#: Longest short noun: it sits in headers and tooltips, which must fit a 390 px phone.
MAX_NOUN_CHARS: Final = 40
#: Longest description: one sentence in a title block or a definition.
MAX_DESCRIPTION_CHARS: Final = 200
LABEL_KEYS: Final = ("harm", "harm_description", "enforcement", "enforcement_description")


@dataclass(frozen=True)
class Labels:
    """The short noun and the full sentence naming each role; invalid values raise ConfigError."""

    harm: str = DEFAULT_HARM
    harm_description: str = DEFAULT_HARM_DESCRIPTION
    enforcement: str = DEFAULT_ENFORCEMENT
    enforcement_description: str = DEFAULT_ENFORCEMENT_DESCRIPTION

    def __post_init__(self) -> None:
        for key in LABEL_KEYS:
            _check(key, getattr(self, key))

    def noun(self, role: str) -> str:
        """The short noun of ``role`` (``"robbery"``)."""
        return self.harm if role == schema.ROLE_HARM else self.enforcement

    def description(self, role: str) -> str:
        """The sentence describing ``role`` (``"Robbery — a stand-in for drug-market harm"``)."""
        return self.harm_description if role == schema.ROLE_HARM else self.enforcement_description

    def named(self, role: str) -> str:
        """The role with its noun, for headers and tooltips: ``"harm (robbery)"``."""
        return f"{role} ({self.noun(role)})"

    def as_dict(self) -> dict[str, str]:
        """JSON-ready values, the keys of ``[labels]``."""
        return {key: getattr(self, key) for key in LABEL_KEYS}


def _check(key: str, value: Any) -> None:
    most = MAX_DESCRIPTION_CHARS if key.endswith("_description") else MAX_NOUN_CHARS
    kind = "a sentence" if key.endswith("_description") else "a short noun such as \"robbery\""
    if not isinstance(value, str):
        raise ConfigError(
            f"[labels] {key}: expected text ({kind}), got {value!r}; write {key} = \"...\""
        )
    if not value.strip():
        raise ConfigError(f"[labels] {key}: must not be empty; write {kind}, or leave {key} out")
    if any(unicodedata.category(ch).startswith("C") for ch in value):
        raise ConfigError(
            f"[labels] {key}: holds a line break or control character; write it on one line"
        )
    if len(value) > most:
        raise ConfigError(
            f"[labels] {key}: {len(value)} characters, at most {most} fit where it is shown; "
            "shorten it"
        )


def labels_from_table(
    table: Mapping[str, Any],
    roles: Mapping[str, str],
    type_labels: Mapping[str, str],
) -> Labels:
    """The labels a config's ``[labels]`` table gives, with the defaults for keys it leaves out.

    Parameters
    ----------
    table
        The ``[labels]`` table as read from TOML.
    roles
        Every event type and its role (built-in types included).
    type_labels
        Event type -> the user's label for it, for the types the config names.

    Raises
    ------
    ConfigError
        An unknown key, or a value that is not one line of text of a fitting length.
    """
    unknown = sorted(set(table) - set(LABEL_KEYS))
    if unknown:
        raise ConfigError(
            f"[labels] has unknown key(s) {', '.join(unknown)}; expected some of "
            f"{', '.join(LABEL_KEYS)}"
        )
    for key, value in table.items():
        _check(key, value)
    values: dict[str, str] = {}
    for role, default_noun, default_description in (
        (schema.ROLE_HARM, DEFAULT_HARM, DEFAULT_HARM_DESCRIPTION),
        (schema.ROLE_ENFORCEMENT, DEFAULT_ENFORCEMENT, DEFAULT_ENFORCEMENT_DESCRIPTION),
    ):
        own = _own_types(role, roles, type_labels)
        noun = _joined(own) if own else default_noun
        if len(noun) > MAX_NOUN_CHARS:
            noun = f"{role} events"
        description = f"{noun[:1].upper()}{noun[1:]}" if own else default_description
        values[role] = table.get(role, noun).strip()
        values[f"{role}_description"] = table.get(f"{role}_description", description).strip()
    return Labels(**values)


def _own_types(role: str, roles: Mapping[str, str], type_labels: Mapping[str, str]) -> list[str]:
    """The user's labels of the config's own (not built-in) types with ``role``."""
    return [
        type_labels.get(name, name)
        for name, r in roles.items()
        if r == role and name not in schema.DEFAULT_TYPE_ROLES
    ]


def _joined(words: Sequence[str]) -> str:
    """``"a"``, ``"a and b"``, ``"a, b and c"``."""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"
