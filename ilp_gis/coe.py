"""Center of Excellence (COE) units: 1 Puskesmas + 1 Pustu + all Posyandu in that Pustu's area,
derived from the designation in the facility data and the network, and scored as the share of
all their readiness indicators met.

Designation: the Puskesmas data mark a COE Puskesmas (``coe``), the Pustu data mark which of its
Pustu belongs to the unit (``coe`` on the Pustu).  The unit's Posyandu are the Pustu's children
in the network (``ilp_gis.network``: declared parent, else the nearest Pustu).  Only a designated
Puskesmas makes a unit; readiness shares of a Puskesmas that is not designated make none, and a
designated Pustu under a Puskesmas that is not designated is reported, not counted.

Indicators: one list per group (:class:`ilp_gis.model.CoeGroup`) in a data file the planner edits
(``ilp_gis/data/coe_indicators.toml``; each entry with its source and ``confirmed``).  Score:

- ``indicators``: the unit's assessment per indicator is given (project table
  ``coe_assessment``: ``fac_id`` of the unit's Puskesmas, ``indicator``, ``met``); the score is
  the share of the assessed indicators met.  It meets the threshold when the met indicators
  reach it over the whole list, misses it when even every unassessed indicator met would not
  reach it, and is undecided (NA) in between.
- ``group_shares``: only the share met per group is given (the Puskesmas' ``coe_*`` columns);
  the score is their mean weighted by the number of indicators listed per group (the share of
  all indicators met when each share is met/listed; equal counts: the plain mean).
- ``none``: neither is given: no score, no verdict (missing is not zero).

May import numpy, pandas and ``ilp_gis`` (i18n, errors, model).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from ilp_gis import model
from ilp_gis.errors import RulesError
from ilp_gis.i18n import get_language, register_catalog, tr

PUSKESMAS, PUSTU, POSYANDU = (t.value for t in model.FacilityType)
ASSESSMENT_TABLE = "coe_assessment"
"""Project table of per-indicator assessments: ``fac_id`` (the unit's Puskesmas), ``indicator``
(``group.key`` of the indicator list), ``met`` (boolean)."""
META_INDICATORS = "coe_indicators_toml"
"""Project meta key holding the text of the indicator list the planner chose."""
RULES = ("indicators", "group_shares", "none")
PROBLEMS = ("no_pustu", "several_pustu", "pustu_not_in_unit")

UNIT_COLUMNS = ["unit_id", "fac_id", "name", "type", "desa_code", "kecamatan_code",
                "pustu_id", "pustu_name", "pustu_desa_code", "posyandu_count", "posyandu_ids",
                "desa_codes", "score", "indicators_met", "indicators_assessed", "indicators_total",
                "coe_groups_known", *model.COE_COLUMNS, "meets", "rule", "problem"]
"""Columns of the unit table (``result_coe``): ``fac_id``/``name``/``type``/``desa_code``/
``kecamatan_code`` are the unit's Puskesmas; ``posyandu_ids`` and ``desa_codes`` (the desa of
every member) joined by ";"; ``rule`` one of
:data:`RULES`; ``problem`` one of :data:`PROBLEMS` or empty.  A designated Pustu that makes no
unit (its Puskesmas is not designated) is a row of its own with ``problem = pustu_not_in_unit``,
``unit_id`` empty, no score."""


@dataclass(frozen=True)
class Indicator:
    group: str  # a CoeGroup value
    key: str
    label: str
    label_id: str
    source: str
    source_id: str
    confirmed: bool

    @property
    def id(self) -> str:
        return f"{self.group}.{self.key}"

    def label_in(self, lang: str | None = None) -> str:
        return self.label_id if (lang or get_language()) == "id" and self.label_id \
            else self.label

    def source_in(self, lang: str | None = None) -> str:
        return self.source_id if (lang or get_language()) == "id" and self.source_id \
            else self.source


@dataclass(frozen=True)
class IndicatorList:
    indicators: tuple[Indicator, ...]
    text: str
    origin: str

    def count(self, group: str) -> int:
        return sum(1 for i in self.indicators if i.group == group)

    def counts(self) -> np.ndarray:
        """Indicators per group in the order of :data:`ilp_gis.model.COE_COLUMNS`."""
        return np.array([self.count(g.value) for g in model.CoeGroup], dtype=float)

    def ids(self) -> list[str]:
        return [i.id for i in self.indicators]


def default_indicators_text() -> str:
    return resources.files("ilp_gis").joinpath("data/coe_indicators.toml").read_text("utf-8")


def default_indicators() -> IndicatorList:
    return parse_indicators(default_indicators_text(), origin="coe_indicators.toml")


def load_indicators(path: str | Path) -> IndicatorList:
    path = Path(path)
    try:
        text = path.read_text("utf-8-sig")
    except OSError as exc:
        raise RulesError(tr("rules.cannot_read", file=str(path), why=exc.strerror or exc),
                         file=path) from exc
    return parse_indicators(text, origin=path.name)


def parse_indicators(text: str, *, origin: str = "coe_indicators") -> IndicatorList:
    """The indicator list of a TOML text: ``[group.key]`` sections with ``label``,
    ``label_id``, ``source``, ``source_id``, ``confirmed``.  Every problem is collected and
    reported at once (:class:`ilp_gis.errors.RulesError`, naming the file and the entry)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RulesError(tr("rules.bad_toml", file=origin, why=str(exc)), file=origin) from exc
    groups = {g.value for g in model.CoeGroup}
    out: list[Indicator] = []
    problems: list[str] = []
    for group, entries in data.items():
        if group == "meta":
            continue
        if group not in groups:
            problems.append(tr("coe.bad_group", name=group, groups=", ".join(sorted(groups))))
            continue
        if not isinstance(entries, dict):
            problems.append(tr("coe.bad_indicator", name=group))
            continue
        for key, entry in entries.items():
            label = entry.get("label_id") or entry.get("label") if isinstance(entry, dict) \
                else None
            if not isinstance(label, str) or not label.strip():
                problems.append(tr("coe.bad_indicator", name=f"{group}.{key}"))
                continue
            out.append(Indicator(group, key, str(entry.get("label", label)),
                                 str(entry.get("label_id", "")), str(entry.get("source", "")),
                                 str(entry.get("source_id", "")),
                                 bool(entry.get("confirmed", False))))
    if not out and not problems:
        problems.append(tr("coe.no_indicators"))
    if problems:
        raise RulesError(tr("coe.problems", file=origin, problems="; ".join(problems)),
                         file=origin)
    return IndicatorList(tuple(out), text, origin)


