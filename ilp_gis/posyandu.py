"""Posyandu checks: each declared stratum against the strata criteria of the rules
(``strata.*``: sessions a year, kader on duty, coverage of the main programmes, dana sehat),
and the per-desa list of the Posyandu a desa lacks against ``target.posyandu_per_dusun``.

A criterion whose figure the Posyandu data never gave is not a failed criterion: the stratum it
decides stays unchecked (status ``unverifiable``), never read as zero.

May import numpy, pandas and the domain modules ``model``, ``i18n``, ``rules``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ilp_gis import model
from ilp_gis.i18n import register_catalog, tr
from ilp_gis.rules import Rules

LEVELS = tuple(lv.value for lv in model.PosyanduLevel)  # pratama < madya < purnama < mandiri
RANK = {lv: i for i, lv in enumerate(LEVELS)}

# The criterion each step up needs: (facility column, rule, the level it opens).
CRITERIA = (
    ("sessions_per_year", "strata.min_sessions_per_year", "madya"),
    ("kader", "strata.min_kader", "madya"),
    ("program_coverage", "strata.min_coverage", "purnama"),
    ("dana_sehat", "strata.min_dana_sehat", "mandiri"),
)

STATUSES = ("agrees", "above_criteria", "below_criteria", "unverifiable", "no_stratum")
"""``agrees``: the declared stratum is the one the criteria give (or its own criteria are met
and a missing figure leaves only a higher one open); ``above_criteria``: declared
higher than the criteria allow; ``below_criteria``: declared lower than the criteria reach;
``unverifiable``: a figure needed to decide is missing; ``no_stratum``: none declared."""

STRATA_COLUMNS = ["fac_id", "name", "desa_code", "kecamatan_code", "declared", "criteria_level",
                  "criteria_at_least", "status", "failed", "missing"]


def _figures(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame.columns:
        return np.full(len(frame), np.nan)
    return np.asarray(pd.to_numeric(frame[column], errors="coerce"), dtype="float64")


def criteria_levels(posyandu: pd.DataFrame, rules: Rules) -> tuple[list, list, list, list]:
    """Per Posyandu: the stratum its figures give (None when a missing figure leaves it open),
    the lowest stratum it surely reaches, the criteria it fails and the figures it lacks
    (column names), each a list in row order."""
    n = len(posyandu)
    values = {col: _figures(posyandu, col) for col, _, _ in CRITERIA}
    # vectorised per step (a national list has ~300k Posyandu): the rows still open at a step
    # stop there on a failed criterion (decided) or a missing figure (left open)
    open_ = np.ones(n, dtype=bool)
    decided = np.zeros(n, dtype=bool)
    reached = np.full(n, "pratama", dtype=object)
    failed_at = np.full(n, -1, dtype=np.int64)  # the step whose criteria it failed / lacks
    lacks_at = np.full(n, -1, dtype=np.int64)
    steps = ("madya", "purnama", "mandiri")
    fails_of, lacks_of = [], []
    for k, step in enumerate(steps):
        cols = [(c, r) for c, r, lv in CRITERIA if lv == step]
        fails = np.column_stack([np.isfinite(values[c]) & (values[c] < rules.value(r))
                                 for c, r in cols]) if n else np.zeros((0, len(cols)), bool)
        lacks = np.column_stack([~np.isfinite(values[c]) for c, _ in cols]) if n \
            else np.zeros((0, len(cols)), bool)
        fails_of.append((cols, fails))
        lacks_of.append((cols, lacks))
        any_fail = open_ & fails.any(axis=1)
        any_lack = open_ & ~any_fail & lacks.any(axis=1)
        failed_at[any_fail] = k
        lacks_at[any_fail | any_lack] = k
        decided |= any_fail
        open_ &= ~(any_fail | any_lack)
        reached[open_] = step
    decided |= open_  # every criterion met
    level: list[str | None] = np.where(decided, reached, None).tolist()
    at_least: list[str] = reached.tolist()
    failed: list[list[str]] = [[] for _ in range(n)]
    missing: list[list[str]] = [[] for _ in range(n)]
    for k in range(len(steps)):
        _named(failed, failed_at == k, *fails_of[k])
        _named(missing, lacks_at == k, *lacks_of[k])
    return level, at_least, failed, missing


def _named(out: list[list[str]], rows: np.ndarray, cols: list, flags: np.ndarray) -> None:
    """``out[i]``, for each of ``rows``: the names of the criteria ``cols`` flagged in
    ``flags[i]``; one list made per pattern of flags (a few), not per row."""
    picked = np.flatnonzero(rows)
    if not len(picked):
        return
    codes = flags[picked].astype(np.int64) @ (np.int64(1) << np.arange(len(cols), dtype=np.int64))
    names = {int(code): [c for j, (c, _) in enumerate(cols) if int(code) >> j & 1]
             for code in np.unique(codes).tolist()}
    for i, code in zip(picked.tolist(), codes.tolist(), strict=True):
        out[i] = list(names[code])


def strata_check(facilities: pd.DataFrame, rules: Rules) -> pd.DataFrame:
    """One row per Posyandu: declared stratum, the stratum by the criteria and the status
    (:data:`STATUSES`); ``failed`` and ``missing`` name the criteria columns, ``;``-joined."""
    py = facilities[facilities["type"] == model.FacilityType.POSYANDU.value]
    level, at_least, failed, missing = criteria_levels(py, rules)
    declared = [v if isinstance(v, str) and v in RANK else None
                for v in (py["level"].tolist() if "level" in py else [None] * len(py))]
    status = _statuses(declared, level, at_least)
    out = pd.DataFrame({
        "fac_id": py["fac_id"].to_numpy(object), "name": py["name"].to_numpy(object),
        "desa_code": _column(py, "desa_code"), "kecamatan_code": _column(py, "kecamatan_code"),
        "declared": pd.Series(declared, dtype=object).to_numpy(object),
        "criteria_level": pd.Series(level, dtype=object).to_numpy(object),
        "criteria_at_least": at_least, "status": status,
        "failed": [";".join(f) for f in failed], "missing": [";".join(m) for m in missing],
    })
    return out[STRATA_COLUMNS]


def _statuses(declared: list, level: list, at_least: list) -> list[str]:
    """Per Posyandu (:data:`STATUSES`): no declared stratum; where the criteria decide its
    stratum, agreeing or above/below it; where a missing figure leaves it open, below what it
    surely reaches, agreeing when that is its declared stratum, else unverifiable.  Whole
    columns at once (a national list has ~300k Posyandu)."""
    def ranks(values: list) -> np.ndarray:
        return np.fromiter((-1 if v is None else RANK[v] for v in values), np.int64,
                           len(values))

    dec, lv, low = ranks(declared), ranks(level), ranks(at_least)
    decided = lv >= 0
    out = np.select(
        [dec < 0, decided & (dec == lv), decided & (dec > lv), decided,
         dec < low, dec == low],
        ["no_stratum", "agrees", "above_criteria", "below_criteria",
         "below_criteria", "agrees"], "unverifiable")
    return out.astype(object).tolist()


def _column(frame: pd.DataFrame, name: str) -> np.ndarray:
    return frame[name].to_numpy(object) if name in frame else np.full(len(frame), None, object)


def strata_summary(check: pd.DataFrame) -> dict[str, object]:
    """Counts per status and, for the discrepancies, per declared stratum."""
    counts = check["status"].value_counts()
    bad = check[check["status"].isin(["above_criteria", "below_criteria"])]
    return {
        "posyandu": int(len(check)),
        **{s: int(counts.get(s, 0)) for s in STATUSES},
        "discrepancies_by_declared": {str(k): int(v) for k, v in
                                      bad["declared"].value_counts().items()},
    }


def discrepancy_text(row, rules: Rules) -> str:
    """The sentence of one discrepancy, naming the criteria failed with their limits."""
    declared = model.PosyanduLevel(row["declared"]).label
    if row["status"] == "above_criteria":
        why = "; ".join(tr(f"posyandu.failed.{c}", limit=_limit(c, rules))
                        for c in str(row["failed"]).split(";") if c)
        return tr("posyandu.above", declared=declared,
                  level=model.PosyanduLevel(row["criteria_level"]).label, why=why)
    level = row["criteria_level"] or row["criteria_at_least"]
    return tr("posyandu.below", declared=declared, level=model.PosyanduLevel(level).label)


def _limit(column: str, rules: Rules) -> str:
    rule = next(r for c, r, _ in CRITERIA if c == column)
    v = rules.value(rule)
    return f"{v:.0%}" if column in ("program_coverage", "dana_sehat") else f"{v:g}"


# --- Posyandu per dusun/RW, per desa --------------------------------------------------------------
SHORTFALL_COLUMNS = ["code", "name", "kecamatan_name", "posyandu_needed", "n_posyandu",
                     "posyandu_deficit", "basis"]


def posyandu_shortfall(desa: pd.DataFrame) -> pd.DataFrame:
    """The desa that lack Posyandu (``posyandu_deficit`` > 0): how many they need, have and
    lack, most lacking first.  A desa whose need or count is unknown is not listed (its deficit
    is NaN, never 0)."""
    deficit = pd.to_numeric(desa["posyandu_deficit"], errors="coerce")
    short = desa[(deficit > 0).to_numpy()]
    out = pd.DataFrame({
        "code": short["code"].to_numpy(object), "name": short["name"].to_numpy(object),
        "kecamatan_name": _column(short, "kecamatan_name"),
        "posyandu_needed": np.ceil(pd.to_numeric(short["posyandu_needed"], errors="coerce")
                                   .to_numpy(float) - 1e-9),
        "n_posyandu": pd.to_numeric(short["n_posyandu"], errors="coerce").to_numpy(float),
        "posyandu_deficit": deficit[(deficit > 0).to_numpy()].to_numpy(float),
        "basis": _column(short, "area_units_basis"),
    })
    return out.sort_values(["posyandu_deficit", "kecamatan_name", "name"],
                           ascending=[False, True, True], kind="stable").reset_index(drop=True)


def shortfall_summary(desa: pd.DataFrame) -> dict[str, object]:
    """Desa short of Posyandu, Posyandu lacking in all, and desa whose need is unknown."""
    deficit = pd.to_numeric(desa["posyandu_deficit"], errors="coerce")
    return {"desa_short": int((deficit > 0).sum()),
            "posyandu_lacking": float(deficit[deficit > 0].sum()),
            "desa_unknown": int(deficit.isna().sum())}


register_catalog("ilp_gis", "posyandu")
