"""The facility network Puskesmas → Pustu → Posyandu (an ``nx.DiGraph``, its edge lines) and
its validation findings.  Imports geopandas, networkx, numpy, pandas, shapely, scipy and
``ilp_gis`` (model, coverage, i18n, rules, speed; travel when roads exist).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from ilp_gis import model
from ilp_gis.coverage import serving_mask
from ilp_gis.geo import ground_distance
from ilp_gis.i18n import normalize_language, register_catalog, tr
from ilp_gis.rules import Rules
from ilp_gis.speed.arrow import rewrite
from ilp_gis.speed.graphs import GraphColumns, LazyDiGraph

PUSKESMAS, PUSTU, POSYANDU = (t.value for t in model.FacilityType)
TIER = {PUSKESMAS: 0, PUSTU: 1, POSYANDU: 2}

PROBLEM_KINDS = ("orphan", "wrong_tier", "cycle", "cross_kecamatan", "cross_desa",
                 "puskesmas_without_pustu", "pustu_without_posyandu", "duplicate",
                 "unknown_parent", "parent_name_unmatched", "outside_boundaries",
                 "unknown_type", "duplicate_id", "no_location")
INFO_KINDS = ("parent_name_matched",)


@dataclass
class Network:
    graph: nx.DiGraph
    edges: gpd.GeoDataFrame  # WGS84 lines parent -> child
    problems: pd.DataFrame  # kind, fac_ids, message, severity


_PREFIX = re.compile(r"^(uptd\s+|upt\s+)?(puskesmas|pkm|pustu|puskesmas pembantu|poskesdes|"
                     r"polindes|posyandu)\s+")


_TYPE_WORDS = ("puskesmas", "pustu", "posyandu", "poskesdes", "polindes", "pkm", "uptd")


def findings(problems: pd.DataFrame | None, severity: str = "problem") -> pd.DataFrame:
    """The network findings of one ``severity``: ``"problem"`` (what a planner must fix; the
    count summary.json, the network tree and the PDF all give) or ``"info"`` (notes such as a
    parent found by its name).  A table without a severity column holds problems only, except
    the :data:`INFO_KINDS`."""
    if problems is None or not len(problems):
        return pd.DataFrame(columns=["kind", "fac_ids", "message", "severity"])
    if "severity" in problems:
        sev = problems["severity"].astype(object).where(problems["severity"].notna(), "problem")
    else:
        sev = pd.Series(np.where(problems["kind"].isin(INFO_KINDS), "info", "problem"),
                        index=problems.index)
    return problems[(sev.astype(str) == severity).to_numpy()]


def facility_label(ftype: str, name: object, *, lang: str | None = None) -> str:
    """``"Pustu Sukamaju"`` — the type in front unless the name already starts with it."""
    label = _type_label(ftype, normalize_language(lang))
    text = "" if name is None or (isinstance(name, float) and np.isnan(name)) else str(name)
    if text.lower().startswith(_TYPE_WORDS):
        return text
    return f"{label} {text}".strip()


@functools.lru_cache(maxsize=64)
def _type_label(ftype: object, lang: str) -> str:
    return tr("facility." + str(ftype), lang=lang) if ftype in TIER else str(ftype)


def normalize_name(values: pd.Series) -> pd.Series:
    """Lower case, punctuation to spaces, single spaces, without a leading type word
    ("Puskesmas", "Pustu", "UPTD Puskesmas", ...) — for matching parent names."""
    texts = values.astype(object).where(values.notna(), "").astype(str).to_numpy(object)
    out = rewrite(texts, "lower", (r"[^0-9a-z ]+", " "), (r"\s+", " "), "trim",
                  (_PREFIX.pattern, ""), "trim")
    return pd.Series(out, index=values.index)


def _nearest_by_key(child: pd.DataFrame, parent: pd.DataFrame, key: str) -> pd.Series:
    """Positional index (``pos``) of the nearest parent sharing ``key``, per child; -1 if none."""
    c = child[["pos", "x", "y", key]].dropna(subset=[key])
    p = parent[["pos", "x", "y", key]].dropna(subset=[key])
    out = pd.Series(-1, index=child["pos"].to_numpy(), dtype=np.int64)
    if not len(c) or not len(p):
        return out
    m = c.merge(p, on=key, suffixes=("", "_p"))
    if not len(m):
        return out
    d = np.hypot(m["x"] - m["x_p"], m["y"] - m["y_p"]).fillna(np.inf)
    m = m.assign(_d=d.to_numpy()).sort_values(["pos", "_d", "pos_p"], kind="stable")
    m = m.drop_duplicates("pos")
    out.loc[m["pos"].to_numpy()] = m["pos_p"].to_numpy()
    return out


def build_network(fac: gpd.GeoDataFrame, *, rules: Rules, road=None, fields=None,
                  lang: str | None = None) -> Network:
    """Build and validate the network from prepared facilities (see ``prepare_facilities``).

    ``road`` is a :class:`ilp_gis.travel.RoadGraph` and ``fields`` a dict facility type →
    :class:`ilp_gis.travel.TravelField` when roads exist.

    Parents come from the data where given — ``parent_id``, or ``parent_name`` matched to a
    facility of the parent tier in the same kecamatan (every such match is reported) — otherwise
    they are inferred:

    * a Pustu joins the Puskesmas of its kecamatan (nearest by travel time when roads exist, else
      by straight-line distance, when the kecamatan has several);
    * a Posyandu joins the Pustu of its desa (nearest when several), else — the desa has no Pustu
      yet — directly the Puskesmas of its kecamatan (``link = "direct_to_puskesmas"``, itself a gap).

    Edges carry ``distance_m``, ``travel_min`` (roads only) and ``link`` (given | inferred |
    direct_to_puskesmas) plus ``source`` (parent_id | parent_name | inferred).  Validation findings
    (``kind``, ``fac_ids`` ";"-joined, ``message`` in the UI language, ``severity`` problem | info)
    cover orphans, wrong-tier links, cycles, links across kecamatan/desa borders, Puskesmas without
    Pustu, Pustu without Posyandu, suspected duplicates, unknown parents and facilities outside the
    boundaries.  Everything is vectorised (merges, KD-trees); no per-facility Python loop on the
    hot path except building the networkx graph itself.
    """
    from ilp_gis.travel import minutes_to_nearest

    n = len(fac)
    def obj(col: str) -> pd.Series:  # plain object columns: no Arrow string conversions
        return pd.Series(fac[col].to_numpy(object), dtype=object)

    f = pd.DataFrame({
        "pos": np.arange(n), "fac_id": obj("fac_id"), "type": obj("type"),
        "x": fac["x"].to_numpy(float), "y": fac["y"].to_numpy(float),
        "desa_code": obj("desa_code"), "kecamatan_code": obj("kecamatan_code"),
    })
    if "positioned" in fac.columns:  # the same facilities as the travel fields (coverage)
        f["positioned"] = fac["positioned"].to_numpy(bool)
    if "location_quality" in fac.columns:  # a desa point says nothing about duplicates
        f["measured"] = np.isin(fac["location_quality"].to_numpy(object), ("exact", "fixed"))
    types_arr = f["type"].to_numpy(object)
    tier = np.full(n, -1, dtype=int)
    for t, k in TIER.items():
        tier[types_arr == t] = k
    parent = np.full(n, -1, dtype=np.int64)
    source = np.full(n, "", dtype=object)
    findings: list[tuple[str, list[str], str]] = []
    fid = f["fac_id"].to_numpy(object)
    ftype = f["type"].to_numpy(object)
    raw_names = fac["name"].to_numpy(object)
    raw_names = np.where(pd.isna(raw_names), fid, raw_names)
    names = _Labels(ftype, raw_names, lang)  # labels built only for facilities in findings

    def finding(kind: str, ids: list[str], key: str, **kw) -> None:
        findings.append((kind, ids, tr("network.problem." + key, lang=lang, **kw)))

    for i in np.nonzero(tier < 0)[0]:
        finding("unknown_type", [fid[i]], "unknown_type", name=names[i], type=ftype[i])

    # 1. parent_id.
    pid = fac["parent_id"].astype(object) if "parent_id" in fac.columns else pd.Series([None] * n)
    pid = pd.Series(pid.to_numpy(object), dtype=object)  # no inferred Arrow text between
    pid_str = pid.where(pid.notna(), "").astype(str).str.strip()
    pid = pid.to_numpy(object)
    pos_of = pd.Series(np.arange(n), index=pd.Index(fid, dtype=object))
    pos_of = pos_of[~pos_of.index.duplicated()]
    has_pid = (pid_str != "").to_numpy()
    if has_pid.any():
        from ilp_gis.speed.arrow import map_values

        found = map_values(pid_str[has_pid].reset_index(drop=True), pos_of)
        idx = np.nonzero(has_pid)[0]
        ok = found.notna().to_numpy()
        parent[idx[ok]] = found[ok].astype(np.int64).to_numpy()
        source[idx[ok]] = "parent_id"
        for i in idx[~ok]:
            finding("unknown_parent", [fid[i]], "unknown_parent", name=names[i], parent=pid[i])
    # 2. parent_name, matched within the kecamatan (then within the whole project if unique).
    pname = (fac["parent_name"].astype(object) if "parent_name" in fac.columns
             else pd.Series([None] * n))
    pname = pname.reset_index(drop=True)
    want = (parent < 0) & pname.notna().to_numpy() & (tier > 0)
    pnorm = pd.Series("", index=pname.index, dtype=object)
    if want.any():
        pnorm[want] = normalize_name(pname[want]).to_numpy(object)
        want = want & (pnorm != "").to_numpy()
    if want.any():
        is_cand = (tier == 0) | (tier == 1)  # parents are Puskesmas or Pustu
        cand = f[is_cand].assign(norm=normalize_name(pd.Series(raw_names[is_cand])).to_numpy(
            object), tier=tier[is_cand])
        kids = f[want].assign(norm=pnorm[want].to_numpy(), tier=tier[want])
        m = kids.merge(cand, on=["kecamatan_code", "norm"], suffixes=("", "_p"))
        m = m[(m["tier_p"] < m["tier"]) & (m["pos_p"] != m["pos"])]
        m = m.assign(_d=np.hypot(m["x"] - m["x_p"], m["y"] - m["y_p"]).fillna(np.inf))
        # Prefer the parent tier right above, then the nearest.
        m = m.assign(_t=m["tier"] - m["tier_p"]).sort_values(["pos", "_t", "_d", "pos_p"])
        m = m.drop_duplicates("pos")
        parent[m["pos"].to_numpy()] = m["pos_p"].to_numpy()
        source[m["pos"].to_numpy()] = "parent_name"
        rest = want & (parent < 0)
        if rest.any():  # anywhere in the project, when the name is unique at the right tier
            kids = f[rest].assign(norm=pnorm[rest].to_numpy(), tier=tier[rest])
            m2 = kids.merge(cand[["pos", "norm", "tier"]], on="norm", suffixes=("", "_p"))
            m2 = m2[(m2["tier_p"] == m2["tier"] - 1)]
            counts = m2.groupby("pos")["pos_p"].transform("size")
            m2 = m2[counts == 1]
            parent[m2["pos"].to_numpy()] = m2["pos_p"].to_numpy()
            source[m2["pos"].to_numpy()] = "parent_name"
        given_names = pname.to_numpy(object)  # read by position in the loops below
        matched = np.nonzero(want & (parent >= 0))[0]
        for i in matched:
            finding("parent_name_matched", [fid[i], fid[parent[i]]], "parent_name_matched",
                    name=names[i], given=given_names[i], parent=names[parent[i]])
        for i in np.nonzero(want & (parent < 0))[0]:
            finding("parent_name_unmatched", [fid[i]], "parent_name_unmatched", name=names[i],
                    given=given_names[i])

    # 3. Inference.
    is_pk = tier == 0
    is_pt = tier == 1
    is_py = tier == 2
    pk = f[is_pk]
    pt = f[is_pt]
    need_pt = is_pt & (parent < 0)
    if need_pt.any() and len(pk):
        near = _nearest_by_key(f[need_pt], pk, "kecamatan_code")
        if fields and road is not None and PUSKESMAS in fields:
            xy = f.loc[need_pt, ["x", "y"]].to_numpy(float)
            okxy = np.isfinite(xy).all(axis=1)
            _, idx = minutes_to_nearest(road, fields[PUSKESMAS], np.where(okxy[:, None], xy, 0))
            pk_xy = pk[np.isfinite(pk["x"].to_numpy(float))]["pos"].to_numpy()
            tpos = np.where((idx >= 0) & okxy, pk_xy[np.maximum(idx, 0)], -1)
            same = (tpos >= 0) & (f["kecamatan_code"].to_numpy(object)[np.maximum(tpos, 0)]
                                  == f.loc[need_pt, "kecamatan_code"].to_numpy(object))
            vals = near.to_numpy().copy()
            vals[same] = tpos[same]
            near = pd.Series(vals, index=near.index)
        sel = near[near >= 0]
        parent[sel.index.to_numpy()] = sel.to_numpy()
        source[sel.index.to_numpy()] = "inferred"
    need_py = is_py & (parent < 0)
    if need_py.any():
        near = _nearest_by_key(f[need_py], pt, "desa_code") if len(pt) else \
            pd.Series(-1, index=f.loc[need_py, "pos"].to_numpy())
        sel = near[near >= 0]
        parent[sel.index.to_numpy()] = sel.to_numpy()
        source[sel.index.to_numpy()] = "inferred"
        need_py = is_py & (parent < 0)
        if need_py.any() and len(pk):
            near = _nearest_by_key(f[need_py], pk, "kecamatan_code")
            sel = near[near >= 0]
            parent[sel.index.to_numpy()] = sel.to_numpy()
            source[sel.index.to_numpy()] = "inferred"

    # Edges.
    child = np.nonzero(parent >= 0)[0]
    par = parent[child]
    ptier = tier[par]
    ctier = tier[child]
    src = source[child]
    link = np.where(src == "inferred", "inferred", "given").astype(object)
    link[(ctier == 2) & (ptier == 0)] = "direct_to_puskesmas"
    x = f["x"].to_numpy(float)
    y = f["y"].to_numpy(float)
    # plane metres in one UTM zone, geodesic for data across zones (ilp_gis.geo)
    dist = ground_distance(np.column_stack([x[child], y[child]]),
                           np.column_stack([x[par], y[par]]), getattr(fac, "crs", None))
    travel = np.full(len(child), np.nan)
    if fields and road is not None and len(child):
        travel = _edge_travel(road, fields, f, tier, child, par)

    # Findings.
    for i in np.nonzero((tier > 0) & (parent < 0))[0]:
        finding("orphan", [fid[i]], "orphan", name=names[i])
    wrong = ~((ptier == ctier - 1) | ((ctier == 2) & (ptier == 0)))
    for c, p in zip(child[wrong], par[wrong], strict=False):
        finding("wrong_tier", [fid[c], fid[p]], "wrong_tier", name=names[c], parent=names[p])
    # Cycles can only run through links that do not go down a tier.
    up = ptier >= ctier
    if up.any():
        sub = nx.DiGraph()
        sub.add_edges_from(zip(par[up].tolist(), child[up].tolist(), strict=False))
        seen: set[frozenset] = set()
        for cyc in nx.simple_cycles(sub):
            key = frozenset(cyc)
            if key in seen:
                continue
            seen.add(key)
            ids = [fid[i] for i in sorted(cyc, key=lambda i: fid[i])]
            finding("cycle", ids, "cycle", names=", ".join(str(names[i]) for i in sorted(
                cyc, key=lambda i: fid[i])))
    kc = f["kecamatan_code"].to_numpy(object)
    dc = f["desa_code"].to_numpy(object)
    crossk = pd.notna(kc[child]) & pd.notna(kc[par]) & (kc[child] != kc[par])
    for c, p in zip(child[crossk], par[crossk], strict=False):
        finding("cross_kecamatan", [fid[c], fid[p]], "cross_kecamatan", name=names[c],
                parent=names[p], kec=kc[c], pkec=kc[p])
    crossd = ((ctier == 2) & (ptier == 1) & pd.notna(dc[child]) & pd.notna(dc[par])
              & (dc[child] != dc[par]) & ~crossk)
    for c, p in zip(child[crossd], par[crossd], strict=False):
        finding("cross_desa", [fid[c], fid[p]], "cross_desa", name=names[c], parent=names[p],
                desa=dc[c], pdesa=dc[p])
    kids_by_tier = np.zeros((n, 3), dtype=np.int64)
    if len(child):
        np.add.at(kids_by_tier, (par, np.clip(ctier, 0, 2)), 1)
    for i in np.nonzero(is_pk & (kids_by_tier[:, 1] == 0))[0]:
        finding("puskesmas_without_pustu", [fid[i]], "puskesmas_without_pustu", name=names[i])
    for i in np.nonzero(is_pt & (kids_by_tier[:, 2] == 0))[0]:
        finding("pustu_without_posyandu", [fid[i]], "pustu_without_posyandu", name=names[i])
    for a, b, d in _duplicates(f, names, tier, rules):
        finding("duplicate", [fid[a], fid[b]], "duplicate", name=names[a], other=names[b],
                dist=round(float(d), 1))
    if "fac_id_given" in fac.columns:
        given_ids = fac["fac_id_given"].to_numpy(object)
        for i in np.nonzero(given_ids != fid)[0]:
            finding("duplicate_id", [fid[i]], "duplicate_id", name=names[i], id=given_ids[i],
                    new=fid[i])
    inside = fac["inside"].to_numpy(bool) if "inside" in fac.columns else np.ones(n, bool)
    unlocated = (fac["location_quality"].to_numpy(object) == "unknown") \
        if "location_quality" in fac.columns else np.zeros(n, bool)
    for i in np.nonzero(~inside & ~unlocated)[0]:
        finding("outside_boundaries", [fid[i]], "outside_boundaries", name=names[i])
    for i in np.nonzero(unlocated)[0]:
        finding("no_location", [fid[i]], "no_location", name=names[i])

    problems = pd.DataFrame(findings, columns=["kind", "fac_ids", "message"])
    problems["fac_ids"] = problems["fac_ids"].map(lambda ids: ";".join(map(str, ids)))
    problems["severity"] = np.where(problems["kind"].isin(INFO_KINDS), "info", "problem")
    order = {k: i for i, k in enumerate(PROBLEM_KINDS + INFO_KINDS)}
    problems = problems.assign(_o=problems["kind"].map(order)).sort_values(
        ["_o", "fac_ids"], kind="stable").drop(columns="_o").reset_index(drop=True)

    # Graph and edge lines.
    lonlat = _lonlat(fac)
    g = LazyDiGraph.from_columns(functools.partial(_graph_columns, (
        fid, ftype, raw_names, dc, kc, lonlat, par, child, dist, travel, link, src)))
    e = pd.DataFrame({"parent_id": fid[par], "child_id": fid[child], "distance_m": dist,
                      "travel_min": travel, "link": link, "source": src})
    lines = np.full(len(child), None, dtype=object)
    drawn = np.isfinite(lonlat[par]).all(axis=1) & np.isfinite(lonlat[child]).all(axis=1)
    if drawn.any():  # an end without a position (location unknown): a link without a line
        lines[drawn] = shapely.linestrings(np.stack([lonlat[par[drawn]], lonlat[child[drawn]]],
                                                    axis=1))
    edges = gpd.GeoDataFrame(e.assign(parent_type=f["type"].to_numpy()[par],
                                      child_type=f["type"].to_numpy()[child]),
                             geometry=gpd.GeoSeries(lines, crs=model.WGS84), crs=model.WGS84)
    return Network(graph=g, edges=edges, problems=problems)


def _graph_columns(data) -> GraphColumns:
    """The facility network as columns (nodes: the facilities, edges: the links), numpy
    arrays with each link's ends as positions among the facilities."""
    fid, ftype, raw_names, dc, kc, lonlat, par, child, dist, travel, link, src = data
    return GraphColumns(
        fid, {"type": ftype, "name": raw_names, "desa_code": dc, "kecamatan_code": kc,
              "lon": np.ascontiguousarray(lonlat[:, 0]),
              "lat": np.ascontiguousarray(lonlat[:, 1])},
        fid[par], fid[child],
        {"distance_m": dist, "travel_min": travel, "link": link, "source": src},
        ends=(par, child))