def coe_units(fac: pd.DataFrame, edges: pd.DataFrame, indicators: IndicatorList,
              threshold: float, assessment: pd.DataFrame | None = None) -> pd.DataFrame:
    """The COE units of the facilities ``fac`` (``fac_id``, ``name``, ``type``, ``desa_code``,
    ``kecamatan_code``, ``coe``, the ``coe_*`` shares) with the network ``edges``
    (``parent_id``, ``child_id``), scored against ``indicators`` and ``threshold``; columns
    :data:`UNIT_COLUMNS`, one row per designated Puskesmas (sorted by its id), then the
    designated Pustu that make no unit."""
    t = fac["type"].to_numpy(object)
    flag = fac["coe"].astype("boolean").fillna(False).to_numpy(bool) if "coe" in fac \
        else np.zeros(len(fac), bool)
    ids = fac["fac_id"].tolist()
    designated_pk = sorted(fac.loc[flag & (t == PUSKESMAS), "fac_id"].tolist())
    designated = set(designated_pk)
    pustu_flagged = fac.loc[flag & (t == PUSTU), "fac_id"].tolist()
    # the links read: those into a designated Pustu (its parent, the last link's) and, below,
    # those out of a candidate Pustu (its Posyandu): not a dict over every national link
    parent_of: dict = {}
    children: dict = {}
    e = None
    if edges is not None and len(edges):
        e = edges.dropna(subset=["parent_id", "child_id"])
        into = e.loc[_among(e["child_id"], pustu_flagged)]
        parent_of = dict(zip(into["child_id"].tolist(), into["parent_id"].tolist(),
                             strict=True))
    by_pk: dict = {}
    stray = []
    for pid in pustu_flagged:
        parent = parent_of.get(pid)
        if parent in designated:
            by_pk.setdefault(parent, []).append(pid)
        else:
            stray.append(pid)
    candidates = [p for pids in by_pk.values() for p in pids]
    if e is not None and candidates:
        out_of = e.loc[_among(e["parent_id"], candidates)]
        for p, c in zip(out_of["parent_id"].tolist(), out_of["child_id"].tolist(), strict=True):
            children.setdefault(p, []).append(c)
    # the type of each child read (the last row of an id, as a dict over every row gives)
    kids = {c for cs in children.values() for c in cs}
    of_kids = _among(fac["fac_id"], kids)
    types = dict(zip(fac.loc[of_kids, "fac_id"].tolist(), t[of_kids].tolist(), strict=True))

    def posyandu(pid):
        return sorted(c for c in children.get(pid, []) if types.get(c) == POSYANDU)

    # one Pustu per unit: the data's choice; of several, the one with most Posyandu
    chosen = {}
    for pk in designated_pk:
        cands = sorted(by_pk.get(pk, []), key=lambda p: (-len(posyandu(p)), str(p)))
        pustu = cands[0] if cands else None
        chosen[pk] = (cands, pustu, posyandu(pustu) if pustu is not None else [])
    # the facility fields the units name, looked up by id (first row of an id) for only the
    # facilities in a unit: a row lookup per facility in the national frame took seconds
    wanted = set(designated_pk) | set(stray) | {parent_of.get(p) for p in stray}
    for _cands, pustu, py in chosen.values():
        wanted.update(py)
        if pustu is not None:
            wanted.add(pustu)
    info = _FacilityInfo(fac, ids, wanted)
    counts = indicators.counts()
    total = int(counts.sum())
    assessed = _assessments(assessment, indicators)
    rows = []
    for pk in designated_pk:
        cands, pustu, py = chosen[pk]
        row = {"unit_id": f"COE-{pk}", "fac_id": pk, "name": info.get(pk, "name"),
               "type": PUSKESMAS, "desa_code": info.get(pk, "desa_code"),
               "kecamatan_code": info.get(pk, "kecamatan_code"),
               "pustu_id": pustu, "pustu_name": info.get(pustu, "name") if pustu else None,
               "pustu_desa_code": info.get(pustu, "desa_code") if pustu else None,
               "posyandu_count": len(py) if pustu is not None else np.nan,
               "posyandu_ids": ";".join(map(str, py)) if pustu is not None else None,
               "desa_codes": ";".join(sorted({str(d) for d in (
                   info.get(m, "desa_code") for m in [pk, *([pustu] if pustu else []), *py])
                   if isinstance(d, str) and d})),
               "indicators_total": total,
               "problem": "" if len(cands) == 1 else ("no_pustu" if not cands
                                                      else "several_pustu")}
        row.update(_score(pk, info.shares(pk), assessed, indicators, counts, threshold))
        rows.append(row)
    for pid in sorted(stray, key=str):
        parent = parent_of.get(pid)
        known = info.has(parent)
        rows.append({"unit_id": None, "fac_id": parent,
                     "name": info.get(parent, "name") if known else None,
                     "type": PUSKESMAS, "desa_code": info.get(parent, "desa_code")
                     if known else None,
                     "kecamatan_code": info.get(pid, "kecamatan_code"), "pustu_id": pid,
                     "pustu_name": info.get(pid, "name"),
                     "pustu_desa_code": info.get(pid, "desa_code"),
                     "posyandu_count": np.nan, "posyandu_ids": None, "desa_codes": None,
                     "score": np.nan,
                     "indicators_met": np.nan, "indicators_assessed": np.nan,
                     "indicators_total": total, "coe_groups_known": 0,
                     **{c: np.nan for c in model.COE_COLUMNS}, "meets": pd.NA,
                     "rule": "none", "problem": "pustu_not_in_unit"})
    out = pd.DataFrame(rows, columns=UNIT_COLUMNS)
    for col in ("score", "indicators_met", "indicators_assessed", "posyandu_count",
                *model.COE_COLUMNS):
        out[col] = pd.to_numeric(out[col], errors="coerce").astype(float)
    out["indicators_total"] = out["indicators_total"].astype(np.int64)
    out["coe_groups_known"] = out["coe_groups_known"].astype(np.int64)
    out["meets"] = out["meets"].astype("boolean")
    for col in ("unit_id", "fac_id", "name", "type", "desa_code", "kecamatan_code",
                "pustu_id", "pustu_name", "pustu_desa_code", "posyandu_ids", "desa_codes",
                "rule", "problem"):
        out[col] = out[col].astype(object).where(out[col].notna(), None)
    return out


