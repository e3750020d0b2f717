"""COE assessment tables (``--coe``): one row per COE Puskesmas (its unit) and one column per
indicator of the COE indicator list (``ilp_gis.coe``), each cell yes/no ("ya"/"tidak", "1"/"0",
empty: not assessed).  Rows are joined to the project's Puskesmas as staffing tables are (code,
else normalised name, else a one-to-one similar name; ``layers.importing.staffing``); columns to
indicators by the indicator's code (``infrastruktur.bangunan_pustu`` or ``bangunan_pustu``) or
its label.  Every row, cell and column that is not used is reported.  May import ``ilp_gis``,
``layers`` and the modules of this package below the pipeline.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ilp_gis.coe import ASSESSMENT_TABLE, IndicatorList
from ilp_gis.errors import InputError
from ilp_gis.i18n import register_catalog, tr
from ilp_gis.model import FacilityType
from layers import readers
from layers.columns import ColumnMapping, detect_columns, norm_header
from layers.importing.cells import _boolean, _texts
from layers.importing.report import _FileLog
from layers.importing.staffing import _join

PUSKESMAS = FacilityType.PUSKESMAS.value


def indicator_columns(headers: list[str], taken: set[str],
                      indicators: IndicatorList) -> tuple[dict[str, str], list[str]]:
    """``{header: indicator id}`` for the headers naming an indicator (its ``group.key``, its
    key, or its label in either language, compared as normalised headers), and the other
    headers that no key column took."""
    names: dict[str, str] = {}
    for i in indicators.indicators:
        for text in (i.id, i.key, i.label, i.label_id):
            if text:
                names.setdefault(norm_header(text), i.id)
    found: dict[str, str] = {}
    other: list[str] = []
    for h in headers:
        if h in taken:
            continue
        iid = names.get(norm_header(h))
        if iid is not None and iid not in found.values():
            found[h] = iid
        else:
            other.append(h)
    return found, other


def import_coe_assessment(path: Path, project, overrides: dict | None, logs: list,
                          indicators: IndicatorList, *, sheet: str | None = None,
                          header_row: int | None = None) -> tuple[pd.DataFrame, ColumnMapping]:
    """Read the assessment table ``path`` and return the project's ``coe_assessment`` table
    (``fac_id``, ``indicator``, ``met``) with the rows of the Puskesmas it names replaced, and
    the column mapping used.  One report line per row into a new :class:`_FileLog`."""
    fac = project.facilities if project.has("facilities") else None
    if fac is None or not (fac["type"] == PUSKESMAS).any():
        raise InputError(tr("coe_import.no_puskesmas"), file=path.name)
    res = readers.read_table(path, sheet=sheet, header_row=header_row)
    raw = res.frame
    headers = [str(c) for c in raw.columns]
    mapping = detect_columns(headers, "coe", overrides, file=path.name)
    if "code" not in mapping.fields and "name" not in mapping.fields:
        raise InputError(tr("coe_import.no_key", columns=", ".join(headers)), file=path.name)
    columns, other = indicator_columns(headers, set(mapping.fields.values()), indicators)
    if not columns:
        raise InputError(tr("coe_import.no_indicators", columns=", ".join(headers),
                            ids=", ".join(indicators.ids()[:6]) + ", …"), file=path.name)
    log = _FileLog(path.name, "coe", res.row_numbers)
    logs.append(log)
    log.add_notes(res)
    n = len(raw)

    def column(fname: str) -> list:
        c = mapping.get(fname)
        return _texts(raw[c].tolist()) if c else [None] * n

    target = _join(column("code"), column("name"), column("type"), column("kecamatan"),
                   column("kabupaten"), fac, project.desa if project.has("desa") else None,
                   project.kabupaten if project.has("kabupaten") else None, log)
    types = fac["type"].to_numpy(object)
    ids = fac["fac_id"].to_numpy(object)
    rows = []
    for i in range(n):
        j = int(target[i])
        if j < 0:
            continue
        if types[j] != PUSKESMAS:
            log.add(i, "skipped", "coe_not_puskesmas",
                    tr("coe_import.not_puskesmas", name=fac["name"].iat[j]), fac["name"].iat[j])
            continue
        for h, iid in columns.items():
            met, problem = _boolean(raw[h].iat[i], h)
            if problem is not None:  # an unreadable cell is not assessed, and said so
                log.add(i, "doubtful", "coe_bad_cell", tr("coe_import.bad_cell",
                                                          value=problem[3], column=h), problem[3])
            if met is not None:
                rows.append((ids[j], iid, met))
    if other:
        log.add_file("doubtful", "coe_unknown_columns",
                     tr("coe_import.unknown_columns", columns=", ".join(other)))
    missing = [i for i in indicators.ids() if i not in columns.values()]
    if missing:
        log.add_file("doubtful", "coe_indicators_missing",
                     tr("coe_import.indicators_missing", n=len(missing),
                        ids=", ".join(missing)))
    new = pd.DataFrame(rows, columns=["fac_id", "indicator", "met"])
    new["met"] = new["met"].astype("boolean")
    units = set(new["fac_id"])
    log.add_file("imported", "coe_joined", tr("coe_import.joined", units=len(units), rows=n,
                                              cells=len(new)))
    old = project.tables.get(ASSESSMENT_TABLE)
    if old is not None and len(old):
        old = old[~old["fac_id"].isin(units)]
        new = pd.concat([old, new], ignore_index=True)
        new["met"] = new["met"].astype("boolean")
    return new.reset_index(drop=True), mapping


register_catalog("layers", "importing.coe_assessment")
