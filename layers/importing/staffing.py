"""Staffing tables (``--staffing``): one row per facility with its perawat, bidan (ASN / non-ASN /
total) and other nakes, as Kemenkes staffing dashboards publish them, joined to the facilities
already in the project by code, else by normalised name (exact, then a one-to-one fuzzy match
with rapidfuzz), and reported row by row like every other join.  May import ``ilp_gis``,
``layers`` and the modules of this package below the pipeline.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ilp_gis.errors import InputError
from ilp_gis.i18n import register_catalog, tr
from ilp_gis.model import FacilityType
from layers import readers
from layers.columns import ColumnMapping, detect_columns
from layers.importing.cells import _numbers, _show, _texts
from layers.importing.facility_types import facility_types
from layers.importing.names import _norm_name, _norm_names
from layers.importing.report import _FileLog

STAFF_COLUMNS = ("nurses_asn", "nurses_non_asn", "nurses", "midwives_asn", "midwives_non_asn",
                 "midwives", "other_nakes", "nakes")
"""Facility columns a staffing table fills (``ilp_gis.model.FACILITIES``)."""

FUZZY_MIN_SCORE = 85.0
"""Lowest rapidfuzz ``token_sort_ratio`` (0-100) of two normalised names taken as one facility;
"Pustu Muara Pangi" ↔ "PUSTU MUARO PANGI" scores 91, two different desa names far less."""

_SPLITS = (("nurses", "nurses_asn", "nurses_non_asn"),
           ("midwives", "midwives_asn", "midwives_non_asn"))


def import_staffing(path: Path, facilities: pd.DataFrame | None, desa: pd.DataFrame | None,
                    kabupaten: pd.DataFrame | None, overrides: dict | None, logs: list,
                    *, sheet: str | None = None, header_row: int | None = None
                    ) -> tuple[pd.DataFrame, ColumnMapping]:
    """Read the staffing table ``path`` and return ``facilities`` with :data:`STAFF_COLUMNS`
    filled for every facility a row was joined to (other facilities keep their values), and
    the column mapping used.  One report line per row goes into a new :class:`_FileLog`
    appended to ``logs``; facilities of the table's types without a row get a file line."""
    if facilities is None or not len(facilities):
        raise InputError(tr("staffing.no_facilities"), file=path.name)
    res = readers.read_table(path, sheet=sheet, header_row=header_row)
    raw = res.frame
    headers = [str(c) for c in raw.columns]
    mapping = detect_columns(headers, "staffing", overrides, file=path.name)
    if "code" not in mapping.fields and "name" not in mapping.fields:
        raise InputError(tr("staffing.no_key", columns=", ".join(headers)), file=path.name)
    if not any(f in mapping.fields for f in STAFF_COLUMNS):
        raise InputError(tr("staffing.no_counts", columns=", ".join(headers)), file=path.name)
    log = _FileLog(path.name, "staffing", res.row_numbers)
    logs.append(log)
    log.add_notes(res)
    n = len(raw)
    values = {f: (_numbers(raw[mapping.fields[f]], log, mapping.fields[f])
                  if f in mapping.fields else np.full(n, np.nan)) for f in STAFF_COLUMNS}
    _complete_totals(values, log)

    def column(fname: str) -> list:
        c = mapping.get(fname)
        return _texts(raw[c].tolist()) if c else [None] * n

    target = _join(column("code"), column("name"), column("type"), column("kecamatan"),
                   column("kabupaten"), facilities, desa, kabupaten, log)
    fac = facilities.copy()
    for col in STAFF_COLUMNS:
        fac[col] = pd.to_numeric(fac[col], errors="coerce").astype(float) if col in fac \
            else np.nan
    rows = np.flatnonzero(target >= 0)
    for col in STAFF_COLUMNS:
        given = values[col][rows]
        ok = np.isfinite(given)
        if ok.any():
            pos = target[rows][ok]
            arr = fac[col].to_numpy(float, copy=True)
            arr[pos] = given[ok]
            fac[col] = arr
    # facilities of the table's types that no row reached
    types = set(fac["type"].to_numpy(object)[target[rows]]) if len(rows) else set()
    reached = np.zeros(len(fac), dtype=bool)
    reached[target[rows]] = True
    for t in sorted(types):
        left = np.flatnonzero((fac["type"].to_numpy(object) == t) & ~reached)
        if len(left):
            names = ", ".join(str(x) for x in fac["name"].to_numpy(object)[left[:15]])
            more = tr("staffing.more", n=len(left) - 15) if len(left) > 15 else ""
            log.add_file("doubtful", "facility_without_staffing",
                         tr("staffing.facility_without_row", n=len(left),
                            type=FacilityType(t).label, names=names + more))
    matched = int(len(rows))
    log.add_file("imported", "staffing_joined",
                 tr("staffing.joined", matched=matched, rows=n))
    return fac, mapping