class _FacilityInfo:
    """The fields of some facilities by id (the first row of each id in ``fac``): the names and
    codes a unit shows and the COE group shares (as numbers, NaN where not a number)."""

    _FIELDS = ("name", "desa_code", "kecamatan_code")

    def __init__(self, fac: pd.DataFrame, ids: list, wanted: set) -> None:
        first = ~pd.Series(ids, dtype=object).duplicated().to_numpy()
        pick = first & np.fromiter((i in wanted for i in ids), bool, len(ids))
        sub = fac.loc[pick]
        keys = sub["fac_id"].tolist()
        self._row = {k: i for i, k in enumerate(keys)}
        self._values = {c: sub[c].tolist() if c in sub else [None] * len(sub)
                        for c in self._FIELDS}
        self._shares = np.column_stack([_numbers(sub, c) for c in model.COE_COLUMNS]) \
            if len(sub) else np.zeros((0, len(model.COE_COLUMNS)))

    def has(self, fac_id) -> bool:
        return fac_id in self._row

    def get(self, fac_id, field: str):
        return self._values[field][self._row[fac_id]]

    def shares(self, fac_id) -> np.ndarray:
        return self._shares[self._row[fac_id]]


def _among(values: pd.Series, wanted) -> np.ndarray:
    """True where a value of ``values`` is one of ``wanted`` (ids; a missing value never is)."""
    wanted = [w for w in wanted if w is not None and not (isinstance(w, float) and w != w)]
    if not wanted:
        return np.zeros(len(values), dtype=bool)
    return (values.isin(wanted) & values.notna()).to_numpy(bool)


