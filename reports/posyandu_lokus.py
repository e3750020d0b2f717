"""What every output shows of the Posyandu and the lokus ILP (the PDF section, the XLSX sheets
"Strata Posyandu", "Kekurangan Posyandu" and "Lokus ILP", the dashboard cards): each Posyandu's
declared stratum against the strata criteria with the discrepancies worded, the desa short of
Posyandu with how many, and the lokus Puskesmas per kabupaten against the 5–10 guidance with
the decree (SK) number and date.  Each of the three knows the inputs it lacks: a table whose
input was never loaded says "tidak ada data" and what to load, never 0.

The checks themselves are the domain's (``ilp_gis.posyandu``, ``ilp_gis.lokus``); a result
stored before they existed is checked here from the project.  Imports pandas and ``ilp_gis``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from ilp_gis import model
from ilp_gis.i18n import format_date, register_catalog, tr
from ilp_gis.inputs import Inventory, inventory_for, mask_columns
from ilp_gis.lokus import lokus_check, lokus_summary
from ilp_gis.posyandu import (
    CRITERIA,
    discrepancy_text,
    posyandu_shortfall,
    shortfall_summary,
    strata_check,
    strata_summary,
)
from ilp_gis.rules import default_rules
from reports.tables import kabupaten_names

register_catalog("reports", "posyandu_lokus")

DISCREPANT = ("above_criteria", "below_criteria")


@dataclass
class PosyanduLokus:
    """The three tables and their summaries; ``*_missing`` name the inputs a table lacks
    (empty: it could be computed)."""

    strata: pd.DataFrame
    strata_summary: dict
    strata_missing: list[str]
    shortfall: pd.DataFrame
    shortfall_summary: dict
    shortfall_missing: list[str]
    lokus: pd.DataFrame
    lokus_summary: dict
    lokus_missing: list[str]
    guidance: tuple[float, float] = (5, 10)
    criteria: list[str] = field(default_factory=list)

    @property
    def discrepancies(self) -> pd.DataFrame:
        """The Posyandu whose declared stratum the criteria do not give."""
        s = self.strata
        return s[s["status"].isin(DISCREPANT)] if len(s) else s


def posyandu_lokus(project, result, inv: Inventory | None = None, *,
                   kecamatan: str | None = None) -> PosyanduLokus:
    """The Posyandu strata, shortfall and lokus tables of ``project``/``result`` (restricted to
    one ``kecamatan`` code when given; the lokus table is per kabupaten and stays whole)."""
    inv = inv or inventory_for(getattr(result, "summary", None), project)
    rules = getattr(project, "rules", None) or default_rules()
    fac = project.facilities
    strata = getattr(result, "strata", None)
    if strata is None:
        strata = strata_check(fac, rules)
    lokus = getattr(result, "lokus", None)
    if lokus is None:
        lokus = lokus_check(fac, rules, kabupaten_names(project))
    desa = pd.DataFrame(result.desa.drop(columns="geometry", errors="ignore"))
    desa = mask_columns(desa, inv)
    if kecamatan:
        strata = strata[strata["kecamatan_code"] == kecamatan]
        desa = desa[desa["kecamatan_code"] == kecamatan]
    strata = _strata_rows(strata.reset_index(drop=True), desa, rules)
    short = posyandu_shortfall(desa) if len(desa) else posyandu_shortfall(
        pd.DataFrame(columns=["code", "name", "posyandu_deficit", "posyandu_needed",
                              "n_posyandu"]))
    short["basis_label"] = short["basis"].map(_basis_label)
    lokus = pd.DataFrame(lokus).reset_index(drop=True)
    lo, hi = rules.value("lokus.min_per_kabupaten"), rules.value("lokus.max_per_kabupaten")
    if len(lokus):
        lokus["status_label"] = lokus["status"].map(
            lambda s: tr(f"pl.lokus.status.{s}", lo=f"{lo:g}", hi=f"{hi:g}"))
        lokus["sk_dates_label"] = lokus["sk_dates"].map(dates_text)
        lokus["kabupaten_label"] = [n if isinstance(n, str) and n else c for c, n in
                                    zip(lokus["kabupaten_code"], lokus["kabupaten_name"],
                                        strict=True)]
    return PosyanduLokus(
        strata=strata, strata_summary=strata_summary(strata) if len(strata) else
        strata_summary(strata.assign(status=pd.Series(dtype=object))),
        strata_missing=inv.figure_missing("posyandu_strata"),
        shortfall=short, shortfall_summary=shortfall_summary(desa) if len(desa) else
        {"desa_short": 0, "posyandu_lacking": 0.0, "desa_unknown": 0},
        shortfall_missing=inv.figure_missing("posyandu_shortfall"),
        lokus=lokus, lokus_summary=lokus_summary(lokus) if len(lokus) else
        {"kabupaten": 0, "lokus": None},
        lokus_missing=inv.figure_missing("lokus"),
        guidance=(lo, hi), criteria=criteria_lines(rules))


def _strata_rows(strata: pd.DataFrame, desa: pd.DataFrame, rules) -> pd.DataFrame:
    """``strata`` with the labels people read: desa and kecamatan names, the declared and
    checked strata, the status and, for a discrepancy, its sentence; for an unchecked one the
    figures it lacks."""
    out = strata.copy()
    names = dict(zip(desa["code"], desa["name"], strict=False)) if len(desa) else {}
    kec = dict(zip(desa["kecamatan_code"], desa["kecamatan_name"], strict=False)) \
        if len(desa) and "kecamatan_name" in desa else {}
    out["desa_name"] = out["desa_code"].map(names)
    out["kecamatan_name"] = out["kecamatan_code"].map(kec)
    # each label made once per distinct value (a national project: ~300,000 Posyandu)
    out["declared_label"] = _per_value(out["declared"], _level_label)
    level = out["criteria_level"].where(out["criteria_level"].notna(), None)
    memo: dict = {}
    labels = []
    for lv, low in zip(level.tolist(), out["criteria_at_least"].tolist(), strict=True):
        key = (lv, low) if isinstance(lv, str) else (None, low)
        if key not in memo:
            memo[key] = _level_label(lv) if isinstance(lv, str) else \
                tr("pl.strata.at_least", level=_level_label(low))
        labels.append(memo[key])
    out["criteria_label"] = labels
    out["status_label"] = _per_value(out["status"], lambda s: tr(f"posyandu.status.{s}"))
    why = [""] * len(out)
    explained = (out["status"].isin(DISCREPANT) | (out["status"] == "unverifiable")).to_numpy()
    for i, r in zip(explained.nonzero()[0], out[explained].to_dict("records"), strict=True):
        why[i] = discrepancy_text(r, rules) if r["status"] in DISCREPANT else \
            _lacking(r["missing"])
    out["why"] = why
    return out


def _per_value(values: pd.Series, label) -> list:
    """``label(v)`` for each value, computed once per distinct value."""
    memo: dict = {}
    out = []
    for v in values.tolist():
        try:
            if v not in memo:
                memo[v] = label(v)
            out.append(memo[v])
        except TypeError:  # an unhashable value
            out.append(label(v))
    return out


def dates_text(value) -> str | None:
    """``"2023-06-12; 2024-01-05"`` → ``"12 Juni 2023; 5 Januari 2024"`` (a text that is no
    ISO date stays as it is)."""
    if not isinstance(value, str) or not value.strip():
        return None
    out = []
    for part in value.split(";"):
        part = part.strip()
        try:
            out.append(format_date(dt.date.fromisoformat(part)))
        except ValueError:
            out.append(part)
    return "; ".join(out)


def _lacking(missing) -> str:
    cols = [c for c in str(missing or "").split(";") if c]
    if not cols:
        return ""
    return tr("pl.strata.lacking", what=", ".join(tr(f"posyandu.missing.{c}") for c in cols))


def _level_label(value) -> str | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return model.PosyanduLevel(value).label
    except ValueError:
        return value


def _basis_label(basis) -> str | None:
    return tr(f"pl.basis.{basis}") if isinstance(basis, str) and basis else None


def criteria_lines(rules) -> list[str]:
    """The strata criteria with their limits, one line per stratum ("Madya: kegiatan ≥ 8 kali
    setahun, kader bertugas ≥ 5")."""
    out = []
    for step in ("madya", "purnama", "mandiri"):
        parts = []
        for col, rule, lv in CRITERIA:
            if lv != step:
                continue
            v = rules.value(rule)
            limit = f"{v:.0%}" if col in ("program_coverage", "dana_sehat") else f"{v:g}"
            parts.append(tr(f"pl.criterion.{col}", limit=limit))
        out.append(tr("pl.criteria_line", level=model.PosyanduLevel(step).label,
                      what=", ".join(parts)))
    return out


def strata_counts(strata: pd.DataFrame) -> pd.DataFrame:
    """Per declared stratum (Pratama → Mandiri, then none): Posyandu, agreeing, above, below,
    unverifiable."""
    cols = ["declared_label", "posyandu", "agrees", "above_criteria", "below_criteria",
            "unverifiable"]
    if not len(strata):
        return pd.DataFrame(columns=cols)
    rows = []
    order = [lv.value for lv in model.PosyanduLevel] + [None]
    for lv in order:
        g = strata[strata["declared"] == lv] if lv is not None else strata[
            strata["declared"].isna()]
        if not len(g):
            continue
        vc = g["status"].value_counts()
        rows.append({"declared_label": _level_label(lv) if lv else tr(
            "posyandu.status.no_stratum"), "posyandu": len(g),
            **{s: int(vc.get(s, 0)) for s in cols[2:]}})
    return pd.DataFrame(rows, columns=cols)