def _complete_totals(values: dict[str, np.ndarray], log: _FileLog) -> None:
    """A total from its ASN and non-ASN parts where the table leaves it blank; a total that
    differs from its parts is kept and the row marked doubtful; nakes from perawat + bidan +
    other nakes when all three are known."""
    for total, asn, non in _SPLITS:
        t, a, b = values[total], values[asn], values[non]
        parts = np.isfinite(a) & np.isfinite(b)
        fill = parts & ~np.isfinite(t)
        t[fill] = a[fill] + b[fill]
        for i in np.flatnonzero(parts & np.isfinite(t) & (np.abs(a + b - t) > 1e-9)):
            log.add(int(i), "doubtful", "staffing_total_differs",
                    tr("staffing.total_differs", what=tr(f"staffing.what.{total}"),
                       asn=_show(a[i]), non_asn=_show(b[i]), total=_show(t[i])))
    nk = values["nakes"]
    parts = (np.isfinite(values["nurses"]) & np.isfinite(values["midwives"])
             & np.isfinite(values["other_nakes"]) & ~np.isfinite(nk))
    nk[parts] = (values["nurses"] + values["midwives"] + values["other_nakes"])[parts]


def _norm_code(value) -> str:
    return "".join(str(value).split()).upper() if value is not None else ""


def _norm_kabupaten(text) -> str:
    """``"KAB. MALANG"`` and ``"Kabupaten Malang"`` → ``"malang"``; ``"Kota Malang"`` keeps
    ``"kota"`` (another district)."""
    s = _norm_name(text)
    return " ".join(w for w in s.split() if w not in ("kabupaten", "kab"))


