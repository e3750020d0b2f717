"""Map geometry made and simplified a chunk of features at a time (so a worker building a
nation's layers lets the UI thread run between chunks) is exactly what one call gives."""

from __future__ import annotations

import numpy as np
import shapely

from ui.map import layers
from ui.map.layers import GeometryLayer


def _polygons(n: int) -> np.ndarray:
    rng = np.random.default_rng(7)
    out = []
    for i in range(n):
        x, y = (i % 10) * 100.0, (i // 10) * 100.0
        ring = [(x + 40 * np.cos(a) + rng.uniform(-5, 5), y + 40 * np.sin(a) + rng.uniform(-5, 5))
                for a in np.linspace(0, 2 * np.pi, 17)[:-1]]
        out.append(shapely.Polygon(ring) if i % 9 else shapely.MultiPolygon(
            [shapely.Polygon(ring), shapely.box(x + 45, y + 45, x + 49, y + 49)]))
    out[5] = None  # a missing geometry keeps its place
    return np.array(out, dtype=object)


def _parts(layer, tol):
    p = layer.parts(tol)
    return p.coords, p.counts, p.feature, p.starts


def test_chunks_give_what_one_call_gives(monkeypatch):
    geoms = _polygons(95)
    whole = [_parts(GeometryLayer(geoms, [str(i) for i in range(95)]), tol)
             for tol in (0.0, 3.0, 30.0)]
    move = lambda a: shapely.transform(a, lambda c: c + 1.5)  # noqa: E731
    once = move(geoms)
    monkeypatch.setattr(layers, "CHUNK", 7)  # 95 features in 14 chunks
    chunked = [_parts(GeometryLayer(geoms, [str(i) for i in range(95)]), tol)
               for tol in (0.0, 3.0, 30.0)]
    for a, b in zip(whole, chunked, strict=True):
        for x, y in zip(a, b, strict=True):
            assert np.array_equal(x, y)
    got = layers._chunked(move, geoms)
    assert len(got) == 95 and got[5] is None
    assert all(shapely.equals_exact(a, b, 0) for a, b in zip(once, got, strict=True)
               if a is not None)
