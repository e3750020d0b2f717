"""The Monev (monitoring and evaluation) summary the Pokja reads each month or quarter: what
changed since the last period (gaps closed and opened, indicators up and down, actions late),
the PWS of each indicator for one month, spending against plan per funding source and budget
year (TA), and actions marked done whose gaps are still open.

:func:`monev_summary` reads the project's history, PWS values and action plan and returns a
:class:`Monev`; reports (PDF, XLSX) and the GUI draw from it.  What was never loaded stays
missing, with the import that would provide it in :attr:`Monev.missing` — never 0.  Domain
only: imports ``ilp_gis`` and pandas.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ilp_gis.budget.sync import GAP_ACTIVITIES
from ilp_gis.i18n import register_catalog, tr
from ilp_gis.monitoring import actions as A
from ilp_gis.monitoring import history, pws
from ilp_gis.monitoring.periods import MONTH, Period, parse_period

INDICATOR_COLUMNS = ("indicator", "label", "kind", "has_values", "month", "achievement",
                     "previous", "change", "expected", "expected_previous", "meets",
                     "crossed_up", "crossed_down", "desa_improved", "desa_worsened",
                     "desa_with_data", "baik", "kurang", "cukup", "jelek", "note")
"""One row per indicator of the catalogue; ``achievement``/``previous`` are the district's
(0..1) this month and a month earlier, ``meets`` whether it reaches the expected line now,
``crossed_up``/``crossed_down`` whether it crossed it since the month before."""

SPENDING_COLUMNS = ("funding_source", "ta", "actions", "budget", "spent", "spent_share",
                    "over_plan", "late")
DONE_OPEN_COLUMNS = ("action_id", "kegiatan", "desa_code", "desa_name", "activity", "end",
                     "open_gaps", "state_from")


@dataclass
class Monev:
    """What :func:`monev_summary` found (see the module docstring)."""

    as_of: dt.date
    month: Period | None
    periods: list[Period]
    comparison: history.Comparison | None
    indicators: pd.DataFrame
    rankings: dict[str, pd.DataFrame]
    progress: A.Progress
    late: pd.DataFrame
    spending: pd.DataFrame
    done_open: pd.DataFrame
    gap_changes: pd.DataFrame
    missing: list[str] = field(default_factory=list)

    @property
    def has_actions(self) -> bool:
        return bool(len(self.progress.actions))


def monev_summary(project, *, as_of=None, month=None, before=None, after=None, result=None,
                  indicators: pws.Indicators | None = None) -> Monev:
    """The Monev of ``project`` as of the date ``as_of`` (default today).

    ``month``: the PWS month (default the latest month with values); ``before``/``after``: the
    periods compared (default the last two kept); ``result``: the current analysis, which says
    whether the gaps of actions marked done are still open (else the latest kept period)."""
    inds = indicators or pws.default_indicators()
    missing: list[str] = []
    kept = history.periods(project)
    comparison = None
    if before is not None or after is not None:
        b = parse_period(before) if before is not None else None
        a = parse_period(after) if after is not None else (kept[-1] if kept else None)
        if b is None:
            earlier = [p for p in kept if a is not None and p.sort_key() < a.sort_key()]
            b = earlier[-1] if earlier else None
        if a is not None and b is not None:
            comparison = history.compare(project, b, a)
    elif len(kept) >= 2:
        comparison = history.compare(project, kept[-2], kept[-1])
    if comparison is None:
        missing.append(tr("monev.missing.periods", n=len(kept)))
    gap_changes = _gap_changes(comparison)

    month_p, table, rankings = _indicators(project, inds, month)
    if month_p is None:
        missing.append(tr("monev.missing.pws"))
    never = table.loc[~table["has_values"].astype(bool), "label"].tolist()
    if month_p is not None and never:
        missing.append(tr("monev.missing.indicators", n=len(never), names=", ".join(never)))

    prog = A.progress(project, as_of)
    t = prog.actions
    if not len(t):
        missing.append(tr("monev.missing.actions"))
    late = t[t["late"]].sort_values(["days_late", "action_id"], ascending=[False, True],
                                    kind="stable").reset_index(drop=True) if len(t) else t
    spending = _spending(project, t)
    done_open, state_note = _done_open(project, t, result)
    if state_note:
        missing.append(state_note)
    return Monev(prog.as_of, month_p, kept, comparison, table, rankings, prog, late, spending,
                 done_open, gap_changes, missing)


# --- the headline ------------------------------------------------------------------------------
HEADLINE = ("n_pustu", "n_posyandu", "gap_count", "pustu_opened", "gaps_closed", "gaps_opened",
            "strata_up", "indicators_up", "indicators_down", "crossed", "late")
"""The figures of "what changed since the last period", in the order printed."""

_STRATA = ("pratama", "madya", "purnama", "mandiri")


def headline(m: Monev) -> list[dict]:
    """One row per :data:`HEADLINE` figure: ``figure``, ``before``, ``after`` (the two kept
    periods; None where a figure is a count of changes) and ``change``; ``change`` is None
    when what would give it was never loaded (no two periods, no PWS values, no actions)."""
    rows = []
    c = m.comparison
    k = c.kabupaten if c is not None else {}
    for fig in ("n_pustu", "n_posyandu", "gap_count"):
        b, a = k.get(f"{fig}_before"), k.get(f"{fig}_after")
        rows.append({"figure": fig, "before": b, "after": a,
                     "change": None if a is None or b is None else a - b})
    for fig, key in (("pustu_opened", "pustu_opened"), ("gaps_closed", "gap_kinds_closed"),
                     ("gaps_opened", "gap_kinds_opened")):
        rows.append({"figure": fig, "before": None, "after": None, "change": k.get(key)})
    up = None
    if c is not None:
        order = {lv: i for i, lv in enumerate(_STRATA)}
        st = c.strata
        up = float(sum(int(st.loc[a, b]) for a in st.index for b in st.columns
                       if a in order and b in order and order[b] > order[a]))
    rows.append({"figure": "strata_up", "before": None, "after": None, "change": up})
    t = m.indicators[m.indicators["has_values"].astype(bool)]
    better = np.where(t["kind"] == "prevalence", -1.0, 1.0) * pd.to_numeric(
        t["change"], errors="coerce").to_numpy(float)
    known = len(t) > 0
    rows.append({"figure": "indicators_up", "before": None, "after": None,
                 "change": float((better > 0).sum()) if known else None})
    rows.append({"figure": "indicators_down", "before": None, "after": None,
                 "change": float((better < 0).sum()) if known else None})
    rows.append({"figure": "crossed", "before": None, "after": None,
                 "change": float(t["crossed_up"].astype(bool).sum()) if known else None})
    rows.append({"figure": "late", "before": None, "after": None,
                 "change": float(len(m.late)) if m.has_actions else None})
    return rows


# --- what changed between the periods -------------------------------------------------------
def _gap_changes(comparison) -> pd.DataFrame:
    """One row per desa where a gap kind closed or opened between the two periods."""
    cols = ["desa_code", "desa_name", "kecamatan_code", "gaps_closed", "gaps_opened",
            "gap_count_before", "gap_count_after"]
    if comparison is None:
        return pd.DataFrame(columns=cols)
    d = comparison.desa
    hit = (d["gaps_closed"] != "") | (d["gaps_opened"] != "")
    return d.loc[hit, cols].sort_values(["kecamatan_code", "desa_name"], kind="stable"
                                        ).reset_index(drop=True)


# --- indicators ------------------------------------------------------------------------------
def _previous_month(p: Period) -> Period:
    return Period(MONTH, p.year - 1, 12) if p.index == 1 else Period(MONTH, p.year, p.index - 1)


def _indicators(project, inds: pws.Indicators, month):
    v = pws.values(project)
    if len(v):
        periods = v["period"].astype(str)
        latest = periods.max()
    else:
        periods, latest = None, None
    if month is not None:
        m = parse_period(month)
        if m.kind != MONTH:
            from ilp_gis.errors import InputError

            raise InputError(tr("pws.need_month", value=str(month)))
    else:
        m = parse_period(latest) if latest else None
    rows, rankings = [], {}
    by_ind = dict(tuple(v.groupby("indicator", sort=False))) if len(v) else {}
    for key, ind in inds.items.items():
        base = dict.fromkeys(INDICATOR_COLUMNS)
        base.update(indicator=key, label=ind.label(), kind=ind.kind,
                    has_values=key in by_ind, month=m.code if m else None)
        if key not in by_ind or m is None:
            base["note"] = tr("monev.indicator.never")
            rows.append(base)
            continue
        sub = by_ind[key]
        prev_m = _previous_month(m)
        wanted = sub["period"].astype(str).str[:4].isin({str(m.year), str(prev_m.year)})
        sub = sub[wanted]
        r = pws.ranking(project, key, m, inds, rows=sub)
        rp = pws.ranking(project, key, prev_m, inds, rows=sub)
        ach, prev = pws.district_achievement(r, ind), pws.district_achievement(rp, ind)
        exp, exp_prev = float(r.attrs["expected"]), float(rp.attrs["expected"])
        meets = _meets(ach, exp, ind)
        meets_prev = _meets(prev, exp_prev, ind)
        cur_d, prev_d = _desa_now_and_before(r, ind)
        better = (cur_d < prev_d) if ind.lower_is_better else (cur_d > prev_d)
        worse = (cur_d > prev_d) if ind.lower_is_better else (cur_d < prev_d)
        counts = r["pws_class"].value_counts()
        with_data = int(r["achievement"].notna().sum())
        base.update(achievement=ach, previous=prev,
                    change=ach - prev if np.isfinite(ach) and np.isfinite(prev) else np.nan,
                    expected=exp, expected_previous=exp_prev, meets=meets,
                    crossed_up=bool(meets is True and meets_prev is False),
                    crossed_down=bool(meets is False and meets_prev is True),
                    desa_improved=int(better.sum()), desa_worsened=int(worse.sum()),
                    desa_with_data=with_data,
                    **{c: int(counts.get(c, 0)) for c in pws.CLASSES})
        if not with_data:
            base["note"] = tr("monev.indicator.no_month", month=m.label())
        rows.append(base)
        rankings[key] = r
    return m, pd.DataFrame(rows, columns=list(INDICATOR_COLUMNS)), rankings


def _meets(value: float, expected: float, ind: pws.Indicator) -> bool | None:
    if value is None or not np.isfinite(value):
        return None
    if ind.lower_is_better:
        return bool(value <= expected + 1e-12)
    return bool(value >= expected - 1e-12)


def _desa_now_and_before(r: pd.DataFrame, ind: pws.Indicator) -> tuple[np.ndarray, np.ndarray]:
    """Each desa's figure this month and the month before, the way the PWS trend reads it
    (cumulative indicators: this month's count over the sasaran against last month's)."""
    prev = r["previous"].to_numpy(float)
    if ind.kind == "cumulative":
        s = r["sasaran"].to_numpy(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            cur = np.where(s > 0, r["value"].to_numpy(float) / np.where(s > 0, s, 1), np.nan)
    else:
        cur = r["achievement"].to_numpy(float)
    return cur, prev  # comparisons with NaN are False: a desa without both months counts neither


# --- spending -------------------------------------------------------------------------------
def _ta(project, t: pd.DataFrame) -> pd.Series:
    """The budget year of each action: its budget line's year, else the year it starts (or
    ends); missing when none is known."""
    year = pd.Series(np.nan, index=t.index, dtype=float)
    budget = project.budget
    if len(budget):
        line_year = dict(zip(budget["budget_id"].astype(str),
                             pd.to_numeric(budget["year"], errors="coerce"), strict=False))
        year = t["budget_id"].map(lambda b: line_year.get(str(b)) if isinstance(b, str)
                                  else np.nan).astype(float)
    for col in ("start", "end"):
        y = pd.to_numeric(t[col].astype(str).str[:4], errors="coerce")
        year = year.where(year.notna(), y)
    return year


def _spending(project, t: pd.DataFrame) -> pd.DataFrame:
    if not len(t):
        return pd.DataFrame(columns=list(SPENDING_COLUMNS))
    w = t.assign(ta=_ta(project, t))
    w = w[w["status"] != A.ActionStatus.CANCELLED.value]
    if not len(w):
        return pd.DataFrame(columns=list(SPENDING_COLUMNS))
    g = w.groupby([w["funding_source"].fillna("–"), w["ta"].fillna(-1)], sort=True)
    out = pd.DataFrame({"actions": g.size(),
                        "budget": g["budget_amount"].sum(min_count=1),
                        "spent": g["spent"].sum(min_count=1),
                        "late": g["late"].sum()}).reset_index()
    out["ta"] = out["ta"].where(out["ta"] >= 0, np.nan)
    b = pd.to_numeric(out["budget"], errors="coerce")
    out["spent_share"] = np.where(b > 0, out["spent"] / b.where(b > 0, 1), np.nan)
    out["over_plan"] = (b.notna() & (out["spent"] > b)).astype(bool)
    return out[list(SPENDING_COLUMNS)]


# --- done, yet the gap is open ----------------------------------------------------------------
def _open_gaps(project, result) -> tuple[dict[str, set[str]] | None, str | None]:
    """{desa code: open gap kinds} now, and where that came from (the analysis, or the
    latest kept period); ``(None, None)`` when neither exists."""
    if result is not None and getattr(result, "gaps", None) is not None:
        g = result.gaps
        out: dict[str, set[str]] = {}
        for d, k in zip(g["desa_code"], g["kind"], strict=True):
            if isinstance(d, str):
                out.setdefault(d, set()).add(str(k))
        return out, "analysis"
    kept = history.periods(project)
    if kept:
        t = project.tables[history.DESA_TABLE]
        last = t[t["period"] == kept[-1].code]
        out = {str(d): set(filter(None, str(k).split(";"))) if isinstance(k, str) else set()
               for d, k in zip(last["desa_code"], last["gap_kinds"], strict=True)}
        return out, kept[-1].code
    return None, None


def _done_open(project, t: pd.DataFrame, result) -> tuple[pd.DataFrame, str | None]:
    empty = pd.DataFrame(columns=list(DONE_OPEN_COLUMNS))
    done = t[t["status"] == A.ActionStatus.DONE.value] if len(t) else t
    if not len(done):
        return empty, None
    state, origin = _open_gaps(project, result)
    if state is None:
        return empty, tr("monev.missing.gap_state")
    fac_desa = {}
    fac = project.facilities
    if len(fac) and "desa_code" in fac:
        fac_desa = dict(zip(fac["fac_id"].astype(str), fac["desa_code"], strict=False))
    names = dict(zip(project.desa["code"], project.desa["name"], strict=False))
    rows = []
    for r in done.to_dict("records"):
        desa = r.get("desa_code") if isinstance(r.get("desa_code"), str) else \
            fac_desa.get(str(r.get("fac_id")))
        act = r.get("activity")
        if not isinstance(desa, str) or not isinstance(act, str):
            continue
        kinds = {k for k, acts in GAP_ACTIVITIES.items() if act in {a.value for a in acts}}
        still = sorted(kinds & state.get(desa, set()))
        if still:
            rows.append({"action_id": r["action_id"], "kegiatan": r["kegiatan"],
                         "desa_code": desa, "desa_name": names.get(desa), "activity": act,
                         "end": r.get("end"), "open_gaps": ";".join(still),
                         "state_from": origin})
    return (pd.DataFrame(rows, columns=list(DONE_OPEN_COLUMNS)) if rows else empty), None


register_catalog("ilp_gis", "monitoring.monev")
