"""Desa population where no per-desa figure was given: a population raster (GeoTIFF such as
WorldPop 100 m, any CRS) summed per desa with exactextract, and kabupaten/kecamatan totals
(from the boundary layers' attributes or typed in) spread over their desa by families or area.
Every desa keeps the source of its figure (``population_source``, see
:mod:`ilp_gis.population`); a table or boundary figure is never replaced.  The raster also
gives population points (``settlements``, one per populated block of about 1 km) so that the
population within reach of each facility follows where people live.  May import ``ilp_gis``,
``layers`` and the modules of this package below the pipeline.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ilp_gis import geo, model
from ilp_gis.errors import InputError
from ilp_gis.i18n import format_number, register_catalog, tr
from ilp_gis.population import ESTIMATES, MEASURED, PopulationSource, spread
from layers import safe_open
from layers.importing.cells import _show
from layers.importing.names import _norm_name
from layers.importing.report import _FileLog
from layers.importing.zonal import zonal_stats

BLOCK_M = 1000.0
"""Side of the raster blocks that become population points (metres)."""

SETTLEMENTS_FROM = "settlements_from"
"""Meta key: the raster file the ``settlements`` layer was made from (absent: another source,
which a raster import then leaves alone)."""

MIN_DATA_SHARE = 0.01
"""A desa whose cells with data cover less than this share of it has no raster figure (a
polygon edge grazing a neighbouring cell is not data)."""

_STRIP_CELLS = 16_000_000  # raster cells read at once for the blocks (64 MB of float32)
_NAMES_SHOWN = 12


def _names(frame: pd.DataFrame, mask: np.ndarray) -> str:
    names = [str(x) for x in frame["name"].to_numpy(object)[mask][:_NAMES_SHOWN]]
    more = int(mask.sum()) - len(names)
    return ", ".join(names) + (tr("population.more", n=more) if more > 0 else "")


# --- raster -------------------------------------------------------------------------------------
def raster_population(project, path: Path, logs: list) -> None:
    """Sum the raster ``path`` over every desa of ``project`` and fill ``population`` (source
    ``raster``) where no table or boundary figure exists; write population points from it.
    Raises :class:`InputError` (nothing changed) for a file that is not a GeoTIFF, a raster
    without a usable CRS, one that covers no desa, or one with no data over the district."""
    import rasterio
    from rasterio.errors import RasterioError

    if not project.has("desa") or not len(project.desa):
        raise InputError(tr("population.raster_needs_desa"), file=path.name)
    safe_open.check_location(path, file=path.name)
    if not path.exists():
        raise InputError(tr("population.missing_file"), file=path.name)
    safe_open.gdal_source(path, safe_open.RASTER)  # content is a TIFF, else a clear message
    log = _FileLog(path.name, "population_raster", [], expects_rows=False)
    desa = project.desa
    try:
        with rasterio.open(path, driver="GTiff") as src:
            sums, data_share, mins, cover, zone_crs = _zonal(src, desa, path, log)
            outside = cover <= 0.0
            if outside.all():
                raise InputError(tr("population.raster_outside"), file=path.name)
            blocks = _blocks(src, desa, zone_crs)
    except RasterioError as exc:
        why = tr("population.raster_unreadable", why=str(exc)[:200])
        raise InputError(why, file=path.name) from exc
    no_data = ~outside & ~(data_share >= MIN_DATA_SHARE)
    negative = np.isfinite(mins) & (mins < 0)
    usable = ~outside & ~no_data & ~negative
    if not usable.any():
        raise InputError(tr("population.raster_no_data"), file=path.name)
    partial = usable & (cover < 0.999)
    if outside.any():
        log.add_file("doubtful", "raster_outside",
                     tr("population.desa_outside", n=int(outside.sum()),
                        names=_names(desa, outside)))
    if no_data.any():
        log.add_file("doubtful", "raster_no_data",
                     tr("population.desa_no_data", n=int(no_data.sum()),
                        names=_names(desa, no_data)))
    if negative.any():
        log.add_file("doubtful", "raster_negative",
                     tr("population.desa_negative", n=int(negative.sum()),
                        names=_names(desa, negative)))
    if partial.any():
        log.add_file("doubtful", "raster_partial",
                     tr("population.desa_partial", n=int(partial.sum()),
                        names=_names(desa, partial)))
    d = desa.copy()
    pop = pd.to_numeric(d["population"], errors="coerce").to_numpy(float, copy=True)
    source = d["population_source"].to_numpy(object, copy=True) if "population_source" in d \
        else np.full(len(d), None, dtype=object)
    measured = np.isfinite(pop) & pd.Series(source, dtype=object).isin(MEASURED).to_numpy()
    measured |= np.isfinite(pop) & pd.Series(source, dtype=object).isna().to_numpy()
    fill = usable & ~measured
    pop[fill] = sums[fill]
    source[fill] = PopulationSource.RASTER.value
    # an earlier raster or estimate figure the raster no longer gives stays missing
    stale = ~usable & ~measured & pd.Series(source, dtype=object).isin(
        {PopulationSource.RASTER.value, *ESTIMATES}).to_numpy()
    pop[stale] = np.nan
    source[stale] = None
    d["population"] = pop
    d["population_source"] = pd.Series(source, index=d.index, dtype=object)
    kept = usable & measured
    log.add_file("imported", "raster_summed",
                 tr("population.raster_summed", n=int(fill.sum()), total=format_number(
                     float(sums[fill].sum())), kept=int(kept.sum())))
    project.set_layer("desa", d)
    _set_settlements(project, blocks, path, log)
    logs.append(log)


def _zonal(src, desa: gpd.GeoDataFrame, path: Path, log: _FileLog):
    """Per desa: raster sum, the share of the polygon covered by cells with data, minimum value
    and the share of the polygon inside the raster's extent; the desa are reprojected to the raster's CRS (a raster
    is never resampled, so no people are lost or doubled)."""
    from pyproj import CRS

    if src.count < 1:
        raise InputError(tr("population.raster_no_band"), file=path.name)
    crs = src.crs
    left, bottom, right, top = src.bounds
    if crs is None:
        if -180 <= left <= right <= 180 and -90 <= bottom <= top <= 90:
            crs = CRS.from_epsg(4326)
            log.add_file("fixed", "crs_assumed", tr("population.crs_assumed"))
        else:
            raise InputError(tr("population.raster_no_crs"), file=path.name)
    else:
        crs = CRS.from_user_input(crs.to_wkt())
    zones = desa[["geometry"]].copy()
    zones = geo.project(zones, crs) if not CRS(zones.crs).equals(crs) else zones
    geoms = np.asarray(zones.geometry.values, dtype=object)
    valid = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    frame = shapely.box(left, bottom, right, top)
    area = np.where(valid, shapely.area(geoms), 0.0)
    inside = np.where(valid, shapely.area(shapely.intersection(geoms, frame)), 0.0)
    cover = np.divide(inside, area, out=np.zeros(len(geoms)), where=area > 0)
    n = len(geoms)
    sums = np.full(n, np.nan)
    counts = np.zeros(n)
    mins = np.full(n, np.nan)
    todo = np.flatnonzero(cover > 0)
    stats = zonal_stats(src, geoms[todo], crs.to_wkt())
    sums[todo], counts[todo], mins[todo] = stats["sum"], stats["count"], stats["min"]
    cell_area = abs(src.transform.a * src.transform.e - src.transform.b * src.transform.d)
    share = np.divide(counts * cell_area, area, out=np.zeros(n), where=area > 0)
    return sums, share, mins, cover, crs


def _blocks(src, desa: gpd.GeoDataFrame, crs) -> gpd.GeoDataFrame | None:
    """Population points: the raster summed over blocks of about :data:`BLOCK_M`, one point
    (WGS84) at the centre of every populated block, with the desa it lies in."""
    from affine import Affine
    from rasterio.windows import Window, from_bounds

    zones = geo.project(desa[["code", "geometry"]], crs)
    b = zones.total_bounds
    from rasterio.errors import WindowError

    try:
        win = from_bounds(*b, transform=src.transform).round_offsets().round_lengths()
        win = win.intersection(Window(0, 0, src.width, src.height))
    except (WindowError, ValueError):  # a rotated grid: no blocks, the desa points are used
        return None
    if win.width < 1 or win.height < 1:
        return None
    t = src.window_transform(win)
    cell = abs(t.a)
    metre = cell * 111_320.0 if crs.is_geographic else cell
    f = max(1, int(round(BLOCK_M / max(metre, 1e-9))))
    h, w = int(win.height) // f, int(win.width) // f
    if h < 1 or w < 1:
        f, h, w = 1, int(win.height), int(win.width)
    win = Window(win.col_off, win.row_off, w * f, h * f)
    block = np.zeros((h, w))
    nodata = src.nodata
    step = max(1, _STRIP_CELLS // max(w * f * f, 1))  # block rows read at once
    for r0 in range(0, h, step):
        r1 = min(h, r0 + step)
        data = src.read(1, window=Window(win.col_off, win.row_off + r0 * f, w * f,
                                         (r1 - r0) * f))
        if data.dtype.kind != "f":
            data = data.astype("float32")
        bad = ~np.isfinite(data) | (data < 0)  # nodata, NaN, undeclared negative nodata
        if nodata is not None:
            bad |= data == nodata
        data[bad] = 0
        block[r0:r1] = data.reshape(r1 - r0, f, w, f).sum(axis=(1, 3), dtype=np.float64)
    rows, cols = np.nonzero(block > 0)
    if not len(rows):
        return None
    bt = src.window_transform(win) @ Affine.scale(f, f)
    xs = bt.c + (cols + 0.5) * bt.a + (rows + 0.5) * bt.b
    ys = bt.f + (cols + 0.5) * bt.d + (rows + 0.5) * bt.e
    pts = gpd.GeoDataFrame({"population": block[rows, cols]},
                           geometry=gpd.points_from_xy(xs, ys, crs=crs), crs=crs)
    joined = gpd.sjoin(pts, zones, how="inner", predicate="within")
    joined = joined[~joined.index.duplicated()]
    out = gpd.GeoDataFrame({"desa_code": joined["code"].to_numpy(object),
                            "name": np.full(len(joined), None, dtype=object),
                            "population": joined["population"].to_numpy(float)},
                           geometry=joined.geometry.values, crs=crs)
    return geo.project(out, model.WGS84)


def _set_settlements(project, blocks, path: Path, log: _FileLog) -> None:
    """Population points from the raster, unless the project has settlements of its own."""
    own = project.has("settlements") and len(project.settlements) and \
        project.meta_json(SETTLEMENTS_FROM) is None
    if own:
        log.add_file("imported", "settlements_kept", tr("population.settlements_kept"))
        return
    if blocks is None or not len(blocks):
        if project.meta_json(SETTLEMENTS_FROM) is not None:
            project.layers.pop("settlements", None)
            project.set_meta_json(SETTLEMENTS_FROM, None)
        return
    project.set_layer("settlements", blocks.reset_index(drop=True))
    project.set_meta_json(SETTLEMENTS_FROM, path.name)
    log.add_file("imported", "settlements_from_raster",
                 tr("population.settlements_made", n=len(blocks), km=_show(BLOCK_M / 1000)))


# --- totals -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TotalSpec:
    """One ``--population-total``: ``level`` kabupaten|kecamatan, ``area`` (code or name of a
    kecamatan; None: every area of the level) and ``total`` (None: the boundary attribute)."""

    level: str
    area: str | None
    total: float | None
    text: str


_SPEC = re.compile(r"^\s*(kabupaten|kab|kecamatan|kec)\s*(?::\s*([^=]+?))?\s*(?:=\s*(.+))?$",
                   re.IGNORECASE)


def parse_total(text: str) -> TotalSpec:
    """``"kabupaten"``, ``"kabupaten=2734623"``, ``"kecamatan"``, ``"kecamatan:Pagak=45.000"``
    → :class:`TotalSpec`; anything else is an :class:`InputError` that shows the forms."""
    m = _SPEC.match(str(text))
    if not m:
        raise InputError(tr("population.bad_total_option", option=str(text)))
    level = "kabupaten" if m.group(1).lower().startswith("kab") else "kecamatan"
    area = m.group(2).strip() if m.group(2) else None
    if level == "kabupaten" and area:
        raise InputError(tr("population.bad_total_option", option=str(text)))
    total = None
    if m.group(3) is not None:
        raw = m.group(3).strip().replace(" ", "")
        if re.fullmatch(r"\d{1,3}([.,]\d{3})+", raw):
            raw = re.sub(r"[.,]", "", raw)
        try:
            total = float(raw)
        except ValueError:
            total = float("nan")
        if not np.isfinite(total) or total <= 0:
            raise InputError(tr("population.bad_total_value", option=str(text)))
    return TotalSpec(level, area, total, str(text).strip())


def spread_totals(project, specs, spread_by: str, logs: list) -> None:
    """Spread each total over the desa of its area that have no table, boundary or raster
    figure: what the other desa already hold is taken off first; shares follow ``families``
    (``spread_by`` ``"families"``, or ``"auto"`` when every such desa has families) else the
    desa areas (in the data's UTM zone).  Kecamatan totals go first, the kabupaten total then
    covers the rest.  Raises :class:`InputError` (nothing changed) for a total that cannot be
    found or spread."""
    if spread_by not in ("auto", "families", "area"):
        raise InputError(tr("population.bad_spread_by", value=spread_by))
    parsed = sorted((s if isinstance(s, TotalSpec) else parse_total(s) for s in specs),
                    key=lambda s: s.level != "kecamatan")
    if not project.has("desa") or not len(project.desa):
        raise InputError(tr("population.totals_need_desa"))
    d = project.desa.copy()
    pop = pd.to_numeric(d["population"], errors="coerce").to_numpy(float, copy=True)
    source = d["population_source"].to_numpy(object, copy=True) if "population_source" in d \
        else np.full(len(d), None, dtype=object)
    fixed = np.isfinite(pop) & ~pd.Series(source, dtype=object).isin(ESTIMATES).to_numpy()
    families = pd.to_numeric(d["families"], errors="coerce").to_numpy(float) \
        if "families" in d else np.full(len(d), np.nan)
    area = shapely.area(np.asarray(geo.project(d[["geometry"]], geo.utm_crs(d)).geometry.values,
                                   dtype=object))
    log = _FileLog(tr("population.totals_file"), "population_total", [], expects_rows=False)
    for spec in parsed:
        for label, members, total in _areas_of(project, d, spec):
            if total is None or not np.isfinite(total) or total <= 0:
                raise InputError(tr("population.no_total", area=label, option=spec.text))
            targets = members & ~fixed
            if not targets.any():
                log.add_file("imported", "total_not_needed",
                             tr("population.total_not_needed", area=label))
                continue
            rest = total - float(np.nansum(pop[members & fixed]))
            if rest <= 0:
                raise InputError(tr("population.total_too_small", area=label,
                                    total=format_number(total),
                                    known=format_number(total - rest)))
            by_families = spread_by == "families" or (
                spread_by == "auto" and np.all(np.isfinite(families[targets])
                                               & (families[targets] > 0)))
            if by_families:
                w = families[targets]
                if not (np.isfinite(w) & (w > 0)).all():
                    raise InputError(tr("population.families_missing", area=label,
                                        n=int((~(np.isfinite(w) & (w > 0))).sum())))
                kind = PopulationSource.ESTIMATE_FAMILIES
            else:
                w = area[targets]
                kind = PopulationSource.ESTIMATE_AREA
            pop[targets] = spread(rest, w)
            source[targets] = kind.value
            fixed |= targets  # a later (kabupaten) total spreads only over what is left
            log.add_file("fixed", kind.value,
                         tr("population.spread", total=format_number(rest), area=label,
                            n=int(targets.sum()), how=kind.label))
    d["population"] = pop
    d["population_source"] = pd.Series(source, index=d.index, dtype=object)
    project.set_layer("desa", d)
    logs.append(log)


def _areas_of(project, d: pd.DataFrame, spec: TotalSpec):
    """(label, desa mask, total) for each area a spec names."""
    n = len(d)
    if spec.level == "kabupaten":
        total = spec.total
        if total is None:
            kab = project.kabupaten if project.has("kabupaten") else None
            vals = pd.to_numeric(kab["population"], errors="coerce") if kab is not None \
                and "population" in kab else pd.Series(dtype=float)
            total = float(vals.sum()) if vals.notna().any() else None
            if total is None:
                raise InputError(tr("population.no_kabupaten_total"))
        name = project.kabupaten["name"].iloc[0] if project.has("kabupaten") and \
            len(project.kabupaten) else tr("population.kabupaten")
        yield str(name), np.ones(n, dtype=bool), total
        return
    if not project.has("kecamatan") or not len(project.kecamatan):
        raise InputError(tr("population.no_kecamatan_layer", option=spec.text))
    kec = project.kecamatan
    codes = kec["code"].to_numpy(object)
    names = kec["name"].to_numpy(object)
    if spec.area is not None:
        want = spec.area.strip()
        hit = [i for i, (c, nm) in enumerate(zip(codes, names, strict=True))
               if c == want or _norm_name(nm) == _norm_name(want)]
        if len(hit) != 1:
            raise InputError(tr("population.unknown_kecamatan", area=want, option=spec.text))
        chosen = hit
    else:
        chosen = range(len(kec))
    vals = pd.to_numeric(kec["population"], errors="coerce").to_numpy(float) \
        if "population" in kec else np.full(len(kec), np.nan)
    desa_kec = d["kecamatan_code"].to_numpy(object)
    for i in chosen:
        total = spec.total if spec.total is not None else vals[i]
        if spec.area is None and not np.isfinite(total):
            raise InputError(tr("population.no_kecamatan_total", area=names[i]))
        yield str(names[i]), desa_kec == codes[i], total


register_catalog("layers", "importing.population")
