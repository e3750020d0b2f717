"""Reading an action plan workbook back (the one :mod:`reports.action_plan_xlsx` writes, as
edited in the meeting): each row of the plan sheet updates the action with its number or, with
no number, adds one; each row of the payments sheet not yet recorded is added.  Headers are
read in either language.  Every row gets a line in the import report; a row that cannot be
read is named and left out, and nothing is changed in the project when the workbook itself
cannot be read.  Imports ``ilp_gis`` and ``layers``."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ilp_gis.budget import parse_activity, parse_amount, parse_source
from ilp_gis.errors import InputError
from ilp_gis.i18n import register_catalog, tr
from ilp_gis.monitoring import actions as A
from layers.importing.report import _FileLog

PLAN_FIELDS = ("action_id", "kegiatan", "activity", "desa_code", "fac_id", "responsible",
               "partners", "start", "end", "budget_amount", "budget_id", "funding_source",
               "status", "output", "note", "gap_ids")
SPENDING_FIELDS = ("action_id", "date", "amount", "note")


def _headers(fields) -> dict[str, str]:
    """{header as written, lower-case: field} in both languages and as the field id."""
    out = {}
    for f in fields:
        out[f] = f
        for lang in ("id", "en"):
            out[tr(f"actions.col.{f}", lang=lang).strip().lower()] = f
    return out


def _read_sheet(path: Path, name_keys: tuple[str, ...], fields) -> pd.DataFrame | None:
    """The sheet named by ``name_keys`` (in either language), its header the first of the top
    rows that holds one of our headers; ``None`` when the workbook has no such sheet.  Read
    through the one XLSX reader (damaged or foreign files are named there)."""
    import openpyxl

    from layers.readers import read_table

    names = {tr(k, lang=lang) for k in name_keys for lang in ("id", "en")}
    try:
        wb = openpyxl.load_workbook(path, read_only=True)
        sheets = list(wb.sheetnames)
        wb.close()
    except Exception as exc:  # noqa: BLE001 - a damaged or foreign file is named, no traceback
        raise InputError(tr("readers.bad_xlsx", why=type(exc).__name__), file=path.name) from exc
    sheet = next((s for s in sheets if s in names), None)
    if sheet is None:
        return None
    heads = _headers(fields)
    for row in range(1, 6):
        try:
            res = read_table(path, sheet=sheet, header_row=row)
        except InputError:
            continue
        if sum(str(c).strip().lower() in heads for c in res.frame.columns) >= 2:
            frame = res.frame
            frame.attrs["rows"] = res.row_numbers
            return frame
    return pd.DataFrame()


def _rows(frame: pd.DataFrame) -> np.ndarray:
    rows = frame.attrs.get("rows")
    return np.asarray(rows, dtype=int) if rows is not None else np.arange(2, len(frame) + 2)


def read_action_plan(path: str | Path, project) -> tuple[int, int, int, pd.DataFrame]:
    """Apply the workbook at ``path`` to ``project``; returns ``(added, updated, payments,
    report)``."""
    path = Path(path)
    if not path.is_file():
        raise InputError(tr("readers.missing", file=path.name), file=path.name)
    plan = _read_sheet(path, ("actions.sheet.plan",), PLAN_FIELDS)
    if plan is None:
        raise InputError(tr("action_import.no_sheet", sheet=tr("actions.sheet.plan")),
                         file=path.name)
    hp = _headers(PLAN_FIELDS)
    plan = plan.rename(columns={c: hp[c.lower()] for c in plan.columns if c.lower() in hp})
    if "kegiatan" not in plan.columns:
        raise InputError(tr("action_import.no_kegiatan_column"), file=path.name)
    log = _FileLog(path.name, "action_plan", _rows(plan))
    work = project.snapshot()  # applied to a copy; the project changes only at the end
    known = set(A.plan(work)["action_id"])

    def same_key(kegiatan, desa, fac) -> tuple:
        return tuple(None if v is None or (isinstance(v, float) and np.isnan(v))
                     else str(v).strip().lower() for v in (kegiatan, desa, fac))

    by_key = {same_key(r.kegiatan, r.desa_code, r.fac_id): r.action_id
              for r in A.plan(work).itertuples()}
    added = updated = 0
    for i, rec in enumerate(plan.to_dict("records")):
        rec = {k: (None if v is None or (isinstance(v, float) and np.isnan(v)) else v)
               for k, v in rec.items()}
        if not any(rec.get(f) for f in PLAN_FIELDS):
            continue  # an empty row under the table
        fields = {f: rec.get(f) for f in PLAN_FIELDS if f in rec}
        try:
            if fields.get("activity") is not None:
                p = parse_activity(fields["activity"])
                fields["activity"] = p.value if p.ok else None
            if fields.get("funding_source") is not None:
                p = parse_source(fields["funding_source"])
                fields["funding_source"] = p.value if p.ok else fields["funding_source"]
            if fields.get("budget_amount") is not None:
                p = parse_amount(fields["budget_amount"])
                if not p.ok:
                    raise InputError(tr("action_import.bad_amount", why=p.message))
                fields["budget_amount"] = p.value
            aid = fields.pop("action_id", None)
            aid = str(aid).strip() if aid is not None else None
            if not aid:  # a row without a number that is an action already kept updates it
                aid = by_key.get(same_key(fields.get("kegiatan"), fields.get("desa_code"),
                                          fields.get("fac_id")))
            if aid and aid in known:
                A.update_action(work, aid, **fields)
                updated += 1
                log.add(i, "imported", "updated", tr("action_import.updated", id=aid))
            else:
                new = A.add_action(work, action_id=aid or None, **fields)
                known.add(new)
                by_key[same_key(fields.get("kegiatan"), fields.get("desa_code"),
                                fields.get("fac_id"))] = new
                added += 1
                log.add(i, "imported", "added", tr("action_import.added", id=new))
        except InputError as exc:
            log.add(i, "skipped", "bad_action", str(exc))
    reports = [log.frame()]
    payments = 0
    pay = _read_sheet(path, ("actions.sheet.spending",), SPENDING_FIELDS)
    if pay is not None:
        hs = _headers(SPENDING_FIELDS)
        pay = pay.rename(columns={c: hs[c.lower()] for c in pay.columns if c.lower() in hs})
        plog = _FileLog(path.name, "action_spending", _rows(pay))
        have = {(r.action_id, str(r.date), float(r.amount)) for r in A.spending(work).itertuples()}
        for i, rec in enumerate(pay.to_dict("records")):
            rec = {k: (None if v is None or (isinstance(v, float) and np.isnan(v)) else v)
                   for k, v in rec.items()}
            if not any(rec.get(f) for f in SPENDING_FIELDS):
                continue
            try:
                amount = parse_amount(rec.get("amount"))
                if not amount.ok or amount.value is None:
                    raise InputError(tr("action_import.bad_amount", why=amount.message
                                        or tr("common.missing")))
                date = A.parse_date(rec.get("date"))
                key = (str(rec.get("action_id")), date.isoformat() if date else None,
                       float(amount.value))
                if key in have:
                    plog.add(i, "imported", "known", tr("action_import.spending_known"))
                    continue
                A.record_spending(work, str(rec.get("action_id")), rec.get("date"),
                                  amount.value, rec.get("note") or "")
                have.add(key)
                payments += 1
            except InputError as exc:
                plog.add(i, "skipped", "bad_payment", str(exc))
        reports.append(plog.frame())
    for name in (A.PLAN_TABLE, A.SPENDING_TABLE):
        if name in work.tables:
            project.set_table(name, work.tables[name])
    return added, updated, payments, pd.concat(reports, ignore_index=True)


register_catalog("layers", "action_plan_import")
