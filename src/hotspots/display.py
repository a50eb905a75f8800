"""Text from input files made safe to display: no bidirectional controls, no endless names.

Input text (district names and codes, hotspot and event ids) reaches pages people read. Two
things in it mislead a reader without breaking any escaping:

* **Bidirectional controls** (U+202A-U+202E, U+2066-U+2069, U+200E, U+200F, U+061C) reorder
  what follows them: ``javascript:alert(1)//\u202eevil\u202c`` displays reversed. They are
  removed (`neutralise_bidi`), so text shows in the order it is stored.
* **Very long names** (a 10,000-character district name) push tables off the printed page.
  `short_name` cuts them at :data:`MAX_NAME_CHARS` with an ellipsis.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["BIDI_CONTROLS", "MAX_NAME_CHARS", "neutralise_bidi", "short_name"]

#: Characters that change the display order of the text around them.
BIDI_CONTROLS: Final = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_BIDI = re.compile(f"[{BIDI_CONTROLS}]")
#: Longest name shown in a table or sentence; longer ones end in "…".
MAX_NAME_CHARS: Final = 80


def neutralise_bidi(text: str) -> str:
    """Remove bidirectional control characters from `text`.

    Examples
    --------
    >>> neutralise_bidi("abc\u202edef\u202c")
    'abcdef'
    """
    return _BIDI.sub("", text)


def short_name(text: str, limit: int = MAX_NAME_CHARS) -> str:
    """`text` without bidirectional controls, cut to `limit` characters with an ellipsis.

    Examples
    --------
    >>> short_name("x" * 100, 10)
    'xxxxxxxxx…'
    """
    text = neutralise_bidi(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"
