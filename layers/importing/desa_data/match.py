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

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ilp_gis import codes
from ilp_gis.i18n import register_catalog, tr
from layers.importing.names import _canon_name, _compact_name, _norm_name
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

_KEMENDAGRI_KEC = re.compile(r"\d\d\.\d\d\.\d\d")


@dataclass
class RowKeys:
    """What a table gives to find its desa, one list entry per row (None where blank)."""

    code: list
    code_bps: list
    name: list
    kecamatan_name: list
    kecamatan_code: list
    code_system: str | None = None  # the system the ``code`` column declares, if any


def _kec_norm(text) -> str:
    return " ".join(w for w in _norm_name(text).split() if w not in ("kecamatan", "kec"))


class DesaKeys:
    """The desa layer indexed for joining: codes, names and kecamatan of each desa."""

    def __init__(self, desa: pd.DataFrame) -> None:
        n = len(desa)
        self.n = n
        self.names = desa["name"].to_numpy(dtype=object)
        self.codes = desa["code"].to_numpy(dtype=object)
        self.by_code = desa_code_index(desa)
        bps = desa["code_bps"].to_numpy(dtype=object) if "code_bps" in desa.columns \
            else np.full(n, None, dtype=object)
        self.has_system = {
            codes.KEMENDAGRI: any(isinstance(c, str) and "." in c for c in self.codes),
            codes.BPS: any(isinstance(c, str) and c for c in bps)}
        kcode = desa["kecamatan_code"].to_numpy(dtype=object) if "kecamatan_code" in desa \
            else np.full(n, None, dtype=object)
        kname = desa["kecamatan_name"].to_numpy(dtype=object) if "kecamatan_name" in desa \
            else np.full(n, None, dtype=object)
        self.kec_key = np.array([kc if isinstance(kc, str) and kc else
                                 ("~" + _kec_norm(kn) if isinstance(kn, str) else "")
                                 for kc, kn in zip(kcode, kname, strict=True)], dtype=object)
        self.kab_key = np.array([k[:5] if _KEMENDAGRI_KEC.fullmatch(k) else ""
                                 for k in self.kec_key], dtype=object)
        self.kec_label: dict[str, str] = {}
        self.kec_by_name: dict[str, set[str]] = {}
        self.kec_by_code: dict[str, str] = {}
        for key, kn, kc, b in zip(self.kec_key, kname, kcode, bps, strict=True):
            if not key:
                continue
            self.kec_label.setdefault(key, kn if isinstance(kn, str) else key)
            if isinstance(kn, str):
                self.kec_by_name.setdefault(_kec_norm(kn), set()).add(key)
            if isinstance(kc, str):
                self.kec_by_code[kc] = key
            if isinstance(b, str) and len(b) == 10:
                self.kec_by_code.setdefault(b[:7], key)
        self.norm = [_norm_name(v) for v in self.names]
        self.canon = [_canon_name(v) for v in self.names]
        self.compact = [_compact_name(v) for v in self.names]
        self.exact: dict[tuple[str, str], list[int]] = {}
        self.spelt: dict[tuple[str, str], list[int]] = {}
        self.kab_spelt: dict[tuple[str, str], list[int]] = {}
        self.members: dict[str, list[int]] = {}
        for j in range(n):
            k = self.kec_key[j]
            self.exact.setdefault((k, self.norm[j]), []).append(j)
            self.spelt.setdefault((k, self.compact[j]), []).append(j)
            self.kab_spelt.setdefault((self.kab_key[j], self.compact[j]), []).append(j)
            self.members.setdefault(k, []).append(j)
        self._all_exact: dict[str, list[int]] | None = None

    def all_exact(self) -> dict[str, list[int]]:
        if self._all_exact is None:
            self._all_exact = {}
            for j, nm in enumerate(self.norm):
                self._all_exact.setdefault(nm, []).append(j)
        return self._all_exact

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

    _by_code(desa, rows, log, take, done)
    kecs = _row_kecamatan(desa, rows, log)
    names = rows.name
    norm = [_norm_name(v) for v in names]
    compact = [_compact_name(v) for v in names]
    for i in range(m):
        if done[i] or not norm[i]:
            continue
        keys = kecs[i]
        if keys is None:
            found = desa.all_exact().get(norm[i], [])
        else:
            found = [j for k in keys for j in desa.exact.get((k, norm[i]), ())]
        if len(found) == 1:
            take(i, found[0], HOW_NAME)
        elif len(found) > 1:
            _ambiguous(desa, log, i, names[i], found)
            done[i] = True
    for i in range(m):  # the same name spelt otherwise
        if done[i] or not compact[i] or kecs[i] is None:
            continue
        found = [j for k in kecs[i] for j in desa.spelt.get((k, compact[i]), ())]
        if len(found) == 1:
            if take(i, found[0], HOW_SPELLING):
                log.add(i, "fixed", "desa_name_spelling",
                        tr("desa_data.match.spelling", name=names[i], desa=desa.label(found[0])),
                        names[i])
        elif len(found) > 1:
            _ambiguous(desa, log, i, names[i], found)
            done[i] = True
    _other_kecamatan(desa, rows, log, kecs, compact, done, owner, take)
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


def _ambiguous(desa: DesaKeys, log, i: int, name, found) -> None:
    log.add(i, "skipped", "desa_ambiguous",
            tr("desa_data.match.ambiguous", name=name,
               found="; ".join(desa.label(j) for j in found[:5])), name)


def _by_code(desa: DesaKeys, rows: RowKeys, log, take, done) -> None:
    """Rows whose code names a desa of the layer (either column, either system)."""
    said_missing_system: set[str] = set()
    for values, declared in ((rows.code, rows.code_system), (rows.code_bps, codes.BPS)):
        if all(v is None for v in values):
            continue
        results = codes.normalize_many(values, system=declared, level=codes.DESA)
        for i, (v, r) in enumerate(zip(values, results, strict=True)):
            if done[i] or v is None:
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
    kecamatan is unknown), or None when the row gives no kecamatan."""
    cache: dict[tuple, tuple | None] = {}
    names_of_layer = list(desa.kec_by_name)
    out = []
    for code, name in zip(rows.kecamatan_code, rows.kecamatan_name, strict=True):
        key = (code, name)
        if key not in cache:
            cache[key] = _one_kecamatan(desa, code, name, names_of_layer, log)
        out.append(cache[key])
    return out


def _one_kecamatan(desa: DesaKeys, code, name, names_of_layer, log):
    if code is None and name is None:
        return None
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
    of the same kabupaten (any kabupaten when the row's kecamatan is unknown)."""
    for i in np.flatnonzero(~done):
        if not compact[i] or kecs[i] is None:
            continue
        mine = set(kecs[i])
        if mine:
            kabs = {desa.kab_key[desa.members[k][0]] for k in mine}
            found = [j for kab in kabs for j in desa.kab_spelt.get((kab, compact[i]), ())
                     if desa.kec_key[j] not in mine]
        else:
            found = [j for j, c in enumerate(desa.compact) if c == compact[i]] \
                if desa.n <= FUZZY_WHOLE_LAYER_MAX * 10 else []
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
