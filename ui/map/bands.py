"""Zoom bands: the simplification tolerance a scale is drawn at, and the one background thread
that simplifies the neighbouring bands ahead of a zoom.  May import the standard library only;
it is handed the geometry layers (:class:`ui.map.layers.GeometryLayer`) to work on.
"""

from __future__ import annotations

import threading

# Simplification tolerances (metres) of the zoom bands; the renderer uses the largest one that
# stays below half a screen pixel.
BANDS = (0.0, 2.0, 4.0, 8.0, 15.0, 30.0, 60.0, 120.0, 250.0, 500.0, 1000.0, 2000.0)
ROADS_MAX_MUPP = 1500.0  # no road is drawn above this many metres a pixel (a national view)
_PREFETCH_MIN = 500  # layers with at least this many features get neighbouring bands prefetched


def roads_shown(tol: float) -> bool:
    """Whether roads are drawn at a scale whose band is ``tol`` (their bands are worth
    simplifying: the road layer is the largest one)."""
    return tol <= band_for(ROADS_MAX_MUPP)


def band_for(mupp: float) -> float:
    """The band (tolerance in metres) to draw at ``mupp`` metres per pixel."""
    tol = 0.0
    for b in BANDS:
        if b <= mupp * 0.6:
            tol = b
    return tol


class BandPrefetcher:
    """Simplifies the zoom band on screen and the ones next to it in a background thread (one thread
    at a time, each band once), so that zooming into them does not wait for shapely (a few
    hundred ms for a province).

    Only numpy/shapely work happens there (no Qt object, no widget); a layer replaced
    meanwhile is simply left to the garbage collector."""

    def __init__(self) -> None:
        self.thread: threading.Thread | None = None

    def start(self, layers, tol: float) -> threading.Thread | None:
        """Prefetch the bands next to ``tol`` of the big ones among ``layers``; the thread
        started, or None when one still runs or nothing is left to do."""
        if self.thread is not None and self.thread.is_alive():
            return None
        i = BANDS.index(tol) if tol in BANDS else -1
        # the band on screen first (a zoomed view simplified only what it showed), then
        # the next coarser and finer ones
        wanted = [BANDS[j] for j in (i, i + 1, i - 1) if i >= 0 and 0 <= j < len(BANDS)]
        big = [g for g in layers if len(g) >= _PREFETCH_MIN]
        jobs = [(g, t) for t in wanted for g in big if not g.has_band(t)]
        if not jobs:
            return None

        def run() -> None:
            for g, t in jobs:
                try:
                    g.parts(t)
                except Exception:  # noqa: BLE001 - the paint computes (and reports) it itself
                    return

        self.thread = threading.Thread(target=run, name="canvas-band-prefetch", daemon=True)
        self.thread.start()
        return self.thread
