"""Deterministic PNGs from matplotlib: equal drawings give equal bytes.

A figure made by :func:`private_figure` has its own Agg canvas (pyplot's global state is never
touched) and matplotlib's default style (a user's ``matplotlibrc`` cannot change it);
:func:`png_bytes` writes it without the PNG's ``Software`` tag, which names the matplotlib
version. The bytes then stay equal as long as matplotlib and its bundled DejaVu fonts do.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager

import matplotlib.style
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

__all__ = ["png_bytes", "private_figure"]


@contextmanager
def private_figure(size_in: tuple[float, float], dpi: float) -> Iterator[Figure]:
    """Yield a figure of ``size_in`` inches at ``dpi`` on its own canvas, in the default style.

    Call :func:`png_bytes` inside the ``with`` block: the style applies to saving too.
    """
    with matplotlib.style.context("default"):
        figure = Figure(figsize=size_in, dpi=dpi)
        FigureCanvasAgg(figure)
        yield figure


def png_bytes(figure: Figure) -> bytes:
    """The figure as PNG bytes at its own resolution, without the ``Software`` tag."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=figure.dpi, metadata={"Software": None})
    return buffer.getvalue()
