"""Which desa each row of a per-desa table is.

The rule, in order (each row is matched once; a desa takes one row):

1. **Code.** A code is read by its spelling (``ilp_gis.codes``): Kemendagri ``15.03.01.2001``
   is looked up among the desa layer's Kemendagri codes, BPS ``1503010006`` among its BPS
   codes; the two systems are never converted into each other (plain digits, which fit both,
   are tried in both columns).  A table whose codes are of a system the desa layer does not
   hold is joined by name, said once in the report.
2. **Name within the kecamatan** (the row's kecamatan by code or name, a misspelt kecamatan
   name matched when one is clearly meant): the same name; then the same name spelt otherwise
   ("K E R O Y A" = "Keroya", "PulauTujuh" = "Pulau Tujuh", "P. Salak Baru" = "Pulau Salak
   Baru"; reported ``fixed``).
3. **A name found in another kecamatan of the same kabupaten**, when it is the only desa of
   that name there (a kecamatan split since the table was made: PODES 2019 MANDIANGIN is
   Mandiangin and Mandiangin Timur today; reported ``doubtful``).
4. **A fuzzy match** among the desa of the kecamatan no row took ("Muara Pangi" ↔ "Muaro
   Pangi", "Pasar Atas Bangko" ↔ "Pasar Atas"), scored with rapidfuzz, made one-to-one best
   pair first; a row whose two best candidates score alike is not guessed (reported
   ``doubtful``).

A row matching no desa, a second row for a desa and a row naming two desa of one name are
skipped with a line; nothing is guessed silently.  May import ``ilp_gis`` and
``layers.importing`` (names, placement, report).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ilp_gis import codes
from ilp_gis.i18n import register_catalog, tr
from layers.importing.names import _canon_name, _compact_name, _norm_name, _norm_names
from layers.importing.placement import desa_code_index

FUZZY_MIN = 80.0
"""Lowest score (0..100) of a fuzzy desa-name match."""
FUZZY_MARGIN = 3.0
"""A row whose second-best candidate scores within this of the best is not matched."""
KECAMATAN_FUZZY_MIN = 85.0
"""Lowest score of a misspelt kecamatan name read as a kecamatan of the layer."""
FUZZY_WHOLE_LAYER_MAX = 2000
"""Rows without a kecamatan are fuzzy-matched against the whole layer up to this many desa."""

HOW_CODE, HOW_NAME, HOW_SPELLING, HOW_OTHER_KEC, HOW_FUZZY = (
    "code", "name", "spelling", "other_kecamatan", "fuzzy")



@dataclass
class RowKeys:
    """What a table gives to find its desa, one list entry per row (None where blank)."""

    code: list
    code_bps: list
    name: list
    kecamatan_name: list
    kecamatan_code: list
    code_system: str | None = None  # the system the ``code`` column declares, if any
    kabupaten_name: list | None = None  # narrows the kecamatan (names repeat across Indonesia)
    kabupaten_code: list | None = None


def _kec_norm(text) -> str:
    return " ".join(w for w in _norm_name(text).split() if w not in ("kecamatan", "kec"))


def _kab_norm(text) -> str:  # "Kabupaten Sarolangun" = "SAROLANGUN"; "Kota Jambi" stays
    return " ".join(w for w in _norm_name(text).split() if w not in ("kabupaten", "kab"))


class DesaKeys:
    """The desa layer indexed for joining: codes at once, kecamatan and names when a row needs
    them (a table joined by code never builds the name index)."""

    def __init__(self, desa: pd.DataFrame, kabupaten: pd.DataFrame | None = None) -> None:
        n = len(desa)
        self.n = n
        self._desa = desa
        self._kabupaten = kabupaten
        self.names = desa["name"].to_numpy(dtype=object)
        self.codes = desa["code"].to_numpy(dtype=object)
        self.by_code = desa_code_index(desa)
        self.code_keys = pd.Index(list(self.by_code), dtype=object)
        self.code_pos = np.fromiter(self.by_code.values(), dtype=np.int64, count=len(self.by_code))
        bps = desa["code_bps"].to_numpy(dtype=object) if "code_bps" in desa.columns \
            else np.full(n, None, dtype=object)
        self._bps = bps
        self.has_system = {
            codes.KEMENDAGRI: bool(codes.clean_mask(self.codes).any()),
            codes.BPS: any(isinstance(c, str) and c for c in bps)}
        self._kec_built = self._names_built = False

    def _column(self, name: str) -> np.ndarray:
        if name in self._desa.columns:
            return self._desa[name].to_numpy(dtype=object)
        return np.full(self.n, None, dtype=object)

    def __getattr__(self, name: str):
        # the kecamatan and name indexes, built on first use
        if name in ("kec_key", "kab_key", "kec_label", "kec_by_name", "kec_by_code",
                    "kec_of_kab", "kab_by_name", "kab_by_code"):
            self._build_kecamatan()
        elif name in ("norm", "canon", "compact", "frame", "members"):
            self._build_names()
        else:
            raise AttributeError(name)
        return self.__dict__[name]

    def _build_kecamatan(self) -> None:
        kcode, kname = self._column("kecamatan_code"), self._column("kecamatan_name")
        index, uniques = pd.factorize(pd.Series(kname, dtype=object), use_na_sentinel=True)
        normed = np.array([_kec_norm(v) for v in uniques] + [""], dtype=object)[index]
        has_code = np.array([isinstance(k, str) and k != "" for k in kcode], dtype=bool)
        self.kec_key = np.array([kc if h else ("~" + nm if i >= 0 else "")
                                 for kc, h, nm, i in zip(kcode, has_code, normed, index,
                                                         strict=True)], dtype=object)
        kab = pd.Series(self.kec_key, dtype=object).str.slice(0, 5).to_numpy(dtype=object)
        self.kab_key = np.where(codes.clean_mask(self.kec_key, level=codes.KECAMATAN), kab, "")
        first = ~pd.Series(self.kec_key, dtype=object).duplicated().to_numpy()
        self.kec_label = {k: (kn if isinstance(kn, str) else k) for k, kn in
                          zip(self.kec_key[first], kname[first], strict=True) if k}
        self.kec_by_name: dict[str, set[str]] = {}
        pairs = pd.DataFrame({"n": normed, "k": self.kec_key}).drop_duplicates()
        for nm, k in zip(pairs["n"], pairs["k"], strict=True):
            if nm and k:
                self.kec_by_name.setdefault(nm, set()).add(k)
        self.kec_by_code = {}
        for k, kc in zip(self.kec_key[first], kcode[first], strict=True):
            if isinstance(kc, str) and kc:
                self.kec_by_code[kc] = k
        self.kec_of_kab: dict[str, set[str]] = {}
        for k, b in zip(self.kec_key[first], self.kab_key[first], strict=True):
            if b:
                self.kec_of_kab.setdefault(b, set()).add(k)
        # kabupaten by name and code (the kabupaten layer's own Kemendagri/BPS pair)
        self.kab_by_name: dict[str, set[str]] = {}
        self.kab_by_code: dict[str, str] = {b: b for b in self.kec_of_kab}
        kab = self._kabupaten
        if kab is not None and len(kab) and "code" in kab.columns:
            kb = kab["code_bps"] if "code_bps" in kab.columns else pd.Series(None, index=kab.index)
            for code, bcode, name in zip(kab["code"], kb, kab["name"], strict=True):
                if not (isinstance(code, str) and code in self.kec_of_kab):
                    continue
                if isinstance(bcode, str) and bcode:
                    self.kab_by_code[bcode] = code
                if isinstance(name, str):
                    self.kab_by_name.setdefault(_kab_norm(name), set()).add(code)
        bps = pd.Series(self._bps, dtype=object)
        long = bps.str.len().to_numpy() == 10
        prefix = pd.DataFrame({"p": bps[long].str.slice(0, 7), "k": self.kec_key[long]})
        for p, k in prefix.drop_duplicates("p").itertuples(index=False):
            self.kec_by_code.setdefault(p, k)

    def _build_names(self) -> None:
        self.norm = _norm_names(self.names)
        index, uniques = pd.factorize(pd.Series(self.names, dtype=object), use_na_sentinel=True)
        canon = np.array([_canon_name(v) for v in uniques] + [""], dtype=object)
        self.canon = canon[index].tolist()
        self.compact = [c.replace(" ", "") for c in self.canon]
        self.frame = pd.DataFrame({"j": np.arange(self.n), "kec": self.kec_key,
                                   "kab": self.kab_key,
                                   "norm": pd.Series(self.norm, dtype=object),
                                   "compact": pd.Series(self.compact, dtype=object)})
        self.members = {k: v.tolist() for k, v in self.frame.groupby("kec").indices.items()}

    def label(self, j: int) -> str:
        kec = self.kec_label.get(self.kec_key[j], "–")
        return f"{self.names[j]} ({self.codes[j]}, {kec})"


def match_rows(desa: DesaKeys, rows: RowKeys, log) -> tuple[np.ndarray, np.ndarray]:
    """Per row the desa position (-1: none) and how it was found (``HOW_*`` or None); every
    row that is not a plain code or name match gets its line in ``log``."""
    m = len(rows.name)
    pos = np.full(m, -1, dtype=np.int64)
    how = np.full(m, None, dtype=object)
    owner = np.full(desa.n, -1, dtype=np.int64)
    done = np.zeros(m, dtype=bool)  # matched or given up (skipped with a line)

    def take(i: int, j: int, kind: str) -> bool:
        if owner[j] >= 0:
            log.add(i, "skipped", "duplicate_desa_row",
                    tr("desa_data.match.duplicate", desa=desa.label(j),
                       row=int(log.rows[owner[j]])))
            done[i] = True
            return False
        owner[j] = i
        pos[i], how[i] = j, kind
        done[i] = True
        return True

    def take_many(rows_: np.ndarray, js: np.ndarray, kind: str) -> None:
        """:func:`take` for many rows at once (the rows in order; a repeat goes row by row)."""
        free = (owner[js] < 0) & ~pd.Series(js).duplicated().to_numpy()
        owner[js[free]] = rows_[free]
        pos[rows_[free]], how[rows_[free]], done[rows_[free]] = js[free], kind, True
        for i, j in zip(rows_[~free].tolist(), js[~free].tolist(), strict=True):
            take(i, j, kind)

    _by_code(desa, rows, log, take, take_many, done)
    if done.all():
        return pos, how
    kecs = _row_kecamatan(desa, rows, log)
    names = rows.name
    todo = np.flatnonzero(~done)
    norm = dict(zip(todo.tolist(), _norm_names([names[i] for i in todo]), strict=True))
    compact = {i: _compact_name(names[i]) for i in todo.tolist()}
    for field, values, kind in (("norm", norm, HOW_NAME), ("compact", compact, HOW_SPELLING)):
        unique, several = _lookup(desa, np.flatnonzero(~done), kecs, values, field,
                                  whole_layer=field == "norm")
        take_many(unique[:, 0], unique[:, 1], kind)
        if kind == HOW_SPELLING:
            for i, j in unique.tolist():
                if pos[i] == j:
                    log.add(i, "fixed", "desa_name_spelling",
                            tr("desa_data.match.spelling", name=names[i], desa=desa.label(j)),
                            names[i])
        for i, found in several.items():
            _ambiguous(desa, log, i, names[i], found)
            done[i] = True
    _other_kecamatan(desa, rows, log, kecs, [compact.get(i, "") for i in range(m)], done, owner,
                     take)
    _fuzzy(desa, rows, log, kecs, done, owner, take)
    for i in np.flatnonzero(~done):
        if names[i] is None and rows.code[i] is None and rows.code_bps[i] is None:
            log.add(i, "skipped", "desa_no_key", tr("desa_data.match.no_key"))
        else:
            kec = rows.kecamatan_name[i] or rows.kecamatan_code[i] or "–"
            shown = names[i] or rows.code[i] or rows.code_bps[i]
            log.add(i, "skipped", "desa_not_found",
                    tr("desa_data.match.not_found", name=shown, kec=kec), shown)
    return pos, how


def _lookup(desa: DesaKeys, idx: np.ndarray, kecs: list, values: dict, field: str, *,
            whole_layer: bool) -> tuple[np.ndarray, dict[int, list[int]]]:
    """The desa whose ``field`` (``norm`` or ``compact`` name) equals each row's within the
    row's kecamatan (the whole layer for a row without one, when ``whole_layer``): the rows
    with one desa as ``[[row, desa], ...]`` (in row order), those with several as
    ``{row: [desa, ...]}``."""
    rr, kk, vv = [], [], []
    for i in idx.tolist():
        v = values.get(i)
        ks = kecs[i]
        if not v or (ks is None and not whole_layer):
            continue
        for k in ((None,) if ks is None else ks):
            rr.append(i)
            kk.append(k)
            vv.append(v)
    if not rr:
        return np.zeros((0, 2), dtype=np.int64), {}
    left = pd.DataFrame({"row": rr, "kec": pd.Series(kk, dtype=object),
                         field: pd.Series(vv, dtype=object)})
    right = desa.frame[["j", "kec", field]]
    own = left["kec"].notna()
    parts = [left[own].merge(right, on=["kec", field], how="inner")]
    if not own.all():
        parts.append(left[~own].drop(columns="kec").merge(right.drop(columns="kec"),
                                                          on=field, how="inner"))
    hits = pd.concat(parts, ignore_index=True).drop_duplicates(["row", "j"]).sort_values(
        ["row", "j"], kind="stable")
    size = hits.groupby("row")["j"].transform("size").to_numpy()
    one = hits[size == 1]
    several = {int(r): g.tolist() for r, g in hits[size > 1].groupby("row")["j"]}
    return np.column_stack([one["row"].to_numpy(np.int64), one["j"].to_numpy(np.int64)]), \
        several


def _ambiguous(desa: DesaKeys, log, i: int, name, found) -> None:
    log.add(i, "skipped", "desa_ambiguous",
            tr("desa_data.match.ambiguous", name=name,
               found="; ".join(desa.label(j) for j in found[:5])), name)


def _by_code(desa: DesaKeys, rows: RowKeys, log, take, take_many, done) -> None:
    """Rows whose code names a desa of the layer (either column, either system).  Codes
    already written as the layer writes them (most) are looked up in one pass; any other
    spelling goes through the reading rule of ``ilp_gis.codes``."""
    said_missing_system: set[str] = set()
    for values, declared in ((rows.code, rows.code_system), (rows.code_bps, codes.BPS)):
        if all(v is None for v in values):
            continue
        arr = np.empty(len(values), dtype=object)
        arr[:] = values
        clean = codes.clean_mask(arr, system=declared, level=codes.DESA)
        if declared is None:
            clean |= codes.clean_mask(arr, system=codes.BPS, level=codes.DESA)
        at = desa.code_keys.get_indexer(pd.Index(np.where(clean, arr, None), dtype=object))
        fast = np.flatnonzero(~done & clean & (at >= 0))
        take_many(fast, desa.code_pos[at[fast]], HOW_CODE)
        rest = np.flatnonzero(~done & pd.notna(arr))
        if not len(rest):
            continue
        results = codes.normalize_many(arr[rest].tolist(), system=declared, level=codes.DESA)
        for i, r in zip(rest.tolist(), results, strict=True):
            v = arr[i]
            if done[i]:
                continue
            tries = []
            if r.ok and r.level == codes.DESA:
                tries.append(r)
                if "assumed_system" in r.problems:  # plain digits: the other reading too
                    k = codes.normalize_code(v, system=codes.KEMENDAGRI, level=codes.DESA)
                    if k.ok and k.level == codes.DESA:
                        tries.append(k)
            hit = next((t for t in tries if t.code in desa.by_code), None)
            if hit is not None:
                fixes = [p for p in hit.problems if p in codes.FIXED_PROBLEMS]
                if fixes:
                    log.add(i, "fixed", "code_" + fixes[0], hit.message(), v)
                take(i, desa.by_code[hit.code], HOW_CODE)
                continue
            if not tries:
                log.add(i, "doubtful", "desa_code_unreadable",
                        tr("desa_data.match.code_unreadable", code=v,
                           why=r.message() or "–"), v)
                continue
            systems = {t.system for t in tries}
            if not any(desa.has_system[s] for s in systems):
                for s in systems - said_missing_system:
                    log.add_file("imported", "code_system_absent",
                                 tr("desa_data.match.system_absent",
                                    system=tr(f"codes.system.{s}")))
                said_missing_system |= systems
                continue
            log.add(i, "doubtful", "desa_code_unknown",
                    tr("desa_data.match.code_unknown", code=v), v)


def _row_kecamatan(desa: DesaKeys, rows: RowKeys, log) -> list:
    """Per row the kecamatan keys of the desa layer it names (a tuple, maybe empty when the
    kecamatan is unknown), or None when the row gives no kecamatan nor kabupaten; a kabupaten
    the row names narrows them (or stands for all its kecamatan when no kecamatan is given)."""
    cache: dict[tuple, tuple | None] = {}
    names_of_layer = list(desa.kec_by_name)
    m = len(rows.name)
    kab_names = rows.kabupaten_name or [None] * m
    kab_codes = rows.kabupaten_code or [None] * m
    out = []
    for code, name, kcode, kname in zip(rows.kecamatan_code, rows.kecamatan_name, kab_codes,
                                        kab_names, strict=True):
        key = (code, name, kcode, kname)
        if key not in cache:
            kecs = _one_kecamatan(desa, code, name, names_of_layer, log)
            kabs = _one_kabupaten(desa, kcode, kname, log)
            if kabs is not None:
                within = set().union(*(desa.kec_of_kab.get(b, ()) for b in kabs))
                kecs = tuple(sorted(within)) if kecs is None else \
                    tuple(k for k in kecs if k in within)
            cache[key] = kecs
        out.append(cache[key])
    return out


def _one_kabupaten(desa: DesaKeys, code, name, log) -> set[str] | None:
    """The kabupaten keys (``PP.KK``) a row names, None when it names none the layer knows."""
    if code is not None:
        r = codes.normalize_code(code, level=codes.KABUPATEN)
        if r.ok and r.code in desa.kab_by_code:
            return {desa.kab_by_code[r.code]}
    if name is not None:
        found = desa.kab_by_name.get(_kab_norm(name))
        if found:
            return set(found)
    if code is not None or name is not None:
        log.add_file("doubtful", "kabupaten_not_found",
                     tr("desa_data.match.kabupaten_not_found", name=name or code))
    return None


def _one_kecamatan(desa: DesaKeys, code, name, names_of_layer, log):
    if code is None and name is None:
        return None
    if code is not None and code in desa.kec_by_code:  # written as the layer writes it
        return (desa.kec_by_code[code],)
    if code is not None:
        r = codes.normalize_code(code, level=codes.KECAMATAN)
        if r.ok and r.code in desa.kec_by_code:
            return (desa.kec_by_code[r.code],)
    if name is None:
        return ()
    norm = _kec_norm(name)
    if norm in desa.kec_by_name:
        return tuple(sorted(desa.kec_by_name[norm]))
    if names_of_layer:
        from rapidfuzz import fuzz, process

        best = process.extract(norm, names_of_layer, scorer=fuzz.ratio, limit=2)
        if best and best[0][1] >= KECAMATAN_FUZZY_MIN and (
                len(best) == 1 or best[1][1] < best[0][1] - FUZZY_MARGIN):
            keys = tuple(sorted(desa.kec_by_name[best[0][0]]))
            log.add_file("fixed", "kecamatan_name_fuzzy",
                         tr("desa_data.match.kecamatan_fuzzy", name=name,
                            kec=desa.kec_label[keys[0]], score=f"{best[0][1]:.0f}"))
            return keys
    log.add_file("doubtful", "kecamatan_not_found",
                 tr("desa_data.match.kecamatan_not_found", name=name))
    return ()


def _other_kecamatan(desa: DesaKeys, rows: RowKeys, log, kecs, compact, done, owner,
                     take) -> None:
    """A name not in the row's kecamatan but the only desa of that name in another kecamatan
    of the same kabupaten."""
    # only rows whose kecamatan is known: a row of a kecamatan the layer does not have (a
    # national table in a district project) is never matched by its name alone
    rest = [i for i in np.flatnonzero(~done).tolist() if compact[i] and kecs[i]]
    if not rest:
        return
    sub = desa.frame[desa.frame["compact"].isin({compact[i] for i in rest})]
    by_kab: dict[tuple[str, str], list[int]] = {}
    for j, kab, c in zip(sub["j"].tolist(), sub["kab"].tolist(), sub["compact"].tolist(),
                         strict=True):
        by_kab.setdefault((kab, c), []).append(j)
    for i in rest:
        mine = set(kecs[i])
        kabs = {desa.kab_key[desa.members[k][0]] for k in mine if k in desa.members}
        found = [j for kab in kabs for j in by_kab.get((kab, compact[i]), ())
                 if desa.kec_key[j] not in mine]
        if len(found) == 1 and owner[found[0]] < 0:
            j = found[0]
            take(i, j, HOW_OTHER_KEC)
            log.add(i, "doubtful", "desa_other_kecamatan",
                    tr("desa_data.match.other_kecamatan", name=rows.name[i],
                       kec=rows.kecamatan_name[i] or rows.kecamatan_code[i],
                       desa=desa.label(j)), rows.name[i])


def _fuzzy(desa: DesaKeys, rows: RowKeys, log, kecs, done, owner, take) -> None:
    """Fuzzy matches within each kecamatan among the desa no row took, best pair first."""
    from rapidfuzz import fuzz
    from rapidfuzz.process import cdist

    groups: dict[tuple, list[int]] = {}
    for i in np.flatnonzero(~done):
        if not _norm_name(rows.name[i]):
            continue
        keys = kecs[i]
        if keys is None:
            if desa.n > FUZZY_WHOLE_LAYER_MAX:
                continue
            keys = ("*",)
        elif not keys:
            continue
        groups.setdefault(keys, []).append(int(i))
    for keys, members in groups.items():
        cand = list(range(desa.n)) if keys == ("*",) else \
            [j for k in keys for j in desa.members.get(k, ())]
        cand = [j for j in cand if owner[j] < 0]
        if not cand:
            continue
        r_canon = [_canon_name(rows.name[i]) for i in members]
        r_compact = [c.replace(" ", "") for c in r_canon]
        score = np.maximum(
            cdist(r_compact, [desa.compact[j] for j in cand], scorer=fuzz.ratio),
            0.9 * cdist(r_canon, [desa.canon[j] for j in cand], scorer=fuzz.token_set_ratio))
        score = np.asarray(score, dtype=float)
        order = np.argsort(-score, axis=None, kind="stable")
        free_r = np.ones(len(members), dtype=bool)
        free_d = np.ones(len(cand), dtype=bool)
        for flat in order:
            a, b = divmod(int(flat), len(cand))
            s = score[a, b]
            if s < FUZZY_MIN:
                break
            if not (free_r[a] and free_d[b]):
                continue
            others = np.delete(score[a], b)[np.delete(free_d, b)]
            free_r[a] = False
            i = members[a]
            if len(others) and others.max() > s - FUZZY_MARGIN:
                rival = np.where(free_d, score[a], -1.0)
                rival[b] = -1.0
                alt = cand[int(np.argmax(rival))]
                log.add(i, "skipped", "desa_fuzzy_ambiguous",
                        tr("desa_data.match.fuzzy_ambiguous", name=rows.name[i],
                           a=desa.label(cand[b]), b=desa.label(alt)), rows.name[i])
                done[i] = True
                continue
            free_d[b] = False
            j = cand[b]
            take(i, j, HOW_FUZZY)
            log.add(i, "doubtful", "desa_name_fuzzy",
                    tr("desa_data.match.fuzzy", name=rows.name[i], desa=desa.label(j),
                       score=f"{s:.0f}"), rows.name[i])


def desa_without_row(desa: DesaKeys, pos: np.ndarray, log) -> int:
    """One file line per desa no row of the table was joined to; their number."""
    has = np.zeros(desa.n, dtype=bool)
    has[pos[pos >= 0]] = True
    missing = np.flatnonzero(~has)
    for j in missing:
        log.add_file("doubtful", "desa_without_row",
                     tr("desa_data.match.desa_without_row", desa=desa.label(int(j))))
    return len(missing)


register_catalog("layers", "importing.desa_data.match")
