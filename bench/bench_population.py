"""Benchmark: a population raster summed per desa (``--population-raster``), at national scale.

The desa are the nasional sample's (~87,000, generated once into
``<temp dir>/ilp_gis_bench/sources_nasional`` as ``bench_import.py`` does, and reused).  The
raster is a generated GeoTIFF at WorldPop's 100 m (3 arc-seconds, EPSG:4326), float32, tiled
and DEFLATE-compressed, people on land and nodata at sea.  Indonesia's 100 m grid is about
55,000 x 20,000 cells (1.1 billion; WorldPop's file ~1.5 GB); by default a province-sized tile
(``--tile-deg`` degrees square, over the densest part of the sample) is generated and the
national time extrapolated by the number of raster cells under the desa (the work of a zonal
sum grows with the cells it reads, not with the sea around them).  ``--full`` writes the whole
national grid instead (several GB of disk while it runs).

Prints: the raster's size, the desa inside it, the wall and CPU time of the zonal sum
(exactextract reading the raster per desa, the windowed ``layers.importing.zonal``, then the
whole product step: reprojection, coverage checks, sums, the
~1 km population points), the extrapolated national time and the peak memory.

    python bench/bench_population.py [--tile-deg 5] [--full] [--keep]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

GENERATE = """
import sys
from layers.sample import generate_sample, write_sources
project = generate_sample(sys.argv[1], seed=1)
write_sources(project, sys.argv[2], seed=1)
"""

CELL = 1.0 / 1200.0  # 3 arc-seconds, WorldPop's "100 m"
INDONESIA = (95.0, -11.0, 141.0, 6.0)


def peak_rss_mb() -> float:
    try:
        import resource
    except ImportError:  # Windows: no resource module
        return float("nan")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 1024.0 if sys.platform != "darwin" else rss / 1024.0 / 1024.0


def clock():
    return time.perf_counter(), time.process_time()


def since(t0) -> str:
    wall, cpu = time.perf_counter() - t0[0], time.process_time() - t0[1]
    return f"{wall:6.2f} s wall, {cpu:6.2f} s CPU"


def write_raster(path: Path, bounds, desa) -> tuple[int, int]:
    """A float32 population grid over ``bounds``: a smooth density times noise on the desa,
    nodata elsewhere; written strip by strip (memory stays small)."""
    import numpy as np
    import rasterio
    from rasterio.features import rasterize
    from rasterio.transform import from_origin

    left, bottom, right, top = bounds
    width = int(round((right - left) / CELL))
    height = int(round((top - bottom) / CELL))
    transform = from_origin(left, top, CELL, CELL)
    rng = np.random.default_rng(1)
    profile = dict(driver="GTiff", width=width, height=height, count=1, dtype="float32",
                   crs="EPSG:4326", transform=transform, nodata=-99999.0, tiled=True,
                   blockxsize=512, blockysize=512, compress="deflate", BIGTIFF="IF_SAFER")
    shapes = list(desa.geometry.values)
    strip = 2048
    with rasterio.open(path, "w", **profile) as dst:
        for row0 in range(0, height, strip):
            h = min(strip, height - row0)
            win = rasterio.windows.Window(0, row0, width, h)
            wt = rasterio.windows.transform(win, transform)
            land = rasterize(((g, 1) for g in shapes), out_shape=(h, width), transform=wt,
                             fill=0, dtype="uint8")
            dens = rng.gamma(0.6, 12.0, size=(h, width)).astype("float32")
            dst.write(np.where(land == 1, dens, np.float32(-99999.0)), 1, window=win)
    return width, height


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tile-deg", type=float, default=5.0,
                        help="side of the province-sized tile in degrees (default 5)")
    parser.add_argument("--full", action="store_true", help="the whole national grid")
    parser.add_argument("--keep", action="store_true", help="keep the generated GeoTIFF")
    parser.add_argument("--sources", type=Path, help="existing nasional sources directory")
    args = parser.parse_args()

    src = args.sources or Path(tempfile.gettempdir()) / "ilp_gis_bench" / "sources_nasional"
    if not (src / "batas_desa.gpkg").exists():
        print(f"generating nasional sources into {src} ...", flush=True)
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", GENERATE, "nasional", str(src)], cwd=REPO,
                       check=True)
        print(f"  generated in {time.perf_counter() - t:.1f} s", flush=True)

    import numpy as np
    import pyogrio
    import shapely

    from ilp_gis.project import Project
    from layers.importing import import_files

    t = clock()
    project = Project()
    import_files(project, desa=src / "batas_desa.gpkg")
    all_desa = project.desa
    print(f"desa layer: {len(all_desa):,} desa imported in {since(t)}")

    if args.full:
        bounds = INDONESIA
    else:  # the densest tile: centred on the median desa point
        pts = shapely.point_on_surface(np.asarray(all_desa.geometry.values, dtype=object))
        x, y = np.median(shapely.get_x(pts)), np.median(shapely.get_y(pts))
        h = args.tile_deg / 2
        bounds = (x - h, y - h, x + h, y + h)
    box = shapely.box(*bounds)
    inside = shapely.within(np.asarray(all_desa.geometry.values, dtype=object), box)
    desa = all_desa[inside].reset_index(drop=True)
    del pyogrio

    folder = Path(tempfile.mkdtemp(prefix="ilp_gis_raster_"))
    tif = folder / "penduduk_100m.tif"
    t = clock()
    width, height = write_raster(tif, bounds, desa)
    size_mb = os.path.getsize(tif) / 1e6
    print(f"raster: {width:,} x {height:,} cells ({width * height / 1e6:,.0f} M) over "
          f"{bounds[2] - bounds[0]:.1f}° x {bounds[3] - bounds[1]:.1f}°, {size_mb:,.0f} MB "
          f"on disk, written in {since(t)}")

    # cells under the desa: the work of a zonal sum (national: every desa)
    def cells_under(frame) -> float:
        return float(shapely.area(np.asarray(frame.geometry.values, dtype=object)).sum()) \
            / CELL / CELL

    tile_cells, national_cells = cells_under(desa), cells_under(all_desa)
    print(f"desa in the raster: {len(desa):,} of {len(all_desa):,}; cells under them "
          f"{tile_cells / 1e6:,.1f} M (all desa: {national_cells / 1e6:,.1f} M)")

    import rasterio
    from exactextract import exact_extract
    from exactextract.raster import RasterioRasterSource

    from layers.importing.zonal import zonal_stats

    geoms = np.asarray(desa.geometry.values, dtype=object)
    with rasterio.open(tif) as r:
        t = clock()
        plain = exact_extract(RasterioRasterSource(r), desa[["geometry"]], ["sum", "count"],
                              output="pandas")
        cpu_plain = time.process_time() - t[1]
        print(f"exactextract, one rasterio read per desa: {since(t)}; "
              f"{plain['sum'].sum():,.0f} people")
        t = clock()
        stats = zonal_stats(r, geoms, desa.crs.to_wkt())
        cpu_ee = time.process_time() - t[1]
        wall_ee = time.perf_counter() - t[0]
        print(f"zonal_stats (windows read once, WKB features): {since(t)}; "
              f"{np.nansum(stats['sum']):,.0f} people")

    part = Project()
    part.set_layer("desa", desa)
    t = clock()
    import_files(part, population_raster=tif)
    wall_step = time.perf_counter() - t[0]
    cpu_step = time.process_time() - t[1]
    st = part.settlements if part.has("settlements") else None
    print(f"import --population-raster (whole step) over {len(desa):,} desa: {since(t)}; "
          f"{int(part.desa['population'].notna().sum()):,} desa filled, "
          f"{0 if st is None else len(st):,} population points")

    scale = national_cells / max(tile_cells, 1.0)
    if args.full:
        print(f"national: {wall_step:.1f} s wall, {cpu_step:.1f} s CPU measured (target < 30 s)")
    else:
        print(f"national estimate (x{scale:.1f} by cells under the desa): zonal sums "
              f"{wall_ee * scale:.1f} s wall / {cpu_ee * scale:.1f} s CPU (per-desa reads "
              f"{cpu_plain * scale:.1f} s CPU), whole step {wall_step * scale:.1f} s wall / "
              f"{cpu_step * scale:.1f} s CPU (target < 30 s)")
    print(f"load average: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"peak memory: {peak_rss_mb():,.0f} MB")
    if args.keep:
        print(f"kept: {tif}")
    else:
        tif.unlink()
        folder.rmdir()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
