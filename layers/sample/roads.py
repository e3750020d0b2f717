"""The road network of one generated district: trunk roads, desa links, dusun lanes, access
lanes to facilities and ferries to the islands, cut into segments like real road data.

Imports numpy, scipy, shapely and ``layers.sample.geometry``.
"""

from __future__ import annotations

import numpy as np
import shapely
from scipy.spatial import cKDTree

from layers.sample.geometry import distance_along, mst_edges, wiggle_lines


def make_roads(rng, spec, centers, kec_of, landmass, land, islands, set_xy, set_desa, set_rank,
               fac_xy, fac_type, desa_names):
    """A connected road network: arteri/kolektor between Puskesmas, lokal between desa
    centres, lingkungan/setapak from each dusun to its desa centre, ferries to the islands."""
    geoms: list[np.ndarray] = []
    classes: list[np.ndarray] = []
    names: list[np.ndarray] = []
    cross: list[np.ndarray] = []
    fac_type = np.asarray(fac_type)
    pkm_all = fac_xy[fac_type == "puskesmas"]
    pkm_mass = landmass[cKDTree(centers).query(pkm_all)[1]]
    masses = [land] + list(islands)

    def add(a: np.ndarray, b: np.ndarray, cls: str, label: np.ndarray | None = None,
            wiggle: float = 0.05, minutes: np.ndarray | None = None) -> None:
        if not len(a):
            return
        lines = shapely.linestrings(np.stack([a, b], axis=1))
        if wiggle:
            lines = wiggle_lines(rng, lines, step=250.0, amp=wiggle, max_amp=600.0)
        if minutes is None:  # a ferry leg stays one piece: its crossing time is for the whole
            lines, parent = _split_lines(lines, spec.segment_m)
        else:
            parent = np.arange(len(lines))
        geoms.append(lines)
        classes.append(np.full(len(lines), cls, dtype=object))
        names.append(np.full(len(lines), None, dtype=object) if label is None
                     else np.asarray(label, dtype=object)[parent])
        cross.append(np.full(len(lines), np.nan) if minutes is None else minutes[parent])

    for m, mass in enumerate(masses):
        members = np.flatnonzero(landmass == m)
        pkm_xy = pkm_all[pkm_mass == m]
        if m == 0 and len(pkm_xy) >= 2:  # trunk roads between the Puskesmas
            e = mst_edges(pkm_xy, mass)
            add(pkm_xy[e[:, 0]], pkm_xy[e[:, 1]], "arteri",
                np.full(len(e), "Jalan Trans " + spec.name.replace("Kabupaten ", ""),
                        dtype=object))
            # a few extra links make loops (kolektor)
            tree = cKDTree(pkm_xy)
            _, nn = tree.query(pkm_xy, k=min(3, len(pkm_xy)))
            have = {tuple(sorted(p)) for p in e.tolist()}
            extra = [(i, int(j)) for i, row in enumerate(nn) for j in row[1:]
                     if tuple(sorted((i, int(j)))) not in have]
            extra = list({tuple(sorted(p)) for p in extra})
            extra.sort()
            if extra:
                ex = np.array(extra)
                ok = shapely.covers(mass, shapely.linestrings(
                    np.stack([pkm_xy[ex[:, 0]], pkm_xy[ex[:, 1]]], axis=1)))
                ex = ex[ok]
                # skip links that merely run alongside a trunk road through a third Puskesmas
                dij = np.hypot(*(pkm_xy[ex[:, 0]] - pkm_xy[ex[:, 1]]).T)
                via = (np.hypot(*(pkm_xy[ex[:, 0], None, :] - pkm_xy[None, :, :]).transpose(2, 0, 1))
                       + np.hypot(*(pkm_xy[ex[:, 1], None, :] - pkm_xy[None, :, :]).transpose(2, 0, 1)))
                via[np.arange(len(ex)), ex[:, 0]] = np.inf
                via[np.arange(len(ex)), ex[:, 1]] = np.inf
                ex = ex[via.min(axis=1) > 1.25 * dij][: max(1, len(pkm_xy) // 3)]
                add(pkm_xy[ex[:, 0]], pkm_xy[ex[:, 1]], "kolektor")
        if len(members) >= 2:  # desa centres
            e = mst_edges(centers[members], mass)
            a, b = members[e[:, 0]], members[e[:, 1]]
            same_kec = kec_of[a] == kec_of[b]
            add(centers[a][~same_kec], centers[b][~same_kec], "kolektor")
            add(centers[a][same_kec], centers[b][same_kec], "lokal")
    # dusun to desa centre
    sub = set_rank > 0
    cls = np.where(rng.random(sub.sum()) < 0.8, "lingkungan", "setapak")
    a, b = set_xy[sub], centers[set_desa[sub]]
    add(a[cls == "lingkungan"], b[cls == "lingkungan"], "lingkungan", wiggle=0.08)
    add(a[cls == "setapak"], b[cls == "setapak"], "setapak", wiggle=0.12)
    # facilities placed beside a node: a short access lane to it
    node_xy = np.vstack([centers, set_xy])
    d, nearest = cKDTree(node_xy).query(fac_xy)
    lane = d > 1.0
    add(fac_xy[lane], node_xy[nearest[lane]], "lingkungan", wiggle=0.0)
    # ferries: from each island's node nearest the mainland to the nearest mainland centre
    main = np.flatnonzero(landmass == 0)
    main_tree = cKDTree(centers[main])
    for m in range(1, len(masses)):
        members = np.flatnonzero(landmass == m)
        if not len(members):
            continue
        dd, jj = main_tree.query(centers[members])
        i = int(np.argmin(dd))
        a_xy, b_xy = centers[members[i]], centers[main[jj[i]]]
        km = float(np.hypot(*(a_xy - b_xy))) / 1000.0
        minutes = float(round(km / 15.0 * 60.0 + 15.0))
        add(a_xy[None, :], b_xy[None, :], "ferry",
            np.array([f"Penyeberangan {desa_names[members[i]]}"], dtype=object), wiggle=0.0,
            minutes=np.array([minutes]))
    if not geoms:
        return np.empty(0, dtype=object), [], [], []
    return (np.concatenate(geoms), np.concatenate(classes), np.concatenate(names),
            np.concatenate(cross))


def _split_lines(lines: np.ndarray, max_len: float) -> tuple[np.ndarray, np.ndarray]:
    """Cut lines into pieces of at most ~``max_len`` at their vertices (consecutive pieces share
    their end points, so the network stays connected) — like road segments in real data.
    Returns the pieces and, for each, the index of the line it came from."""
    coords, idx = shapely.get_coordinates(lines, return_index=True)
    if not len(coords):
        return lines, np.arange(len(lines))
    counts, starts, cum = distance_along(coords, idx, len(lines))
    piece = np.floor(cum / max_len).astype(int)
    last = starts + counts - 1
    piece[last] = piece[np.maximum(last - 1, starts)]  # the end vertex joins the last piece
    piece[starts] = 0
    # piece id per vertex; a vertex at a cut is duplicated as the next piece's start
    line_piece = idx.astype(np.int64) * 100000 + piece
    change = np.flatnonzero(np.diff(line_piece) != 0) + 1
    change = change[idx[change] == idx[change - 1]]  # cuts inside one line
    dup_coords = coords[change - 1]
    dup_ids = line_piece[change]
    all_coords = np.vstack([coords, dup_coords])
    all_ids = np.concatenate([line_piece, dup_ids])
    # put the duplicated start vertex before the piece's own vertices
    pos = np.concatenate([np.arange(len(coords), dtype=float), change - 0.5])
    order = np.lexsort((pos, all_ids))
    all_coords, all_ids = all_coords[order], all_ids[order]
    uniq, new_idx = np.unique(all_ids, return_inverse=True)
    out = shapely.linestrings(all_coords, indices=new_idx)
    parent = (uniq // 100000).astype(int)
    ok = shapely.get_num_coordinates(out) >= 2
    return out[ok], parent[ok]
