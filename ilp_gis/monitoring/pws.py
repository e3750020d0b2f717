"""PWS (Pemantauan Wilayah Setempat): monthly indicator values per desa against their target
population (sasaran), as planners read them.

- indicator definitions (what is counted, against which sasaran, the annual target, the source)
  come from ``ilp_gis/data/pws_indicators.toml`` or a copy the planner edits;
- values live in the project table ``pws_values`` (one row per month, desa and indicator:
  ``period`` "2026-09", ``desa_code``, ``indicator``, ``value``, ``denominator``, ``source_file``);
- :func:`ranking` is the PWS graph of one indicator in one month: desa ranked by achievement,
  with the expected achievement (the cumulative line) and the four PWS classes;
- :func:`desa_view` is one desa: every indicator over the months of a year;
- :func:`kabupaten_line` is the district's cumulative achievement month by month.

The sasaran of a desa is its population group (``pop_<group>`` from a per-desa table), else an
estimate (population x share, marked ``estimasi``), else the denominator given in the imported
table; a desa without any stays missing — its achievement is "tidak ada data", never 0.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from ilp_gis.errors import InputError
from ilp_gis.i18n import get_language, register_catalog, tr
from ilp_gis.monitoring.periods import MONTH, Period, parse_period

VALUES_TABLE = "pws_values"
VALUE_COLUMNS = ("period", "desa_code", "indicator", "value", "denominator", "source_file")
KINDS = ("cumulative", "monthly", "prevalence")

# The four PWS classes (PWS KIA): against the expected achievement, and the trend against the
# month before.  Without an earlier month the trend counts as not falling.
BAIK, KURANG, CUKUP, JELEK = "baik", "kurang", "cukup", "jelek"
CLASSES = (BAIK, KURANG, CUKUP, JELEK)

SOURCE_GROUP, SOURCE_ESTIMATE, SOURCE_TABLE = "desa", "estimasi", "tabel"


@dataclass(frozen=True)
class Indicator:
    key: str
    label_id: str
    label_en: str
    kind: str
    sasaran: str | None  # a population group, "table", or None (prevalence)
    sasaran_factor: float
    target: float
    source: str
    confirmed: bool

    def label(self, lang: str | None = None) -> str:
        return self.label_en if (lang or get_language()) == "en" else self.label_id

    @property
    def lower_is_better(self) -> bool:
        return self.kind == "prevalence"


@dataclass(frozen=True)
class Indicators:
    items: dict[str, Indicator]
    shares: dict[str, float]
    shares_source: str
    origin: str

    def get(self, key: str) -> Indicator:
        k = str(key).strip().lower()
        if k in self.items:
            return self.items[k]
        for ind in self.items.values():  # the label a planner sees ("K4 ibu hamil")
            if k in (ind.label_id.lower(), ind.label_en.lower()):
                return ind
        raise InputError(tr("pws.unknown_indicator", value=str(key),
                            known=", ".join(self.items)))


def default_indicators() -> Indicators:
    text = resources.files("ilp_gis").joinpath("data/pws_indicators.toml").read_text("utf-8")
    return parse_indicators(text, origin="pws_indicators.toml")


def load_indicators(path: str | Path | None = None) -> Indicators:
    if path is None:
        return default_indicators()
    path = Path(path)
    try:
        text = path.read_text("utf-8-sig")
    except OSError as exc:
        raise InputError(tr("pws.cannot_read", why=exc.strerror or str(exc)),
                         file=path.name) from exc
    return parse_indicators(text, origin=path.name)


def parse_indicators(text: str, *, origin: str) -> Indicators:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(tr("pws.bad_file", why=str(exc)), file=origin) from exc
    items: dict[str, Indicator] = {}
    for key, d in (data.get("indicator") or {}).items():
        kind = d.get("kind")
        if kind not in KINDS:
            raise InputError(tr("pws.bad_kind", key=key, value=str(kind),
                                known=", ".join(KINDS)), file=origin)
        try:
            target = float(d["target"])
            factor = float(d.get("sasaran_factor", 1.0))
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(tr("pws.bad_target", key=key), file=origin) from exc
        if target > 1.0:  # written as a percent
            target = target / 100.0
        items[key.lower()] = Indicator(
            key.lower(), str(d.get("label_id", key)), str(d.get("label_en", key)), kind,
            d.get("sasaran"), factor, target, str(d.get("source", "")),
            bool(d.get("confirmed", False)))
    share = dict(data.get("share") or {})
    source = str(share.pop("source", ""))
    share.pop("confirmed", None)
    return Indicators(items, {k: float(v) for k, v in share.items()}, source, origin)


# --- values --------------------------------------------------------------------------------
def values(project) -> pd.DataFrame:
    t = project.tables.get(VALUES_TABLE)
    if t is None:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in VALUE_COLUMNS})
    return t


def add_values(project, rows: pd.DataFrame) -> int:
    """Put ``rows`` (columns :data:`VALUE_COLUMNS`) into the project; a value already kept for
    the same month, desa and indicator is replaced.  Returns how many were replaced."""
    old = values(project)
    key = ["period", "desa_code", "indicator"]
    if len(old):
        new_keys = pd.MultiIndex.from_frame(rows[key].astype(str))
        old_keys = pd.MultiIndex.from_frame(old[key].astype(str))
        stay = ~old_keys.isin(new_keys)
        replaced = int((~stay).sum())
        rows = pd.concat([old[stay], rows], ignore_index=True)
    else:
        replaced = 0
    project.set_table(VALUES_TABLE, _sorted(rows[list(VALUE_COLUMNS)], key))
    return replaced


def _sorted(rows: pd.DataFrame, key: list[str]) -> pd.DataFrame:
    """``rows`` sorted by ``key`` (stable), the text columns moved as codes into their few
    distinct values: millions of rows sort in a fraction of the time texts take."""
    coded = {c: pd.factorize(rows[c].astype(str), sort=True) for c in rows.columns
             if c in key or not pd.api.types.is_numeric_dtype(rows[c])}
    # a missing key sorts last, as in DataFrame.sort_values
    order = np.lexsort(tuple(np.where(coded[c][0] < 0, len(coded[c][1]), coded[c][0])
                             for c in reversed(key)))
    out = {}
    for c in rows.columns:
        if c in coded:
            codes, uniques = coded[c]
            texts = pd.array(np.asarray(uniques, dtype=object), dtype="str")
            na = codes[order] < 0
            taken = texts.take(np.where(na, 0, codes[order])) if len(texts) else \
                pd.array([None] * len(order), dtype="str")
            if na.any():
                taken[na] = None
            out[c] = taken
        else:
            out[c] = rows[c].to_numpy()[order]
    return pd.DataFrame(out, columns=rows.columns)


# --- sasaran -------------------------------------------------------------------------------
def sasaran(desa: pd.DataFrame, ind: Indicator, inds: Indicators,
            table_denominator: pd.Series | None = None) -> tuple[pd.Series, pd.Series]:
    """The sasaran of every desa (index = desa code) and where it came from."""
    codes = desa["code"].astype(str).to_numpy()
    value = pd.Series(np.nan, index=codes, dtype=float)
    source = pd.Series(None, index=codes, dtype=object)
    group = ind.sasaran
    if group and group != "table":
        col = f"pop_{group}"
        if col in desa:
            v = pd.to_numeric(desa[col], errors="coerce").to_numpy(float) * ind.sasaran_factor
            ok = np.isfinite(v)
            value[ok] = v[ok]
            source[ok] = SOURCE_GROUP
        share = inds.shares.get(group)
        if share is not None and "population" in desa:
            pop = pd.to_numeric(desa["population"], errors="coerce").to_numpy(float)
            est = pop * share * ind.sasaran_factor
            todo = value.isna().to_numpy() & np.isfinite(est)
            value[todo] = est[todo]
            source[todo] = SOURCE_ESTIMATE
    if table_denominator is not None and len(table_denominator):
        d = table_denominator.reindex(codes)
        todo = value.isna().to_numpy() & d.notna().to_numpy()
        value[todo] = d[todo].to_numpy(float)
        source[todo] = SOURCE_TABLE
    return value, source


def _classify(meets: np.ndarray, falling: np.ndarray, known: np.ndarray) -> np.ndarray:
    out = np.full(len(meets), None, dtype=object)
    out[known & meets & ~falling] = BAIK
    out[known & meets & falling] = KURANG
    out[known & ~meets & ~falling] = CUKUP
    out[known & ~meets & falling] = JELEK
    return out


def _month(month) -> Period:
    p = parse_period(month)
    if p.kind != MONTH:
        raise InputError(tr("pws.need_month", value=str(month)))
    return p


def ranking(project, indicator, month, indicators: Indicators | None = None, *,
            rows: pd.DataFrame | None = None) -> pd.DataFrame:
    """The PWS of ``indicator`` in ``month``: one row per desa, best achievement first (desa
    without data last), with ``sasaran``, ``sasaran_source``, ``value`` (this month),
    ``cumulative`` (cumulative indicators), ``achievement`` (0..1), ``expected`` (0..1),
    ``previous`` (achievement a month earlier), ``pws_class`` and ``rank``.  ``rows``: the
    values to read instead of the project's (a caller that reads many rankings passes each
    indicator's rows once; rows of other indicators or years are left out here as well)."""
    inds = indicators or default_indicators()
    ind = inds.get(indicator)
    m = _month(month)
    desa = project.desa
    v = values(project) if rows is None else rows
    v = v[(v["indicator"] == ind.key) & v["period"].astype(str).str.startswith(f"{m.year}-")]
    months = [f"{m.year}-{i:02d}" for i in range(1, m.index + 1)]
    codes = desa["code"].astype(str).to_numpy()
    wide, den = _month_grid(v, codes, months)
    this = wide[months[-1]].to_numpy(float)
    prev = wide[months[-2]].to_numpy(float) if len(months) > 1 else np.full(len(codes), np.nan)
    out = pd.DataFrame({"desa_code": codes, "desa_name": desa["name"].to_numpy(object),
                        "kecamatan_code": desa["kecamatan_code"].to_numpy(object),
                        "value": this})
    if ind.kind == "cumulative":
        annual_den = den.max(axis=1)
        s, src = sasaran(desa, ind, inds, annual_den)
        cum = wide.sum(axis=1, min_count=1).to_numpy(float)
        cum_prev = wide[months[:-1]].sum(axis=1, min_count=1).to_numpy(float) \
            if len(months) > 1 else np.full(len(codes), np.nan)
        sv = s.to_numpy(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            ach = np.where(sv > 0, cum / sv, np.nan)
            ach_prev_month = np.where(sv > 0, prev / sv, np.nan)
        expected = ind.target * m.index / 12.0
        out["sasaran"], out["sasaran_source"] = sv, src.to_numpy(object)
        out["cumulative"] = cum
        # the trend of PWS KIA: this month's achievement against last month's
        this_ach = np.where(sv > 0, this / np.where(sv > 0, sv, 1), np.nan)
        falling = np.isfinite(ach_prev_month) & np.isfinite(this_ach) & (this_ach < ach_prev_month)
        known = np.isfinite(ach) & np.isfinite(this)
        meets = np.nan_to_num(ach, nan=-1) >= expected - 1e-12
        del cum_prev
    else:
        if ind.kind == "monthly":
            d_this = den[months[-1]].to_numpy(float)
            d_prev = den[months[-2]].to_numpy(float) if len(months) > 1 else \
                np.full(len(codes), np.nan)
            s, src = sasaran(desa, ind, inds)
            sv = s.to_numpy(float)
            base = np.where(np.isfinite(d_this), d_this, sv)
            base_prev = np.where(np.isfinite(d_prev), d_prev, sv)
            with np.errstate(divide="ignore", invalid="ignore"):
                ach = np.where(base > 0, this / base, np.nan)
                ach_prev = np.where(base_prev > 0, prev / base_prev, np.nan)
            out["sasaran"] = base
            out["sasaran_source"] = np.where(np.isfinite(d_this), SOURCE_TABLE,
                                             src.to_numpy(object))
        else:  # prevalence: as given, 0..1 (percent read as such)
            ach = np.where(this > 1.0, this / 100.0, this)
            ach_prev = np.where(prev > 1.0, prev / 100.0, prev)
            out["sasaran"] = np.nan
            out["sasaran_source"] = None
        out["cumulative"] = np.nan
        expected = ind.target
        if ind.lower_is_better:
            meets = np.nan_to_num(ach, nan=np.inf) <= expected + 1e-12
            falling = np.isfinite(ach_prev) & np.isfinite(ach) & (ach > ach_prev)  # worse
        else:
            meets = np.nan_to_num(ach, nan=-1) >= expected - 1e-12
            falling = np.isfinite(ach_prev) & np.isfinite(ach) & (ach < ach_prev)
        known = np.isfinite(ach)
        ach_prev_month = ach_prev
    out["achievement"] = ach
    out["expected"] = expected
    out["previous"] = ach_prev_month
    out["pws_class"] = _classify(meets, falling, known)
    key = np.where(np.isfinite(ach), -ach if not ind.lower_is_better else ach, np.inf)
    order = np.lexsort((codes, key))
    out = out.iloc[order].reset_index(drop=True)
    out["rank"] = np.where(np.isfinite(out["achievement"]), np.arange(1, len(out) + 1), None)
    out.attrs.update(indicator=ind.key, month=m.code, expected=expected, kind=ind.kind)
    return out


def _month_grid(v: pd.DataFrame, codes: np.ndarray, months: list[str]
                ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(values summed, denominators' maximum) per desa (rows, ``codes``) and month (columns,
    ``months``); a desa-month without a value stays missing.  Filled with numpy from the rows'
    positions (a province's year of one indicator is tens of thousands of rows)."""
    shape = (len(codes), len(months))
    total = np.zeros(shape)
    count = np.zeros(shape, dtype=np.int64)
    top = np.full(shape, np.nan)
    if len(v):
        r = pd.Index(codes).get_indexer(v["desa_code"].astype(str))
        c = pd.Index(months).get_indexer(v["period"].astype(str))
        val = pd.to_numeric(v["value"], errors="coerce").to_numpy(float)
        d = pd.to_numeric(v["denominator"], errors="coerce").to_numpy(float)
        ok = (r >= 0) & (c >= 0)
        has = ok & np.isfinite(val)
        np.add.at(total, (r[has], c[has]), val[has])
        np.add.at(count, (r[has], c[has]), 1)
        dk = ok & np.isfinite(d)
        np.fmax.at(top, (r[dk], c[dk]), d[dk])
    wide = pd.DataFrame(np.where(count > 0, total, np.nan), index=codes, columns=months)
    return wide, pd.DataFrame(top, index=codes, columns=months)


def desa_view(project, desa_code: str, year: int,
              indicators: Indicators | None = None) -> pd.DataFrame:
    """One desa: a row per indicator with a value, a column per month of ``year``."""
    inds = indicators or default_indicators()
    v = values(project)
    v = v[(v["desa_code"].astype(str) == str(desa_code))
          & v["period"].astype(str).str.startswith(f"{int(year)}-")]
    months = [f"{int(year)}-{i:02d}" for i in range(1, 13)]
    t = v.pivot_table(index="indicator", columns="period", values="value", aggfunc="sum")
    t = t.reindex(columns=months)
    t.insert(0, "label", [inds.items[k].label() if k in inds.items else k for k in t.index])
    t.columns.name = None
    return t.reset_index()


def kabupaten_line(project, indicator, year: int,
                   indicators: Indicators | None = None) -> pd.DataFrame:
    """The district's cumulative achievement and the expected line for each month of ``year``
    with values (cumulative indicators: summed counts over summed sasaran of the desa that
    have a sasaran)."""
    inds = indicators or default_indicators()
    ind = inds.get(indicator)
    rows = []
    v = values(project)
    have = sorted({p for p in v.loc[v["indicator"] == ind.key, "period"].astype(str)
                   if p.startswith(f"{int(year)}-")})
    for code in have:
        r = ranking(project, ind.key, code, inds)
        ach = district_achievement(r, ind)
        rows.append({"period": code, "achievement": ach,
                     "expected": float(r.attrs["expected"]),
                     "desa_with_data": int(r["achievement"].notna().sum())})
    return pd.DataFrame(rows, columns=["period", "achievement", "expected", "desa_with_data"])


def district_achievement(r: pd.DataFrame, ind: Indicator) -> float:
    """The district's achievement in a :func:`ranking` (cumulative indicators: summed counts
    over the summed sasaran of the desa that have both; else the mean over the desa with
    data); NaN when no desa has data."""
    if ind.kind == "cumulative":
        ok = np.isfinite(r["sasaran"].to_numpy(float))
        num = r.loc[ok, "cumulative"].sum(min_count=1)
        den = r.loc[ok & np.isfinite(r["cumulative"].to_numpy(float)), "sasaran"].sum(
            min_count=1)
        return float(num / den) if den and np.isfinite(den) and den > 0 else np.nan
    return float(np.nanmean(r["achievement"])) if r["achievement"].notna().any() else np.nan


def desa_achievements(project, desa_code: str, year: int,
                      indicators: Indicators | None = None) -> pd.DataFrame:
    """One desa, every indicator with values, every month of ``year`` up to its last month
    with values: one row per (indicator, month) with ``value``, ``achievement``, ``expected``
    and ``pws_class`` exactly as :func:`ranking` reads them for that desa (a month without a
    value stays missing)."""
    from types import SimpleNamespace

    inds = indicators or default_indicators()
    code = str(desa_code)
    v = values(project)
    v = v[(v["desa_code"].astype(str) == code) & v["period"].astype(str).str.startswith(
        f"{int(year)}-")]
    one = SimpleNamespace(desa=project.desa[project.desa["code"].astype(str) == code])
    cols = ["indicator", "label", "period", "value", "achievement", "expected", "pws_class"]
    rows = []
    for key in [k for k in inds.items if k in set(v["indicator"])]:
        ind = inds.items[key]
        mine = v[v["indicator"] == key]
        last = max(int(p[5:7]) for p in mine["period"].astype(str))
        for month in range(1, last + 1):
            r = ranking(one, key, f"{int(year)}-{month:02d}", inds, rows=mine)
            rec = r.iloc[0] if len(r) else None
            rows.append({"indicator": key, "label": ind.label(),
                         "period": f"{int(year)}-{month:02d}",
                         "value": rec["value"] if rec is not None else np.nan,
                         "achievement": rec["achievement"] if rec is not None else np.nan,
                         "expected": float(r.attrs["expected"]),
                         "pws_class": rec["pws_class"] if rec is not None else None})
    return pd.DataFrame(rows, columns=cols)


def class_label(pws_class: str | None, lang: str | None = None) -> str:
    """The PWS class in words ("Baik (mencapai target, naik)"); "tidak ada data" for none."""
    if pws_class in CLASSES:
        return tr(f"pws.class.{pws_class}", lang=lang)
    return tr("common.missing", lang=lang)


register_catalog("ilp_gis", "monitoring.pws")
