"""Bring a project's layers into the shape the analysis works on (no file IO): desa merged by
code with a kecamatan each, facilities typed, projected and placed in their desa.  Imports
geopandas, shapely, pyproj and ``ilp_gis`` (model, geo).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from ilp_gis import model
from ilp_gis.geo import project
from ilp_gis.location import qualities
from ilp_gis.speed.arrow import map_values

WGS84_COLUMN = "geom_wgs84"
"""Each prepared frame keeps its geometry in WGS84 too, so results need no re-projection."""


def with_wgs84(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``frame`` plus a ``geom_wgs84`` column (a plain object column of shapely geometries)."""
    out = frame.copy(deep=False)  # copy-on-write: the project's frame is never changed
    g = frame.geometry if frame.crs is None or CRS(frame.crs).equals(CRS(model.WGS84)) \
        else project(frame.geometry, model.WGS84)
    out[WGS84_COLUMN] = np.asarray(g.values, dtype=object)
    return out


def numbered_where_missing(values: pd.Series, prefix: str) -> pd.Series:
    """``values`` as objects, a missing one replaced by ``prefix`` + its row number."""
    out = values.astype(object)
    missing = out.isna().to_numpy()
    if missing.any():
        out = out.copy(deep=False)
        out[missing] = [f"{prefix}{i}" for i in np.flatnonzero(missing)]
    return out


def desa_codes(desa: gpd.GeoDataFrame) -> pd.Series:
    return numbered_where_missing(desa["code"], "desa#")


def prepare_desa(desa: gpd.GeoDataFrame, kecamatan: gpd.GeoDataFrame | None,
                 crs: CRS) -> gpd.GeoDataFrame:
    """The desa layer in ``crs``, one row per code, sorted by code, with kecamatan codes/names.

    A desa given as several rows is merged into one multipolygon (attributes of its first row);
    every desa gets a kecamatan code (its own column, else the Kemendagri code prefix, else the
    kecamatan polygon it lies in).

    A point exactly on the border of two desa belongs to the desa with the smallest code, so the
    answer never depends on row order.
    """
    d = model.conform(desa, model.DESA) if "code" not in desa.columns else desa.copy(deep=False)
    usable = (d.geometry.notna() & ~d.geometry.is_empty).to_numpy()
    if not usable.all():
        d = d[usable]
    d["code"] = desa_codes(d).astype(str)
    d = project(with_wgs84(d), crs)
    if has_repeats(d["code"]):
        geom = d.groupby("code", sort=False).geometry.agg(lambda s: shapely.union_all(s.values))
        g84 = d.groupby("code", sort=False)[WGS84_COLUMN].agg(
            lambda s: shapely.union_all(np.asarray(s.values, dtype=object)))
        first = d.drop_duplicates("code").set_index("code")
        first = first.drop(columns=first.geometry.name)
        first[WGS84_COLUMN] = g84.reindex(first.index).values
        d = gpd.GeoDataFrame(first.assign(geometry=geom.reindex(first.index).values),
                             geometry="geometry", crs=crs).reset_index()
    d = d.sort_values("code", kind="stable").reset_index(drop=True)
    for col in ("kecamatan_code", "kecamatan_name", "name"):
        if col not in d.columns:
            d[col] = None
    kc = d["kecamatan_code"].astype(object)
    missing = kc.isna()
    if missing.any():  # Kemendagri PP.KK.CC.DDDD -> PP.KK.CC
        parts = d["code"].str.split(".")
        prefix = parts.map(lambda p: ".".join(p[:3]) if isinstance(p, list) and len(p) == 4
                           else None)
        kc = kc.where(~missing, prefix)
    missing = kc.isna()
    if missing.any() and kecamatan is not None and len(kecamatan):
        k = project(kecamatan, crs)
        pts = gpd.GeoDataFrame(geometry=gpd.GeoSeries(
            shapely.point_on_surface(d.geometry.values[missing.values]), crs=crs),
            index=d.index[missing.values])
        j = gpd.sjoin(pts, k[["code", "geometry"]], how="left", predicate="intersects")
        j = j.sort_values("code").loc[lambda f: ~f.index.duplicated()]
        kc = kc.where(~missing, j["code"].reindex(d.index))
    d["kecamatan_code"] = kc.where(kc.notna(), None)
    if kecamatan is not None and len(kecamatan) and "name" in kecamatan.columns:
        names = pd.Series(kecamatan["name"].to_numpy(object),
                          index=kecamatan["code"].to_numpy(object))
        names = names[~names.index.duplicated()]
        kn = d["kecamatan_name"].astype(object)
        d["kecamatan_name"] = kn.where(kn.notna(), d["kecamatan_code"].map(names))
    return plain_strings(d)


