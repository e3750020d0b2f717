"""Action plans (rencana aksi): each action with what, where, who, with whom, when, how much
from which budget line, its status and what was spent by when.

The plan is the project table ``action_plan`` (one row per action, columns
:data:`PLAN_COLUMNS`) and the spending log ``action_spending`` (one row per payment: action,
date, amount, note); the realised amount of an action is the sum of its payments.  Actions come
from the planning step (:func:`from_planned`) or are entered by hand (:func:`add_action`);
:func:`progress` says, as of a date, which are late, how much of each budget was spent and the
totals per status, kecamatan and funding source.  Domain only: imports ``ilp_gis`` and pandas.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ilp_gis.errors import InputError
from ilp_gis.i18n import register_catalog, tr
from ilp_gis.model import Activity, LabelledEnum

PLAN_TABLE = "action_plan"
SPENDING_TABLE = "action_spending"


class ActionStatus(LabelledEnum, prefix="action_status"):
    NOT_STARTED = "belum_mulai"
    RUNNING = "berjalan"
    DONE = "selesai"
    POSTPONED = "tertunda"
    CANCELLED = "batal"


PLAN_COLUMNS = ("action_id", "kegiatan", "activity", "desa_code", "fac_id", "responsible",
                "partners", "start", "end", "budget_amount", "budget_id", "funding_source",
                "status", "output", "note", "origin", "gap_ids")
"""``start``/``end`` are ISO dates (text); ``budget_amount`` Rupiah; ``origin`` "plan" (from
the planning step) or "manual"; ``gap_ids`` the ";"-joined gaps the action closes."""

SPENDING_COLUMNS = ("action_id", "date", "amount", "note")

_STATUS_WORDS = {
    "belum mulai": ActionStatus.NOT_STARTED, "belum": ActionStatus.NOT_STARTED,
    "not started": ActionStatus.NOT_STARTED, "rencana": ActionStatus.NOT_STARTED,
    "berjalan": ActionStatus.RUNNING, "sedang berjalan": ActionStatus.RUNNING,
    "proses": ActionStatus.RUNNING, "running": ActionStatus.RUNNING,
    "in progress": ActionStatus.RUNNING, "selesai": ActionStatus.DONE, "done": ActionStatus.DONE,
    "tuntas": ActionStatus.DONE, "tertunda": ActionStatus.POSTPONED,
    "ditunda": ActionStatus.POSTPONED, "postponed": ActionStatus.POSTPONED,
    "batal": ActionStatus.CANCELLED, "dibatalkan": ActionStatus.CANCELLED,
    "cancelled": ActionStatus.CANCELLED,
}


def parse_status(value) -> ActionStatus:
    text = " ".join(str(value or "").strip().lower().replace("_", " ").split())
    if not text:
        return ActionStatus.NOT_STARTED
    if text.replace(" ", "_") in {s.value for s in ActionStatus}:
        return ActionStatus(text.replace(" ", "_"))
    if text in _STATUS_WORDS:
        return _STATUS_WORDS[text]
    raise InputError(tr("actions.bad_status", value=str(value),
                        known=", ".join(s.label for s in ActionStatus)))


def parse_date(value) -> dt.date | None:
    """An ISO date, a date/datetime, or "dd/mm/yyyy" / "dd-mm-yyyy" as written in Indonesia."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if not text:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise InputError(tr("actions.bad_date", value=text))


def empty_plan() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in PLAN_COLUMNS}).astype(
        {"budget_amount": float})


def plan(project) -> pd.DataFrame:
    t = project.tables.get(PLAN_TABLE)
    return empty_plan() if t is None else t


def spending(project) -> pd.DataFrame:
    t = project.tables.get(SPENDING_TABLE)
    if t is None:
        return pd.DataFrame({"action_id": pd.Series(dtype=object),
                             "date": pd.Series(dtype=object),
                             "amount": pd.Series(dtype=float), "note": pd.Series(dtype=object)})
    return t


def _next_id(existing) -> str:
    n = 0
    for v in existing:
        s = str(v)
        if s.startswith("RA-") and s[3:].isdigit():
            n = max(n, int(s[3:]))
    return f"RA-{n + 1:04d}"


def _check(row: dict) -> dict:
    """A plan row with its values read and checked (dates in order, amount not negative)."""
    out = {c: row.get(c) for c in PLAN_COLUMNS}
    if not out.get("kegiatan"):
        raise InputError(tr("actions.no_kegiatan"))
    out["status"] = parse_status(out.get("status")).value
    if out.get("activity"):
        out["activity"] = Activity(out["activity"]).value
    start, end = parse_date(out.get("start")), parse_date(out.get("end"))
    if start and end and end < start:
        raise InputError(tr("actions.end_before_start", start=start.isoformat(),
                            end=end.isoformat()))
    out["start"] = start.isoformat() if start else None
    out["end"] = end.isoformat() if end else None
    amount = out.get("budget_amount")
    amount = None if amount is None or (isinstance(amount, float) and np.isnan(amount)) \
        else float(amount)
    if amount is not None and amount < 0:
        raise InputError(tr("actions.negative", value=str(amount)))
    out["budget_amount"] = amount
    out["origin"] = out.get("origin") or "manual"
    return out


def add_action(project, **fields) -> str:
    """Add one action (``kegiatan`` required); returns its id."""
    t = plan(project)
    row = _check(fields)
    row["action_id"] = row.get("action_id") or _next_id(t["action_id"])
    if row["action_id"] in set(t["action_id"]):
        raise InputError(tr("actions.duplicate_id", id=row["action_id"]))
    new = pd.DataFrame([row], columns=list(PLAN_COLUMNS))
    project.set_table(PLAN_TABLE, pd.concat([t, new], ignore_index=True) if len(t) else new)
    return row["action_id"]


