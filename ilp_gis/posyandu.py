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
from ilp_gis.speed.arrow import positions, texts_at

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
    level, at_least, failed, missing = _criteria_codes(posyandu, rules)
    levels = np.array(LEVELS + (None,), dtype=object)  # rank -1: None
    return (levels[level].tolist(), levels[at_least].tolist(),
            [f.split(";") if f else [] for f in failed.tolist()],
            [m.split(";") if m else [] for m in missing.tolist()])


def _criteria_codes(posyandu: pd.DataFrame, rules: Rules
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """:func:`criteria_levels` as arrays: the rank (:data:`RANK`) of the stratum the figures
    give (-1 when left open) and of the lowest stratum surely reached, and the criteria failed
    and figures lacked as ``;``-joined texts (object arrays).  Whole columns at once (a
    national list has ~300k Posyandu)."""
    n = len(posyandu)
    values = {col: _figures(posyandu, col) for col, _, _ in CRITERIA}
    # vectorised per step: the rows still open at a step stop there on a failed criterion
    # (decided) or a missing figure (left open)
    open_ = np.ones(n, dtype=bool)
    decided = np.zeros(n, dtype=bool)
    reached = np.zeros(n, dtype=np.int64)  # pratama
    failed = np.full(n, "", dtype=object)
    missing = np.full(n, "", dtype=object)
    for step in ("madya", "purnama", "mandiri"):
        cols = [(c, r) for c, r, lv in CRITERIA if lv == step]
        fails = np.column_stack([np.isfinite(values[c]) & (values[c] < rules.value(r))
                                 for c, r in cols]) if n else np.zeros((0, len(cols)), bool)
        lacks = np.column_stack([~np.isfinite(values[c]) for c, _ in cols]) if n \
            else np.zeros((0, len(cols)), bool)
        any_fail = open_ & fails.any(axis=1)
        any_lack = open_ & ~any_fail & lacks.any(axis=1)
        _named(failed, any_fail, cols, fails)
        _named(missing, any_fail | any_lack, cols, lacks)
        decided |= any_fail
        open_ &= ~(any_fail | any_lack)
        reached[open_] = RANK[step]
    decided |= open_  # every criterion met
    return np.where(decided, reached, -1), reached, failed, missing


def _named(out: np.ndarray, rows: np.ndarray, cols: list, flags: np.ndarray) -> None:
    """``out[i]``, for each of ``rows``: the names of the criteria ``cols`` flagged in
    ``flags[i]``, ``;``-joined; one text made per pattern of flags (a few), not per row."""
    picked = np.flatnonzero(rows)
    if not len(picked):
        return
    codes = flags[picked].astype(np.int64) @ (np.int64(1) << np.arange(len(cols), dtype=np.int64))
    names = np.array([";".join(c for j, (c, _) in enumerate(cols) if code >> j & 1)
                      for code in range(1 << len(cols))], dtype=object)
    out[picked] = names[codes]


def strata_check(facilities: pd.DataFrame, rules: Rules) -> pd.DataFrame:
    """One row per Posyandu: declared stratum, the stratum by the criteria and the status
    (:data:`STATUSES`); ``failed`` and ``missing`` name the criteria columns, ``;``-joined."""
    read = ["fac_id", "name", "desa_code", "kecamatan_code", "level"] + [c for c, _, _ in CRITERIA]
    py = facilities.loc[(facilities["type"] == model.FacilityType.POSYANDU.value).to_numpy(),
                        [c for c in read if c in facilities.columns]]  # only the columns read
    level, at_least, failed, missing = _criteria_codes(py, rules)
    if "level" in py:  # the declared stratum's rank, -1 for anything else (text or not)
        dec = positions(py["level"], pd.Index(LEVELS, dtype=object)).astype(np.int64)
    else:
        dec = np.full(len(py), -1, dtype=np.int64)
    out = pd.DataFrame({
        "fac_id": _texts(py, "fac_id"), "name": _texts(py, "name"),
        "desa_code": _texts(py, "desa_code"), "kecamatan_code": _texts(py, "kecamatan_code"),
        "declared": texts_at(LEVELS, dec),  # rank -1: missing
        "criteria_level": texts_at(LEVELS, level), "criteria_at_least": texts_at(LEVELS, at_least),
        "status": texts_at(STATUSES, _status_codes(dec, level, at_least)),
        "failed": _few_texts(failed), "missing": _few_texts(missing),
    })
    return out[STRATA_COLUMNS]


def _statuses(declared: list, level: list, at_least: list) -> list[str]:
    """Per Posyandu (:data:`STATUSES`): no declared stratum; where the criteria decide its
    stratum, agreeing or above/below it; where a missing figure leaves it open, below what it
    surely reaches, agreeing when that is its declared stratum, else unverifiable."""
    def ranks(values: list) -> np.ndarray:
        return np.fromiter((-1 if v is None else RANK[v] for v in values), np.int64,
                           len(values))

    codes = _status_codes(ranks(declared), ranks(level), ranks(at_least))
    return [STATUSES[c] for c in codes.tolist()]


def _status_codes(dec: np.ndarray, lv: np.ndarray, low: np.ndarray) -> np.ndarray:
    """Per Posyandu, the position in :data:`STATUSES` of its status (ranks -1: none)."""
    decided = lv >= 0
    agrees, above, below, unverifiable, none = (STATUSES.index(s) for s in (
        "agrees", "above_criteria", "below_criteria", "unverifiable", "no_stratum"))
    return np.select(
        [dec < 0, decided & (dec == lv), decided & (dec > lv), decided,
         dec < low, dec == low],
        [none, agrees, above, below, below, agrees], unverifiable)


def _few_texts(values: np.ndarray):
    """An object array of a few distinct texts in pandas' text dtype (one Arrow take)."""
    codes, names = pd.factorize(values)
    return texts_at(names.tolist(), codes)


def _texts(frame: pd.DataFrame, name: str):
    """The column ``name`` as it will be stored: a text column as it is (no round trip
    through Python strings), else its values as objects (None without the column)."""
    if name in frame and isinstance(frame[name].dtype, pd.StringDtype):
        return frame[name].array
    return _column(frame, name)


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