def plain_strings(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``frame`` with its text columns as plain object columns: the analysis reads them as
    object arrays many times, and converting Arrow-backed text each time costs seconds on a
    national project."""
    text = [c for c, t in frame.dtypes.items() if isinstance(t, pd.StringDtype)]
    if not text:
        return frame
    out = frame.copy(deep=False)  # column by column: the frame's other columns stay as they
    for c in text:  # are (an astype of the frame copies every column: ~1 s nationally)
        out[c] = frame[c].astype(object)
    return out


def prepare_kecamatan(kecamatan: gpd.GeoDataFrame | None, desa: gpd.GeoDataFrame,
                      crs: CRS) -> gpd.GeoDataFrame:
    """Kecamatan polygons in ``crs``: the layer's own, else the union of their desa."""
    if kecamatan is not None and len(kecamatan):
        k = project(with_wgs84(kecamatan[kecamatan.geometry.notna()]), crs)
        k["code"] = k["code"].astype(object)
        have = set(k["code"].dropna())
    else:
        k = None
        have = set()
    extra = desa[desa["kecamatan_code"].notna() & ~desa["kecamatan_code"].isin(have)]
    frames = []
    if k is not None:
        frames.append(k[["code", "name", "geometry", WGS84_COLUMN]])
    if len(extra):
        g = extra.groupby("kecamatan_code").agg(
            name=("kecamatan_name", "first"),
            geometry=("geometry", lambda s: shapely.union_all(s.values)),
            geom_wgs84=(WGS84_COLUMN, lambda s: shapely.union_all(
                np.asarray(s.values, dtype=object))))
        frames.append(gpd.GeoDataFrame(g.reset_index().rename(columns={"kecamatan_code": "code"}),
                                       geometry="geometry", crs=crs))
    if not frames:
        return gpd.GeoDataFrame({"code": [], "name": [], WGS84_COLUMN: []}, geometry=[],
                                crs=crs)
    out = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry", crs=crs)
    return plain_strings(out.sort_values("code", kind="stable").reset_index(drop=True))


def normalize_type(values: pd.Series) -> pd.Series:
    t = values.astype(object).where(values.notna(), "").astype(str).str.strip().str.lower()
    t = t.where(~t.isin(model.PUSTU_PRECURSORS), model.FacilityType.PUSTU.value)
    return t


def has_repeats(values: pd.Series) -> bool:
    """``values.duplicated().any()`` of texts without missing ones, by Arrow's hash kernel."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = pa.array(values, from_pandas=True)
    return pc.count_distinct(arr).as_py() < len(arr)


def repeats_of_sorted(values: pd.Series) -> np.ndarray:
    """``values.duplicated(keep="first")`` of sorted texts without missing ones (equal values
    next to each other): each value equal to the one before it, by Arrow's comparison kernel
    (pandas hashes Arrow-backed texts through Python objects: ~0.5 s nationally)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = pa.array(values, from_pandas=True)
    if len(arr) < 2:
        return np.zeros(len(arr), dtype=bool)
    same = pc.equal(arr.slice(1), arr.slice(0, len(arr) - 1))
    return np.r_[False, same.to_numpy(zero_copy_only=False).astype(bool)]


def prepare_facilities(facilities: gpd.GeoDataFrame, desa: gpd.GeoDataFrame,
                       kecamatan: gpd.GeoDataFrame, crs: CRS) -> gpd.GeoDataFrame:
    """Facilities in ``crs`` with ``x``, ``y``, ``desa_code``, ``kecamatan_code``, ``inside``.

    Rows without a point are kept (``x``/``y`` NaN) so nothing is silently dropped; they are
    reported as outside the boundaries.  Sorted by ``fac_id`` so results never depend on row order.

    Facilities: the type normalized, ``desa_code`` and ``kecamatan_code`` filled by
    point-in-polygon where the layer does not give a known one; ``kecamatan_code`` is the
    declared kecamatan (``declared_kecamatan_code``) where the row named one; every row gets
    its ``location_quality`` (``ilp_gis.location.qualities``).
    """
    f = facilities.copy(deep=False)  # copy-on-write: the project's layer is never changed
    if len(f) == 0:
        f = model.empty_frame(model.FACILITIES, crs=facilities.crs or model.WGS84)
    if f.crs is None:
        f = f.set_crs(model.WGS84)
    f = project(with_wgs84(f), crs)
    f["fac_id"] = numbered_where_missing(f["fac_id"], "fac#").astype(str)
    f["type"] = normalize_type(f["type"])
    f = f.sort_values("fac_id", kind="stable").reset_index(drop=True)
    # A repeated fac_id would merge two facilities into one graph node: number the repeats
    # ("ID#2", ...) and keep the id as given; the network reports them (kind duplicate_id).
    dup = pd.Series(repeats_of_sorted(f["fac_id"]), index=f.index)
    f["fac_id_given"] = f["fac_id"]
    if dup.any():
        nth = f.groupby("fac_id").cumcount() + 1
        f.loc[dup, "fac_id"] = f.loc[dup, "fac_id"] + "#" + nth[dup].astype(str)
    ok = f.geometry.notna() & ~f.geometry.is_empty
    xy = np.full((len(f), 2), np.nan)
    if ok.any():
        xy[ok.values] = shapely.get_coordinates(f.geometry.values[ok.values])[:, :2]
    f["x"] = xy[:, 0]
    f["y"] = xy[:, 1]
    known = pd.Index(desa["code"].to_numpy(object))
    dc = f["desa_code"].astype(object) if "desa_code" in f.columns else pd.Series(None,
                                                                                  index=f.index)
    given_ok = dc.isin(known)
    inside = given_ok.copy()
    need = ok & ~given_ok
    if need.any():
        pts = gpd.GeoDataFrame(geometry=f.geometry[need], crs=crs)
        j = gpd.sjoin(pts, desa[["code", "geometry"]], how="left", predicate="intersects")
        j = j.sort_values("code", na_position="last").loc[lambda x: ~x.index.duplicated()]
        found = j["code"].reindex(f.index)
        dc = dc.where(~need, found)
        inside = inside | (need & found.notna())
    f["desa_code"] = dc.where(dc.notna() & dc.isin(known), None)
    kc_of_desa = pd.Series(desa["kecamatan_code"].to_numpy(object),
                           index=desa["code"].to_numpy(object))
    kc = map_values(f["desa_code"], kc_of_desa)
    given_kc = f["kecamatan_code"].astype(object) if "kecamatan_code" in f.columns else kc
    kc = kc.where(kc.notna(), given_kc)
    if "declared_kecamatan_code" in f.columns:
        # a facility standing over the border: its working area is the kecamatan its row names
        known_kc = set(desa["kecamatan_code"].dropna()) | (
            set(kecamatan["code"].dropna()) if kecamatan is not None and "code" in kecamatan
            else set())
        said = f["declared_kecamatan_code"].astype(object)
        kc = said.where(said.notna() & said.isin(known_kc), kc)
    f["kecamatan_code"] = kc
    f["inside"] = inside.astype(bool)
    f["location_quality"] = qualities(f)
    return plain_strings(f)
