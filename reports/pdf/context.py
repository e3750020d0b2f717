"""What every section reads: the project, its result and the chosen kecamatan (``ReportContext``),
and the texts about the data's sources and rules.  Imports reports.maps and reports.tables.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from ilp_gis.errors import InputError
from ilp_gis.i18n import format_date, has, register_catalog, tr
from ilp_gis.inputs import inventory_for, mask_columns
from ilp_gis.model import META_SOURCES
from layers.importing.report import role_label
from reports.maps import prepare_map_data
from reports.pdf.national_map import WithoutFacilities, merged_map_data
from reports.tables import kabupaten_key, kecamatan_names

register_catalog("reports", "pdf.context")


def province_key(codes) -> pd.Series:
    """The province code ``PP`` of Kemendagri kabupaten/kecamatan/desa codes."""
    return pd.Series(codes).astype(str).str.split(".").str[0]


def spans_provinces(codes) -> bool:
    """True when the area codes belong to more than one province (a national project)."""
    if codes is None:
        return False
    codes = pd.Series(codes).dropna()
    return len(codes) > 0 and province_key(codes.unique()).nunique() > 1


def resolve_kecamatan(project, result, name: str | None) -> str | None:
    """The kecamatan code for ``name`` (a name or a code, any case), or None for all."""
    if name is None or str(name).strip() == "":
        return None
    table = kecamatan_names(project, result)
    want = str(name).strip().lower()
    for code, kname in table.items():
        if want == str(code).lower() or want == str(kname).strip().lower():
            return code
    raise InputError(tr("report.bad_kecamatan", name=name,
                        known=", ".join(sorted(str(v) for v in table.values()))))


class ReportContext:
    """One report being built: the project, its result, the kind and paper, the chosen kecamatan
    (``kec_code``) with its desa (columns whose input was never loaded masked as missing) and
    gaps, the input inventory (``inputs``) and the map data projected once."""

    def __init__(self, project, result, kind, pagesize, kec_code, author, date) -> None:
        self.project = project
        self.result = result
        self.kind = kind
        self.pagesize = pagesize
        self.kec_code = kec_code
        self.author = author
        self.date = date
        self.kec_names = kecamatan_names(project, result)
        self.title = tr(f"report.title.{kind}")
        self.place = project.title
        if kec_code:
            self.place = f"{project.title} — {tr('area.kecamatan')} {self.kec_names[kec_code]}"
        self.inputs = inventory_for(result.summary, project)
        desa = mask_columns(result.desa, self.inputs)
        gaps = result.gaps
        if kec_code:
            desa = desa[desa["kecamatan_code"] == kec_code]
            gaps = gaps[gaps["kecamatan_code"] == kec_code]
        self.desa = desa
        self.gaps = gaps
        self._map_data = None
        k = result.kecamatan
        self.multi_district = kec_code is None and k is not None and len(k) > 0 and \
            kabupaten_key(k["code"]).nunique() > 1
        # Several provinces: the report summarises per province and per kabupaten (no section
        # per kecamatan, no per-desa list); the per-desa detail is in the XLSX tables.
        self.national = kec_code is None and spans_provinces(
            k["code"] if k is not None and len(k) else result.desa.get("kecamatan_code"))

    def map_data(self, kecamatan: str | None = None):
        """Map layers projected once (merged for a national project), then cut per
        kecamatan."""
        if self._map_data is None:
            if self.national:  # drawn at page scale: desa merged per kabupaten and gap kind
                self._map_data = merged_map_data(prepare_map_data(
                    WithoutFacilities(self.project), self.result))
            else:
                self._map_data = prepare_map_data(self.project, self.result)
        return self._map_data.subset(kecamatan) if kecamatan else self._map_data

    @property
    def source_text(self) -> str:
        items = source_lines(self.project)
        return "; ".join(items) if items else tr("report.no_sources")


def source_lines(project) -> list[str]:
    raw = project.meta_json(META_SOURCES, None)
    out: list[str] = []
    if isinstance(raw, dict):
        if raw and all(isinstance(v, dict) for v in raw.values()):  # {role: {file, date}}
            raw = [dict(v, role=k) for k, v in raw.items()]
        else:  # facts about how the data was made (e.g. the sample generator)
            return [_made_by(raw)] if raw else []
    if isinstance(raw, list):
        for item in raw:
            if isinstance(item, dict):
                name = item.get("name") or item.get("file") or item.get("path") or ""
                name = Path(str(name)).name if name else ""
                role = item.get("role") or item.get("layer") or ""
                when = (item.get("date") or item.get("as_of") or item.get("modified")
                        or item.get("imported") or "")
                when = _date_text(when)
                bits = [b for b in (_capitalised(role_label(role)) if role else "", name) if b]
                text = ": ".join(bits)
                out.append(f"{text} ({when})" if when else text)
            elif item:
                out.append(str(item))
    elif isinstance(raw, str) and raw:
        out.append(raw)
    return out


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _made_by(facts: dict) -> str:
    """The sentence for data made by a generator (the fictional sample) instead of imported."""
    if facts.get("generator") == "layers.sample":
        return tr("report.source.sample", scale=tr(f"report.source.scale.{facts.get('scale')}")
                  if has(f"report.source.scale.{facts.get('scale')}") else
                  str(facts.get("scale", "")), seed=facts.get("seed", ""))
    return ", ".join(f"{k}: {v}" for k, v in facts.items())


def rules_used(project) -> str:
    """The line naming where the project's rules came from."""
    return tr("report.rules_used", origin=rules_origin(project.rules.origin))


def rules_origin(origin: str) -> str:
    """Where the rules came from, for people."""
    text = str(origin or "")
    changed = text.endswith(" (changed)")
    base = text.removesuffix(" (changed)")
    if base == "rules_default.toml":
        out = tr("report.rules_origin.default")
    elif base == "project":
        out = tr("report.rules_origin.project")
    else:
        out = Path(base).name or base
    return out + (" " + tr("report.rules_origin.changed") if changed else "")


def _date_text(value) -> str:
    if not value:
        return ""
    try:
        return format_date(dt.date.fromisoformat(str(value)[:10]))
    except ValueError:
        return str(value)


def kecamatan_order(ctx: ReportContext) -> list[str]:
    """Kecamatan codes in the order of their names (the order of sections and atlas sheets)."""
    return sorted(ctx.kec_names, key=lambda c: (str(ctx.kec_names[c]), c))
