"""The k-distance figure of the tune report (its page is :mod:`hotspots.render.tune_page`).

Builds bytes only; no file I/O. PNGs are byte-identical for equal inputs: the
figure is drawn with matplotlib's default style (ignoring any ``matplotlibrc``), a fixed size
and dpi, on the Agg canvas directly (pyplot's global state is never touched), and without the
``Software`` metadata chunk.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np

__all__ = ["FIGURE_DPI", "FIGURE_SIZE_IN", "k_distance_png"]

#: Figure size (inches) and resolution: 960 x 540 pixels.
FIGURE_SIZE_IN = (9.6, 5.4)
FIGURE_DPI = 100


def k_distance_png(
    curves: Sequence[np.ndarray],
    labels: Sequence[str],
    knee_indices: Sequence[int],
    highlight: Sequence[bool],
    suggested_eps_m: float | None = None,
) -> bytes:
    """Draw sorted k-distance curves with a marker at each knee, as PNG bytes.

    The left panel shows every curve whole; the right one is cut at three times the largest
    knee distance, because a few isolated events can stretch a curve to kilometres and flatten
    the part where the knees are.

    Parameters
    ----------
    curves
        One ascending array of distances in metres per curve; all may differ in length.
    labels
        Legend text per curve (plain text; matplotlib does not interpret HTML).
    knee_indices
        Index of the knee in each curve.
    highlight
        True for the curve to draw heavier (the suggestion).
    suggested_eps_m
        Drawn as a dashed horizontal line in both panels when given.

    Returns
    -------
    bytes
        A PNG file, 960 x 540 pixels.
    """
    # Imported here: matplotlib takes a while to import and only this figure needs it.
    import matplotlib.style
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    with matplotlib.style.context("default"):
        fig = Figure(figsize=FIGURE_SIZE_IN, dpi=FIGURE_DPI)
        FigureCanvasAgg(fig)
        # Fixed margins rather than a layout engine: half the drawing time, same every time.
        fig.subplots_adjust(left=0.08, right=0.985, bottom=0.1, top=0.93, wspace=0.2)
        full, zoom = fig.subplots(1, 2)
        top = 0.0
        for i, (curve, label, knee, strong) in enumerate(
            zip(curves, labels, knee_indices, highlight, strict=True)
        ):
            curve = np.asarray(curve, dtype=np.float64)
            if curve.size == 0:
                continue
            colour = f"C{i % 10}"
            x = np.arange(curve.size)
            top = max(top, float(curve[knee]))
            for ax in (full, zoom):
                ax.plot(
                    x,
                    curve,
                    color=colour,
                    linewidth=2.4 if strong else 1.2,
                    label=label,
                    zorder=3 if strong else 2,
                )
                ax.plot(
                    [knee],
                    [curve[knee]],
                    marker="o",
                    markersize=8 if strong else 6,
                    markeredgecolor="black",
                    color=colour,
                    linestyle="none",
                    zorder=4,
                )
        if suggested_eps_m is not None:
            for ax in (full, zoom):
                ax.axhline(
                    suggested_eps_m,
                    color="black",
                    linestyle="--",
                    linewidth=0.8,
                    label=f"suggested eps {suggested_eps_m:,.0f} m" if ax is zoom else None,
                )
            top = max(top, suggested_eps_m)
        full.set_title("All harm events (k = min_samples)")
        zoom.set_title("Near the knees")
        zoom.set_ylim(0, 3 * top if top > 0 else 1)
        for ax in (full, zoom):
            ax.set_xlabel("Harm events, sorted by k-distance")
            ax.set_ylabel("Distance to k-th nearest event (m)")
            ax.grid(True, linewidth=0.4, alpha=0.6)
        zoom.legend(loc="upper left", fontsize="small")
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=FIGURE_DPI, metadata={"Software": None})
    return buf.getvalue()