def _numbers(frame: pd.DataFrame, column: str) -> np.ndarray:
    """``column`` of ``frame`` as floats, each value as ``pd.to_numeric(errors="coerce")``
    makes it (NaN for a missing column)."""
    if column not in frame:
        return np.full(len(frame), np.nan)
    values = frame[column]
    if values.dtype.kind in "fi":
        return values.to_numpy(float, na_value=np.nan)
    return np.array([pd.to_numeric(pd.Series([v]), errors="coerce").iloc[0]
                     for v in values.tolist()], dtype=float)


def with_units(checks: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """``checks`` (``ilp_gis.coverage.facility_checks``) with each unit's score and verdict on
    its Puskesmas (``coe_score``, ``coe_meets``): the "COE below threshold" gap is the unit's."""
    out = checks.copy()
    u = units_only(units)
    u = u[u["fac_id"].notna()].drop_duplicates("fac_id") if u is not None and len(u) else None
    if u is None or not len(u):
        return out
    score = pd.Series(u["score"].to_numpy(float), index=u["fac_id"].to_numpy(object))
    meets = pd.Series(u["meets"].astype("boolean").array, index=u["fac_id"].to_numpy(object))
    ids = out["fac_id"]
    out["coe_score"] = ids.map(score).astype(float).to_numpy()
    out["coe_meets"] = pd.array(ids.map(meets).astype("boolean").array, dtype="boolean")
    return out


def units_only(coe: pd.DataFrame | None) -> pd.DataFrame | None:
    """The rows of a unit table that are units (designated Puskesmas), without the designated
    Pustu that make none; a table stored before units existed is returned as it is."""
    if coe is None or "unit_id" not in coe:
        return coe
    return coe[coe["unit_id"].notna()]


def _assessments(assessment: pd.DataFrame | None, indicators: IndicatorList) -> dict:
    """``{fac_id: {indicator id: met}}`` of the assessment rows naming a listed indicator
    (``group.key``, or the bare key when it is unique in the list)."""
    if assessment is None or not len(assessment):
        return {}
    ids = set(indicators.ids())
    bare: dict[str, list[str]] = {}
    for i in indicators.indicators:
        bare.setdefault(i.key, []).append(i.id)
    out: dict = {}
    met = assessment["met"].astype("boolean")
    for fid, ind, m in zip(assessment["fac_id"].tolist(), assessment["indicator"].tolist(),
                           met.tolist(), strict=True):
        ind = str(ind).strip()
        iid = ind if ind in ids else (bare[ind][0] if len(bare.get(ind, ())) == 1 else None)
        if iid is None or m is pd.NA or m is None:
            continue
        out.setdefault(fid, {})[iid] = bool(m)
    return out


def _score(pk, shares: np.ndarray, assessed: dict, indicators: IndicatorList,
           counts: np.ndarray, threshold: float) -> dict:
    """The score of the unit of Puskesmas ``pk``: from its assessed indicators, else from its
    group ``shares`` (the ``coe_*`` columns, NaN where unknown)."""
    total = int(counts.sum())
    given = assessed.get(pk)
    if given:
        shares = []
        for g in model.CoeGroup:
            vals = [v for iid, v in given.items() if iid.split(".", 1)[0] == g.value]
            shares.append(sum(vals) / len(vals) if vals else np.nan)
        n_met = sum(given.values())
        n_assessed = len(given)
        if n_met >= threshold * total - 1e-9:
            meets = True
        elif n_met + (total - n_assessed) < threshold * total - 1e-9:
            meets = False
        else:
            meets = pd.NA
        return {"score": n_met / n_assessed, "indicators_met": float(n_met),
                "indicators_assessed": float(n_assessed),
                "coe_groups_known": int(np.isfinite(shares).sum()),
                **dict(zip(model.COE_COLUMNS, shares, strict=True)),
                "meets": meets, "rule": "indicators"}
    known = np.isfinite(shares)
    out = {"indicators_met": np.nan, "indicators_assessed": np.nan,
           "coe_groups_known": int(known.sum()),
           **dict(zip(model.COE_COLUMNS, shares.tolist(), strict=True))}
    weights = np.where(known, counts, 0.0)
    if not known.any() or weights.sum() <= 0:
        return {**out, "score": np.nan, "meets": pd.NA, "rule": "none"}
    score = float(np.sum(np.where(known, shares, 0.0) * weights) / weights.sum())
    return {**out, "score": score, "meets": bool(score >= threshold - 1e-9),
            "rule": "group_shares"}


def rule_text(rule: object, row: pd.Series | dict | None = None) -> str:
    """How a unit's score was made, for a person: "bagian indikator terpenuhi (18 dari 20
    dinilai)" / "rata-rata bagian kelompok (dibobot jumlah indikator)" / "tidak ada data"."""
    if rule == "indicators":
        if row is not None:
            n, total = row.get("indicators_assessed"), row.get("indicators_total")
            if pd.notna(n) and pd.notna(total) and int(n) < int(total):
                return tr("coe.rule.indicators_partial", n=int(n), total=int(total))
        return tr("coe.rule.indicators")
    if rule == "group_shares":
        return tr("coe.rule.group_shares")
    return tr("coe.rule.none")


def problem_text(problem: object) -> str:
    """A unit's designation problem for a person ("" when there is none)."""
    return tr(f"coe.problem.{problem}") if problem in PROBLEMS else ""


def unit_members(coe: pd.DataFrame | None) -> dict:
    """``{fac_id: unit_id}`` for every facility of a COE unit (its Puskesmas, Pustu and
    Posyandu): for the map and the network tree."""
    out: dict = {}
    units = units_only(coe)
    if units is None or not len(units) or "unit_id" not in units:
        return out
    for uid, pk, pt, py in zip(units["unit_id"].tolist(), units["fac_id"].tolist(),
                               units["pustu_id"].tolist(), units["posyandu_ids"].tolist(),
                               strict=True):
        out[pk] = uid
        if isinstance(pt, str) and pt:
            out[pt] = uid
        if isinstance(py, str) and py:
            for p in py.split(";"):
                out[p] = uid
    return out


register_catalog("ilp_gis", "coe")
