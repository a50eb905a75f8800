"""Is a hotspot more than chance? A Monte Carlo scan test with DBSCAN as the window.

The test (also in ``docs/surface.md`` and every output that carries a ``p_value``):

* **Null hypothesis** — harm is not concentrated anywhere relative to where events happen:
  the period's analysed events (harm and enforcement together, the *background*) keep
  their places, and which of them are harm is a random draw of the same number
  (random relabelling, a Bernoulli model as in Kulldorff's spatial scan statistic).
* **Window** — a hotspot's window is the set of grid cells (side ``eps_m / 2``, on whole
  multiples of it in British National Grid) that hold its members. The statistic is the
  Bernoulli log-likelihood ratio of harm inside the window against harm outside
  (0 unless harm is over-represented inside).
* **Replicates** — in each of ``replicates`` relabellings, DBSCAN is run again with the same
  ``eps_m`` and ``min_samples`` on the pseudo-harm events, and the largest statistic of any
  cluster it finds is kept. A hotspot's p-value is ``(1 + replicates whose largest
  statistic reaches the hotspot's) / (1 + replicates)``.

Comparing each hotspot with the *largest* cluster chance produces anywhere corrects for the
fact that DBSCAN chose the window where harm happened to gather and for testing many
hotspots at once (the family-wise error rate is held at the stated level). The background
is recorded police activity, not population: a hotspot can stand out because harm is
concentrated or because enforcement is absent there; the test says the imbalance is
unlikely to be chance, not why.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy.special import xlogy

from hotspots import parallel, schema
from hotspots.dbscan import run_dbscan
from hotspots.definitions import CHANCE_TEST
from hotspots.errors import ConfigError

if TYPE_CHECKING:
    from hotspots.model import Analysis

#: Relabellings by default: the smallest p-value is 1/100, resolution enough at the 0.05 level.
DEFAULT_REPLICATES = 99
#: Significance level of the words "unlikely by chance".
DEFAULT_ALPHA = 0.05
DEFAULT_SEED = 20240101

WORD_UNLIKELY = "unlikely by chance"
WORD_COULD_BE = "could be chance"


@dataclass(frozen=True)
class ChanceOptions:
    """What ``--chance-test`` asks for: replicates, the seed of their draws, and the level."""

    replicates: int = DEFAULT_REPLICATES
    seed: int = DEFAULT_SEED
    alpha: float = DEFAULT_ALPHA

    def __post_init__(self) -> None:
        _check_replicates(self.replicates)
        _check_alpha(self.alpha)
        if isinstance(self.seed, bool) or not isinstance(self.seed, (int, np.integer)) or self.seed < 0:
            raise ConfigError(f"seed: expected a whole number of at least 0, got {self.seed!r}")


def _check_replicates(replicates: object) -> None:
    if isinstance(replicates, bool) or not isinstance(replicates, (int, np.integer)) or not 1 <= replicates <= 9999:
        raise ConfigError(f"replicates: expected a whole number from 1 to 9999, got {replicates!r}")


def _check_alpha(alpha: object) -> None:
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not 0 < alpha < 1:
        raise ConfigError(f"alpha: expected a level between 0 and 1, got {alpha!r}")


@dataclass(frozen=True)
class ChanceTest:
    """p-values of the hotspots (in the order given) and how they were obtained."""

    p_values: np.ndarray
    statistics: np.ndarray  # each hotspot's log-likelihood ratio
    replicates: int
    seed: int
    alpha: float
    cell_m: float

    def words(self) -> list[str]:
        """"unlikely by chance" when p <= alpha, else "could be chance"."""
        return [WORD_UNLIKELY if p <= self.alpha else WORD_COULD_BE for p in self.p_values]

    def as_dict(self) -> dict[str, object]:
        """JSON-ready description (for ``summary.json``)."""
        return {
            "test": CHANCE_TEST,
            "replicates": self.replicates,
            "seed": self.seed,
            "alpha": self.alpha,
            "window_cell_m": self.cell_m,
        }


def _llr(cases_in: np.ndarray, total_in: np.ndarray, cases: int, total: int) -> np.ndarray:
    """Bernoulli log-likelihood ratio of each window; 0 where harm is not over-represented inside."""
    c, n = np.asarray(cases_in, float), np.asarray(total_in, float)
    c_out, n_out = cases - c, total - n
    with np.errstate(divide="ignore", invalid="ignore"):
        inside = xlogy(c, c / n) + xlogy(n - c, 1 - c / n)
        outside = np.where(n_out > 0, xlogy(c_out, c_out / n_out) + xlogy(n_out - c_out, 1 - c_out / n_out), 0.0)
        null = xlogy(cases, cases / total) + xlogy(total - cases, 1 - cases / total)
        excess = (n > 0) & ((n_out == 0) | (c / n > c_out / np.where(n_out > 0, n_out, 1)))
        value = np.where(excess, inside + outside - null, 0.0)
    return np.maximum(np.nan_to_num(value, nan=0.0), 0.0)


def _window_counts(
    labels: np.ndarray, cells: np.ndarray, all_per_cell: np.ndarray, harm_per_cell: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(harm, all events) inside each cluster's window (the cells holding its members)."""
    member = labels >= 0
    n_clusters = int(labels.max()) + 1 if member.any() else 0
    if n_clusters == 0:
        return np.zeros(0), np.zeros(0)
    n_cells = len(all_per_cell)
    pairs = np.unique(labels[member].astype(np.int64) * n_cells + cells[member])
    owner, cell = pairs // n_cells, pairs % n_cells
    harm = np.bincount(owner, weights=harm_per_cell[cell], minlength=n_clusters)
    total = np.bincount(owner, weights=all_per_cell[cell], minlength=n_clusters)
    return harm, total


