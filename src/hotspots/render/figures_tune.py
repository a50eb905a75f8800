"""Static figures and small self-contained pages for the tune and evaluate reports.

Builds bytes and strings only; no file I/O. PNGs are byte-identical for equal inputs: the
figure is drawn with matplotlib's default style (ignoring any ``matplotlibrc``), a fixed size
and dpi, on the Agg canvas directly (pyplot's global state is never touched), and without the
``Software`` metadata chunk.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np

from hotspots.render.offline import escape_text

__all__ = ["FIGURE_DPI", "FIGURE_SIZE_IN", "PAGE_CSP", "k_distance_png", "standalone_page"]

#: Figure size (inches) and resolution: 960 x 540 pixels.
FIGURE_SIZE_IN = (9.6, 5.4)
FIGURE_DPI = 100

#: Content-Security-Policy of the pages: no scripts, no network; images only from data: URIs.
PAGE_CSP = (
    "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; "
    "form-action 'none'"
)

_PAGE_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Arial, sans-serif; margin: 1.5rem auto;
       max-width: 62rem; padding: 0 1rem; color: #1a1a1a; }
.marking { text-align: center; font-weight: bold; letter-spacing: .08em; padding: .2rem;
           background: #1a1a1a; color: #fff; margin: .5rem 0; overflow-wrap: anywhere; }
table { border-collapse: collapse; margin: 1rem 0; display: block; max-width: 100%;
        overflow-x: auto; }
h1, p, li { overflow-wrap: anywhere; }
@media (max-width: 700px) { body { margin: .5rem auto; padding: 0 .5rem; } h1 { font-size: 1.3rem; } }
@media print { .marking { -webkit-print-color-adjust: exact; print-color-adjust: exact; } }
th, td { border: 1px solid #bbb; padding: .3rem .6rem; text-align: left; }
td { font-variant-numeric: tabular-nums; }
tr.chosen td { background: #fff3c4; font-weight: bold; }
img { max-width: 100%; height: auto; border: 1px solid #ddd; }
.note { font-size: .9rem; color: #333; }
""".strip()


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
    # Imported here so that importing this module (for `standalone_page`) stays light.
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


def standalone_page(*, title: str, marking: str, body_html: str) -> str:
    """Wrap already-escaped body HTML in a self-contained page with the marking top and bottom.

    Parameters
    ----------
    title
        Page title and heading (escaped here).
    marking
        Protective marking (escaped here), printed above and below everything else.
    body_html
        Trusted HTML: every value in it must already be escaped.

    Returns
    -------
    str
        The page. It loads nothing and runs no script (see :data:`PAGE_CSP`).
    """
    mark = f'<div class="marking">{escape_text(marking)}</div>'
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{PAGE_CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape_text(title)}</title>\n<style>\n{_PAGE_CSS}\n</style>\n</head>\n<body>\n"
        f"{mark}\n<h1>{escape_text(title)}</h1>\n{body_html}\n{mark}\n</body>\n</html>\n"
    )