def update_action(project, action_id: str, **fields) -> None:
    t = plan(project).copy()
    hit = t.index[t["action_id"] == action_id]
    if not len(hit):
        raise InputError(tr("actions.unknown", id=action_id))
    row = t.loc[hit[0]].to_dict()
    row.update(fields)
    row = _check(row)
    for c in PLAN_COLUMNS:
        t.at[hit[0], c] = row[c]
    project.set_table(PLAN_TABLE, t)


def record_spending(project, action_id: str, date, amount: float, note: str = "") -> None:
    """Add one payment (realisasi) to an action."""
    if action_id not in set(plan(project)["action_id"]):
        raise InputError(tr("actions.unknown", id=action_id))
    d = parse_date(date)
    if d is None:
        raise InputError(tr("actions.bad_date", value=str(date)))
    amount = float(amount)
    if amount < 0:
        raise InputError(tr("actions.negative", value=str(amount)))
    s = spending(project)
    new = pd.DataFrame([{"action_id": action_id, "date": d.isoformat(), "amount": amount,
                         "note": note or None}])
    project.set_table(SPENDING_TABLE, pd.concat([s, new], ignore_index=True) if len(s) else new)


def from_planned(project, planned: pd.DataFrame, *, start=None, end=None,
                 responsible: str | None = None) -> list[str]:
    """Turn the actions of the planning step into plan rows (origin "plan").  ``planned`` has
    ``activity``, and any of ``desa_code``, ``fac_id``, ``cost``/``budget_amount``,
    ``budget_id``, ``funding_source``, ``gap_ids``, ``kegiatan`` (else made from the activity
    and the place).  An action already in the plan (same activity, desa and facility) is not
    added twice.  Returns the new ids."""
    t = plan(project)

    def key_of(act, desa, fac) -> tuple:
        return tuple(None if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)
                     for v in (act, desa, fac))

    have = {key_of(r.activity, r.desa_code, r.fac_id) for r in t.itertuples()}
    ids = []
    names = dict(zip(project.desa["code"], project.desa["name"], strict=False))
    for r in planned.to_dict("records"):
        r = {k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in r.items()}
        act = r.get("activity")
        key = key_of(act, r.get("desa_code"), r.get("fac_id"))
        if key in have:
            continue
        place = names.get(r.get("desa_code")) or r.get("fac_id") or ""
        kegiatan = r.get("kegiatan") or (f"{Activity(act).label} {place}".strip() if act
                                         else None)
        ids.append(add_action(project, kegiatan=kegiatan, activity=act,
                              desa_code=r.get("desa_code"), fac_id=r.get("fac_id"),
                              budget_amount=r.get("budget_amount", r.get("cost")),
                              budget_id=r.get("budget_id"),
                              funding_source=r.get("funding_source"),
                              gap_ids=r.get("gap_ids"), start=start, end=end,
                              responsible=responsible, origin="plan"))
        have.add(key)
    return ids


@dataclass
class Progress:
    """The plan as of one date: ``actions`` (the plan plus ``spent``, ``spent_share``,
    ``late`` and ``days_late``), ``by_status``, ``by_source`` and ``by_kecamatan`` totals."""

    as_of: dt.date
    actions: pd.DataFrame
    by_status: pd.DataFrame
    by_source: pd.DataFrame
    by_kecamatan: pd.DataFrame


def progress(project, as_of=None) -> Progress:
    as_of = parse_date(as_of) or dt.date.today()
    t = plan(project).copy()
    s = spending(project)
    if len(s):
        s = s[pd.to_datetime(s["date"]).dt.date <= as_of]
    spent = s.groupby("action_id")["amount"].sum() if len(s) else pd.Series(dtype=float)
    t["spent"] = t["action_id"].map(spent).astype(float)
    t.loc[t["spent"].isna() & t["action_id"].notna(), "spent"] = 0.0  # no payment yet
    amount = pd.to_numeric(t["budget_amount"], errors="coerce")
    t["spent_share"] = np.where(amount > 0, t["spent"] / amount, np.nan)
    # compared as timestamps: a plan whose actions all lack an end date has no dates to read
    end = pd.to_datetime(t["end"], errors="coerce")
    open_ = ~t["status"].isin([ActionStatus.DONE.value, ActionStatus.CANCELLED.value])
    late = open_ & end.notna() & (end < pd.Timestamp(as_of))
    t["late"] = late.astype(bool)
    t["days_late"] = [(as_of - e.date()).days if lt else None
                      for e, lt in zip(end, late, strict=True)]
    kec = project.desa.set_index("code")["kecamatan_code"] if len(project.desa) else {}
    t["kecamatan_code"] = t["desa_code"].map(kec) if len(t) else []

    def totals(by: str) -> pd.DataFrame:
        if not len(t):
            return pd.DataFrame(columns=[by, "actions", "budget", "spent", "late"])
        g = t.groupby(t[by].fillna("–"), dropna=False)
        return pd.DataFrame({"actions": g.size(), "budget": g["budget_amount"].sum(min_count=1),
                             "spent": g["spent"].sum(), "late": g["late"].sum()}).reset_index()

    return Progress(as_of, t, totals("status"), totals("funding_source"),
                    totals("kecamatan_code"))


register_catalog("ilp_gis", "monitoring.actions")