def chance_test(
    x_m: np.ndarray, y_m: np.ndarray, is_harm: np.ndarray, hotspot_of_event: np.ndarray,
    n_hotspots: int, *, eps_m: float, min_samples: int, engine: str = "grid",
    replicates: int = DEFAULT_REPLICATES, seed: int = DEFAULT_SEED, alpha: float = DEFAULT_ALPHA,
) -> ChanceTest:
    """Test each hotspot against random relabelling of the period's events.

    Parameters
    ----------
    x_m, y_m
        Every analysed event of the period (harm and enforcement), metres (EPSG:27700).
    is_harm
        True for harm events.
    hotspot_of_event
        The hotspot index (0 .. n_hotspots-1) of each harm event in a hotspot, else -1.
    n_hotspots
        Hotspots to test; p-values come back in index order.
    eps_m, min_samples, engine
        The DBSCAN settings that found the hotspots (the replicates use the same).
    replicates, seed, alpha
        Monte Carlo relabellings, the seed of their random generator, and the level at
        which a hotspot is called "unlikely by chance".

    Raises
    ------
    ConfigError
        ``replicates`` is not a whole number from 1 to 9999, or ``alpha`` not in (0, 1).
    """
    _check_replicates(replicates)
    _check_alpha(alpha)
    x, y = np.asarray(x_m, float), np.asarray(y_m, float)
    harm_flag = np.asarray(is_harm, bool)
    owner = np.asarray(hotspot_of_event, np.int64)
    cell_m = eps_m / 2
    # Cells on whole multiples of cell_m in the projected CRS: moving every event leaves the
    # windows the same shape, and no cell depends on row order.
    col = np.floor(x / cell_m).astype(np.int64)
    row = np.floor(y / cell_m).astype(np.int64)
    _, cells = np.unique(np.column_stack([col, row]), axis=0, return_inverse=True)
    cells = cells.ravel()
    all_per_cell = np.bincount(cells).astype(float)
    total, cases = len(x), int(harm_flag.sum())

    harm_in, all_in = _window_counts(owner, cells, all_per_cell, np.bincount(cells, weights=harm_flag.astype(float),
                                                                             minlength=len(all_per_cell)))
    observed = np.zeros(n_hotspots)
    observed[: len(harm_in)] = _llr(harm_in, all_in, cases, total)[:n_hotspots]

    # Relabel in a fixed order of the events (by place), so the draw does not depend on row
    # order; each replicate has its own generator spawned from the seed, so the p-values are
    # the same however many threads share the replicates.
    order = np.lexsort((harm_flag, y, x))
    xy = np.column_stack([x, y])[order]
    cells_sorted = cells[order]
    streams = np.random.SeedSequence(seed).spawn(replicates)

    def largest_statistic(stream: np.random.SeedSequence) -> float:
        if cases == 0:
            return 0.0
        pick = np.sort(np.random.default_rng(stream).choice(total, size=cases, replace=False))
        labels = run_dbscan(xy[pick], eps_m=eps_m, min_samples=min_samples, engine=engine).labels
        picked_cells = cells_sorted[pick]
        harm_cells = np.bincount(picked_cells, minlength=len(all_per_cell)).astype(float)
        h, n = _window_counts(labels, picked_cells, all_per_cell, harm_cells)
        return float(_llr(h, n, cases, total).max(initial=0.0))

    # The DBSCAN kernels run compiled without the GIL: replicates share the cores.
    with ThreadPoolExecutor(max(1, min(parallel.cores(), replicates))) as pool:
        largest = np.fromiter(pool.map(largest_statistic, streams), dtype=float, count=replicates)
    exceed = (largest[None, :] >= observed[:, None] - 1e-9).sum(axis=1)
    p_values = (1 + exceed) / (1 + replicates)
    return ChanceTest(p_values=p_values, statistics=observed, replicates=replicates, seed=seed, alpha=alpha,
                      cell_m=cell_m)


def with_chance_test(analysis: Analysis, options: ChanceOptions | None = None) -> tuple[Analysis, ChanceTest]:
    """The analysis with ``p_value`` and ``chance`` columns on its hotspots, and the test.

    ``chance`` is :data:`WORD_UNLIKELY` when ``p_value <= alpha``, else :data:`WORD_COULD_BE`.
    """
    from dataclasses import replace

    options = options or ChanceOptions()
    events, spots = analysis.events, analysis.hotspots
    row_of = {hid: i for i, hid in enumerate(spots[schema.COL_HOTSPOT])}
    owner = np.array([row_of.get(h, -1) for h in events[schema.COL_HOTSPOT]], dtype=np.int64)
    params = analysis.params
    result = chance_test(
        events[schema.COL_X].to_numpy(float), events[schema.COL_Y].to_numpy(float),
        (events[schema.COL_ROLE] == schema.ROLE_HARM).to_numpy(), owner, len(spots),
        eps_m=params.eps_m, min_samples=params.min_samples, engine=params.engine,
        replicates=options.replicates, seed=options.seed, alpha=options.alpha,
    )
    tested = spots.copy()
    tested["p_value"] = np.round(result.p_values, 4)
    tested["chance"] = result.words()
    return replace(analysis, hotspots=tested), result