def _lonlat(fac: gpd.GeoDataFrame) -> np.ndarray:
    out = np.full((len(fac), 2), np.nan)
    ok = (fac.geometry.notna() & ~fac.geometry.is_empty).to_numpy()
    if ok.any():
        if "geom_wgs84" in fac.columns:
            pts = np.asarray(fac["geom_wgs84"].to_numpy(object)[ok], dtype=object)
        else:
            pts = fac.geometry[ok].to_crs(model.WGS84).values
        out[ok] = shapely.get_coordinates(pts)[:, :2]
    return out


def _edge_travel(road, fields, f: pd.DataFrame, tier, child, par) -> np.ndarray:
    """Minutes along each edge: exact when the parent is the child's travel-nearest facility of
    its type; else from a Dijkstra per parent when there are few such parents; else NaN."""
    from ilp_gis.travel import minutes_to_nearest

    x = f["x"].to_numpy(float)
    y = f["y"].to_numpy(float)
    types = f["type"].to_numpy(object)
    out = np.full(len(child), np.nan)
    for ptype in (PUSKESMAS, PUSTU):
        sel = np.nonzero(types[par] == ptype)[0]
        field = fields.get(ptype)
        if not len(sel) or field is None:
            continue
        of_type = np.nonzero(serving_mask(f, ptype))[0]  # the facilities of the field
        xy = np.column_stack([x[child[sel]], y[child[sel]]])
        ok = np.isfinite(xy).all(axis=1)
        mins, idx = minutes_to_nearest(road, field, np.where(ok[:, None], xy, 0.0))
        hit = ok & (idx >= 0) & (of_type[np.maximum(idx, 0)] == par[sel])
        out[sel[hit]] = mins[hit]
    miss = np.nonzero(np.isnan(out) & np.isfinite(x[par]) & np.isfinite(x[child]))[0]
    if len(miss) and len(np.unique(par[miss])) * road.n_nodes <= 20_000_000:
        pvert, _ = road.snap(np.column_stack([x[par[miss]], y[par[miss]]]))
        if len(np.unique(pvert)) * road.n_nodes <= 20_000_000:
            from ilp_gis.travel import pair_minutes

            via = pair_minutes(road, np.column_stack([x[par[miss]], y[par[miss]]]),
                               np.column_stack([x[child[miss]], y[child[miss]]]))
            from ilp_gis.travel import walk_minutes

            direct = walk_minutes(np.hypot(x[par[miss]] - x[child[miss]],
                                           y[par[miss]] - y[child[miss]]), road.walking_kmh)
            val = np.minimum(via, direct)
            out[miss] = np.where(np.isfinite(val), val, np.nan)
    return out


