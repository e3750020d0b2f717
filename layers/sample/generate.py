"""The sample generator: district specs per scale, one tile per district, the layers assembled
into a fictional :class:`~ilp_gis.project.Project` (deterministic by seed).

May import the domain (``ilp_gis``) and ``layers.sample.district``.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from ilp_gis import model
from ilp_gis.errors import InputError
from ilp_gis.i18n import register_catalog, tr
from ilp_gis.jobs import checkpoint
from ilp_gis.project import Project
from layers.sample.district import TileSpec, build_tile
from layers.sample.names import unique_names

SCALES = ("kabupaten", "provinsi", "nasional")

# Province codes that no real Indonesian province uses (Kemendagri and BPS share them).
_FICTIONAL_PROVINCES = (99, 98, 97, 90, 89, 88, 87, 86, 85, 84, 83, 80, 79, 78, 77, 70, 69, 68,
                        67, 66, 60, 59, 58, 57, 56, 55, 54, 50, 49, 48, 47, 46, 45, 44, 43, 42,
                        41, 40)


@dataclass(frozen=True)
class _ScaleSpec:
    n_tiles: int
    desa_range: tuple[int, int]
    kec_range: tuple[int, int]


_SCALE_SPECS = {
    "kabupaten": _ScaleSpec(1, (250, 300), (8, 12)),
    "provinsi": _ScaleSpec(12, (260, 320), (9, 14)),
    "nasional": _ScaleSpec(514, (130, 196), (10, 18)),
}


def generate_sample(scale: str = "kabupaten", seed: int = 1, *, progress=None,
                    is_cancelled=None) -> Project:
    """Generate the fictional sample as a clean :class:`Project` (deterministic by ``seed``):
    what a careful import would give.

    Every output is marked fictional (project meta ``fictional=true``, the title).  Area codes
    use provinces that do not exist (Kemendagri ``99``, BPS ``99``; for the national scale other
    unused province numbers), so they can never be mistaken for a real place.  Geometry is built
    per district in a local metric frame (metres around the district centre) with vectorised
    numpy/shapely, then converted to WGS 84 longitude/latitude.

    Parameters
    ----------
    scale
        ``"kabupaten"``: one district, 8–12 kecamatan, 250–300 desa, a coastline and two small
        islands reached by ferry (the bundled ``sample_data/kabupaten_contoh.gpkg``);
        ``"provinsi"``: twelve districts (~3,500 desa), for benchmarks; ``"nasional"``: ~514
        districts (~84,000 desa, ~10,000 Puskesmas, ~40,000 Pustu, ~300,000 Posyandu,
        ~1,000,000 road segments), for benchmarks.
    seed
        Same seed, same data — frame for frame.
    progress, is_cancelled
        The usual long-work callbacks (:mod:`ilp_gis.jobs`).
    """
    if scale not in _SCALE_SPECS:
        raise InputError(tr("sample.bad_scale", scale=scale, scales=", ".join(SCALES)))
    tiles = _tile_specs(scale, int(seed))
    parts: list[dict] = []
    for i, spec in enumerate(tiles):
        checkpoint(progress, is_cancelled, 0.9 * i / len(tiles), tr("sample.progress.tile",
                                                                    i=i + 1, n=len(tiles)))
        rng = np.random.default_rng([int(seed), spec.index, 7919])
        parts.append(build_tile(spec, rng))
    checkpoint(progress, is_cancelled, 0.92, tr("sample.progress.assemble"))
    layers = {}
    for name in ("kabupaten", "kecamatan", "desa", "facilities", "roads", "settlements",
                 "budget"):
        cols = {c: np.concatenate([p[name][c] for p in parts]) for c in parts[0][name]}
        if name == "budget":
            layers[name] = pd.DataFrame(cols).astype({"year": "Int64"})
        else:
            geom = cols.pop("geometry")
            layers[name] = gpd.GeoDataFrame(cols, geometry=gpd.GeoSeries(geom, crs=model.WGS84),
                                            crs=model.WGS84)
    title = (tr("sample.title_kabupaten") if scale == "kabupaten"
             else tr("sample.title_scale", scale=scale))
    meta = {
        model.META_FICTIONAL: "true",
        model.META_TITLE: title,
        "sample_scale": scale,
        "sample_seed": str(int(seed)),
        model.META_SOURCES: json.dumps({"generator": "layers.sample", "scale": scale,
                                        "seed": int(seed), "fictional": True},
                                       ensure_ascii=False),
    }
    project = Project(layers=layers, meta=meta)
    checkpoint(progress, is_cancelled, 1.0, tr("sample.progress.done"))
    return project


def _tile_specs(scale: str, seed: int) -> list[TileSpec]:
    s = _SCALE_SPECS[scale]
    rng = np.random.default_rng([seed, 104729])
    names = unique_names(rng, s.n_tiles + 5)
    specs = []
    if scale == "kabupaten":
        return [TileSpec(0, 99, 1, 121.95, -8.62, int(rng.integers(s.desa_range[0] + 8,
                                                                       s.desa_range[1] - 8)),
                         int(rng.integers(s.kec_range[0], s.kec_range[1] + 1)), True, 2, True,
                         "Kabupaten Contoh")]
    if scale == "provinsi":
        # 4 x 3 districts west to east along a Flores-like island chain.
        for i in range(s.n_tiles):
            col, row = i % 4, i // 4
            lon = 119.9 + col * 0.95 + rng.uniform(-0.05, 0.05)
            lat = -8.2 - row * 0.85 + rng.uniform(-0.05, 0.05)
            specs.append(TileSpec(i, 99, i + 1, lon, lat,
                                  int(rng.integers(*s.desa_range)),
                                  int(rng.integers(s.kec_range[0], s.kec_range[1] + 1)),
                                  row == 2, 1 if row == 2 else 0, True,
                                  f"Kabupaten {names[i]} Contoh"))
        return specs
    # nasional: districts on a coarse grid over the Indonesian bounding box (cells 0.7° apart,
    # wider than any district, so districts never overlap).
    cols, rows = 66, 24
    cells = rng.choice(cols * rows, size=s.n_tiles, replace=False)
    cells.sort()
    per_prov = math.ceil(s.n_tiles / len(_FICTIONAL_PROVINCES))
    for i, cell in enumerate(cells):
        col, row = int(cell % cols), int(cell // cols)
        lon = 95.3 + col * 0.7 + rng.uniform(-0.03, 0.03)
        lat = 5.6 - row * 0.7 + rng.uniform(-0.03, 0.03)
        prov = _FICTIONAL_PROVINCES[i // per_prov]
        specs.append(TileSpec(i, prov, i % per_prov + 1, lon, lat,
                              int(rng.integers(*s.desa_range)),
                              int(rng.integers(s.kec_range[0], s.kec_range[1] + 1)),
                              False, 0, False, f"Kabupaten {names[i % len(names)]} Contoh",
                              pustu_share=0.47, segment_m=1000.0, posyandu_gap=0.15))
    return specs


register_catalog("layers", "sample.generate")