def _join(codes, names, types, kecs, kabs, fac: pd.DataFrame, desa, kabupaten,
          log: _FileLog) -> np.ndarray:
    """Per row the position of its facility in ``fac`` or -1, every outcome logged."""
    n = len(names)
    target = np.full(n, -1, dtype=np.int64)
    nf = len(fac)
    fac_type = fac["type"].to_numpy(object)
    row_type, _ = facility_types([t if t is not None else nm for t, nm in
                                  zip(types, names, strict=True)])
    # rows of another kabupaten are not this project's
    own_kab = None
    if kabupaten is not None and len(kabupaten) and "name" in kabupaten:
        own_kab = {_norm_kabupaten(x) for x in kabupaten["name"] if x is not None}
    other = np.zeros(n, dtype=bool)
    if own_kab:
        for i, k in enumerate(kabs):
            if k is not None and _norm_kabupaten(k) not in own_kab:
                other[i] = True
                log.add(i, "skipped", "staffing_other_kabupaten",
                        tr("staffing.other_kabupaten", kabupaten=k), k)
    # 1. by code (the facility's source code, then its project id)
    by_code: dict[str, int] = {}
    for col in ("fac_id", "code"):  # code wins over fac_id
        if col in fac:
            for j, c in enumerate(fac[col].to_numpy(object)):
                if c is not None and c == c:
                    by_code[_norm_code(c)] = j
    how = np.full(n, "", dtype=object)
    for i, c in enumerate(codes):
        if other[i] or c is None:
            continue
        j = by_code.get(_norm_code(c))
        if j is not None:
            target[i], how[i] = j, "code"
    # 2. by normalised name: the facility's name, and name or desa with its kecamatan
    fac_keys = _facility_keys(fac, desa)
    row_name = _norm_names(names)
    row_kec = _norm_names(kecs)
    key_owner: dict[str, set[int]] = {}
    for j, keys in enumerate(fac_keys):
        for k in keys:
            key_owner.setdefault(k, set()).add(j)
    taken = {int(j) for j in target[target >= 0]}
    for i in range(n):
        if other[i] or target[i] >= 0 or not row_name[i]:
            continue
        keys = [row_name[i]] + ([f"{row_name[i]} {row_kec[i]}"] if row_kec[i] else [])
        cands = set()
        for k in keys:
            cands |= {j for j in key_owner.get(k, ()) if _same_type(row_type[i], fac_type[j])}
        if len(cands) == 1:  # also a facility taken already: two rows for it, reported below
            target[i], how[i] = cands.pop(), "name"
            taken.add(int(target[i]))
        elif len(cands) > 1:
            how[i] = "ambiguous"
    # 3. fuzzy, one to one: best pairs first
    todo = [i for i in range(n) if target[i] < 0 and not other[i] and row_name[i]
            and how[i] != "ambiguous"]
    free = [j for j in range(nf) if j not in taken]
    if todo and free:
        from rapidfuzz import fuzz, process

        flat = [(j, k) for j in free for k in fac_keys[j]]
        choices = [k for _, k in flat]
        owner = np.array([j for j, _ in flat], dtype=np.int64)
        queries = [row_name[i] + (f" {row_kec[i]}" if row_kec[i] else "") for i in todo]
        scores = np.maximum(
            process.cdist([row_name[i] for i in todo], choices, scorer=fuzz.token_sort_ratio,
                          dtype=np.float32),
            process.cdist(queries, choices, scorer=fuzz.token_sort_ratio, dtype=np.float32))
        ok_type = np.array([[_same_type(row_type[i], fac_type[j]) for j in owner]
                            for i in todo], dtype=bool).reshape(scores.shape)
        scores[~ok_type] = 0
        pairs = np.argwhere(scores >= FUZZY_MIN_SCORE)
        order = np.argsort(-scores[pairs[:, 0], pairs[:, 1]], kind="stable")
        used_rows, used_fac = set(), set()
        for a, b in pairs[order]:
            i, j = todo[a], int(owner[b])
            if i in used_rows or j in used_fac:
                continue
            used_rows.add(i)
            used_fac.add(j)
            target[i], how[i] = j, "fuzzy"
            log.add(i, "fixed", "staffing_fuzzy_name",
                    tr("staffing.fuzzy", name=names[i], facility=fac["name"].iat[j],
                       score=f"{float(scores[a, b]):.0f}"), names[i])
    # two rows for one facility: the first keeps it
    first: dict[int, int] = {}
    for i in range(n):
        j = int(target[i])
        if j < 0:
            continue
        if j in first:
            log.add(i, "skipped", "duplicate_staffing_row",
                    tr("staffing.duplicate_row", facility=fac["name"].iat[j],
                       row=int(log.rows[first[j]])), names[i] or codes[i])
            target[i] = -1
        else:
            first[j] = i
    doubled = _logged(log, "duplicate_staffing_row")
    for i in range(n):
        if target[i] >= 0 or other[i] or i in doubled:
            continue
        what = names[i] or codes[i] or "–"
        if how[i] == "ambiguous":
            log.add(i, "skipped", "staffing_ambiguous",
                    tr("staffing.ambiguous", name=what), what)
        else:
            log.add(i, "skipped", "staffing_no_facility", tr("staffing.no_facility", name=what), what)
    return target


def _logged(log: _FileLog, problem: str) -> set[int]:
    return {i for i, found in log.entries.items() if any(e[1] == problem for e in found)}


def _same_type(row_type, fac_type) -> bool:
    return row_type is None or row_type == fac_type


def _facility_keys(fac: pd.DataFrame, desa) -> list[list[str]]:
    """Normalised names each facility may be listed under: its name; its name with its
    kecamatan; for a Pustu also its desa with the kecamatan (``PUSTU <desa> <kecamatan>``)."""
    names = _norm_names(fac["name"].tolist())
    desa_name: dict = {}
    kec_name: dict = {}
    if desa is not None and len(desa):
        desa_name = dict(zip(desa["code"], _norm_names(desa["name"].tolist()), strict=True))
        if "kecamatan_name" in desa:
            kec_name = dict(zip(desa["code"], _norm_names(desa["kecamatan_name"].tolist()),
                                strict=True))
    dcodes = fac["desa_code"].to_numpy(object) if "desa_code" in fac else [None] * len(fac)
    types = fac["type"].to_numpy(object)
    out = []
    for nm, dc, t in zip(names, dcodes, types, strict=True):
        keys = [nm] if nm else []
        kec = kec_name.get(dc) or ""
        if nm and kec:
            keys.append(f"{nm} {kec}")
        if t == FacilityType.PUSTU.value and desa_name.get(dc):
            keys.append(desa_name[dc] + (f" {kec}" if kec else ""))
        out.append(list(dict.fromkeys(keys)))
    return out


register_catalog("layers", "importing.staffing")