class _Labels:
    """``names[i]``: the display label of facility ``i``, built on first use."""

    def __init__(self, ftype, raw, lang):
        self.ftype, self.raw, self.lang = ftype, raw, lang
        self.cache: dict[int, str] = {}

    def __getitem__(self, i) -> str:
        i = int(i)
        if i not in self.cache:
            self.cache[i] = facility_label(self.ftype[i], self.raw[i], lang=self.lang)
        return self.cache[i]


def _duplicates(f: pd.DataFrame, names, tier, rules: Rules):
    """Pairs of facilities of one type closer than ``import.duplicate_distance_m`` whose names
    are alike (equal after normalization, or one contained in the other)."""
    radius = float(rules.value("import.duplicate_distance_m", 30.0))
    xy = f[["x", "y"]].to_numpy(float)
    ok = np.isfinite(xy).all(axis=1)
    if "measured" in f:
        ok &= f["measured"].to_numpy(bool)
    idx = np.nonzero(ok)[0]
    if len(idx) < 2 or radius <= 0:
        return []
    pairs = cKDTree(xy[idx]).query_pairs(radius, output_type="ndarray")
    if not len(pairs):
        return []
    a = idx[pairs[:, 0]]
    b = idx[pairs[:, 1]]
    same = tier[a] == tier[b]
    a, b = a[same], b[same]
    if not len(a):
        return []
    na_all = normalize_name(pd.Series(names.raw[a])).to_numpy(object)
    nb_all = normalize_name(pd.Series(names.raw[b])).to_numpy(object)
    out = []
    for i, j, na, nb in zip(a, b, na_all, nb_all, strict=True):
        if na and nb and (na == nb or na in nb or nb in na):
            i2, j2 = sorted((int(i), int(j)), key=lambda k: f["fac_id"].iat[k])
            out.append((i2, j2, float(np.hypot(*(xy[i2] - xy[j2])))))
    return sorted(out, key=lambda t: (f["fac_id"].iat[t[0]], f["fac_id"].iat[t[1]]))


register_catalog("ilp_gis", "network")
