"""The data model: layer names (:data:`LAYERS`), columns and enumerations, the contract between
every room.  Columns are English identifiers; missing values stay missing (NaN / None / <NA>),
never zero.  Imports only ``ilp_gis.i18n``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ilp_gis.i18n import register_catalog, tr

FORMAT_VERSION = 1
"""Version of the project file layout.  Bump on incompatible changes."""

WGS84 = "EPSG:4326"


class LabelledEnum(StrEnum):
    """A stored code with a translated label: ``Activity.BUILD_PUSTU.label`` is
    ``tr("activity.build_pustu")``; the prefix is named with the class
    (``class Activity(LabelledEnum, prefix="activity")``)."""

    def __init_subclass__(cls, *, prefix: str = "", **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        _LABEL_PREFIXES[cls] = prefix

    @property
    def label(self) -> str:
        return tr(f"{_LABEL_PREFIXES[type(self)]}.{self.value}")


_LABEL_PREFIXES: dict[type, str] = {}


class FacilityType(LabelledEnum, prefix="facility"):
    PUSKESMAS = "puskesmas"
    PUSTU = "pustu"
    POSYANDU = "posyandu"

    @property
    def tier(self) -> int:
        """0 = Puskesmas, 1 = Pustu, 2 = Posyandu (parent tier is ``tier - 1``)."""
        return _TIERS[self]


_TIERS = {FacilityType.PUSKESMAS: 0, FacilityType.PUSTU: 1, FacilityType.POSYANDU: 2}

# Older names that are read as Pustu precursors (and flagged as such).
PUSTU_PRECURSORS = ("poskesdes", "polindes")


class PosyanduLevel(LabelledEnum, prefix="posyandu_level"):
    PRATAMA = "pratama"
    MADYA = "madya"
    PURNAMA = "purnama"
    MANDIRI = "mandiri"



class LocationQuality(LabelledEnum, prefix="location_quality"):
    """How well a facility's position is known."""

    EXACT = "exact"
    FIXED = "fixed"      # a repaired coordinate (swapped, comma decimals, ...)
    DESA = "desa"        # known only by its desa: drawn at the desa point, hollow
    UNKNOWN = "unknown"  # neither coordinates nor a desa that could be found


POPULATION_GROUPS = ("male", "female", "ibu_hamil", "bayi", "balita", "anak_sekolah", "remaja",
                     "usia_produktif", "lansia")
"""Life-cycle population groups a per-desa table may give (columns ``pop_<group>``)."""

COUNTED_FACILITIES = ("pustu", "poskesdes", "polindes", "posyandu")
"""Facility kinds a per-desa table may give as counts (columns ``count_<kind>``)."""


class DesaKind(StrEnum):
    DESA = "desa"
    KELURAHAN = "kelurahan"


class CoeGroup(LabelledEnum, prefix="coe"):
    """The five COE readiness indicator groups."""

    INFRASTRUCTURE = "infrastruktur"
    POLICY = "kebijakan"
    HUMAN_RESOURCES = "sdm"
    SUPPLIES = "bahan_alat"
    SERVICE_MODEL = "model_pelayanan"

    @property
    def column(self) -> str:
        return f"coe_{self.value}"



COE_COLUMNS = tuple(g.column for g in CoeGroup)


class FundingSource(LabelledEnum, prefix="funding"):
    DAK_FISIK = "dak_fisik"
    DAK_NON_FISIK = "dak_non_fisik"
    BOK = "bok"
    DAU = "dau"
    DANA_DESA = "dana_desa"
    PIHAK_KETIGA = "pihak_ketiga"
    OTHER = "lainnya"



class Activity(LabelledEnum, prefix="activity"):
    BUILD_PUSTU = "build_pustu"
    UPGRADE_TO_PUSTU = "upgrade_pustu"
    RENOVATE = "renovate"
    EQUIP = "equip"
    ADD_NAKES = "add_nakes"
    TRAIN_KADER = "train_kader"
    OPEN_POSYANDU = "open_posyandu"
    OTHER = "other"



class BudgetStatus(LabelledEnum, prefix="budget_status"):
    PROPOSED = "usulan"
    APPROVED = "disetujui"
    REALISED = "terealisasi"



class ImportStatus(LabelledEnum, prefix="import_status"):
    IMPORTED = "imported"
    FIXED = "fixed"
    SKIPPED = "skipped"
    DOUBTFUL = "doubtful"



@dataclass(frozen=True)
class Column:
    name: str
    dtype: str  # "str", "int", "float", "bool", "date"
    required: bool = False
    doc: str = ""


@dataclass(frozen=True)
class LayerSpec:
    name: str
    geometry: str | None  # "Polygon" (incl. multi), "Point", "LineString" or None for a table
    columns: tuple[Column, ...] = field(default_factory=tuple)
    doc: str = ""

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


def _c(name: str, dtype: str, required: bool = False, doc: str = "") -> Column:
    return Column(name, dtype, required, doc)


# --- Layers ---------------------------------------------------------------------------------------
# Area codes: ``code`` is the normalized Kemendagri code ("53.10.01.2001"), ``code_bps`` the
# normalized 10-digit BPS code, ``code_original`` the value as written in the source file.
# A layer may carry either system or both; they are never converted into each other.

KABUPATEN = LayerSpec("kabupaten", "Polygon", (
    _c("code", "str", doc="Kemendagri PP.KK"),
    _c("code_bps", "str", doc="BPS PPKK"),
    _c("code_original", "str"),
    _c("name", "str", True),
    _c("population", "float"),
), "District outline (one feature, possibly multipart).")

KECAMATAN = LayerSpec("kecamatan", "Polygon", (
    _c("code", "str", doc="Kemendagri PP.KK.CC"),
    _c("code_bps", "str", doc="BPS PPKKCCC"),
    _c("code_original", "str"),
    _c("name", "str", True),
    _c("kabupaten_code", "str"),
    _c("population", "float", doc="kecamatan total from the boundary layer (spread on request)"),
), "Sub-districts.")

DESA = LayerSpec("desa", "Polygon", (
    _c("code", "str", doc="Kemendagri PP.KK.CC.DDDD; the key used by every other layer"),
    _c("code_bps", "str", doc="BPS PPKKCCCDDD"),
    _c("code_original", "str"),
    _c("name", "str", True),
    _c("kind", "str", doc="desa | kelurahan"),
    _c("kecamatan_code", "str"),
    _c("kecamatan_name", "str"),
    _c("population", "float", doc="people; missing stays missing"),
    _c("dusun_count", "float", doc="number of dusun/RW"),
    _c("aki", "float", doc="maternal deaths (burden indicator, optional)"),
    _c("akb", "float", doc="infant deaths (burden indicator, optional)"),
    _c("stunting", "float", doc="stunting prevalence 0..1 (optional)"),
    # --- from per-desa tables (issue 12); every one stays missing when no table gave it -------
    _c("population_source", "str",
       doc="where population comes from: table | raster | boundary | estimate_families | "
           "estimate_area (estimates are labelled 'estimasi' wherever shown)"),
    *(_c(f"pop_{g}", "float", doc=f"population group {g} (people)") for g in POPULATION_GROUPS),
    _c("families", "float", doc="families / households (keluarga)"),
    _c("rw_count", "float", doc="number of RW"),
    _c("rt_count", "float", doc="number of RT"),
    _c("area_heads", "float", doc="kepala dusun + ketua RW/RT (PODES R1303C), dusun/RW proxy"),
    *(_c(f"count_{t}", "float", doc=f"{t} in the desa by count from a per-desa table "
         "(facilities known only by count)") for t in COUNTED_FACILITIES),
    *(_c(f"posyandu_{lv}_n", "float", doc=f"Posyandu of strata {lv} (per-desa table)")
      for lv in ("pratama", "madya", "purnama", "mandiri")),
    _c("gizi_buruk", "float", doc="residents with severe malnutrition (count)"),
    _c("desa_data_source", "str", doc="file name(s) of the per-desa table(s) joined to this desa"),
), "Villages (desa) and urban villages (kelurahan).")

FACILITIES = LayerSpec("facilities", "Point", (
    _c("fac_id", "str", True, "unique id within the project (source code or generated)"),
    _c("code", "str", doc="facility code from the source, e.g. kode_faskes"),
    _c("name", "str", True),
    _c("type", "str", True, "puskesmas | pustu | posyandu"),
    _c("type_original", "str", doc="type as written in the source (e.g. Poskesdes)"),
    _c("precursor", "bool", doc="True for Poskesdes/Polindes read as Pustu"),
    _c("parent_id", "str", doc="fac_id of the parent facility when given"),
    _c("parent_name", "str", doc="parent name when given instead of an id"),
    _c("desa_code", "str", doc="desa the point lies in (point-in-polygon)"),
    _c("kecamatan_code", "str", doc="kecamatan the point lies in"),
    _c("declared_desa", "str", doc="desa name/code written in the source row"),
    _c("declared_kecamatan_code", "str",
       doc="kecamatan the source row names (column, address or Puskesmas name) when found; "
           "the facility's working area follows it where its point lies elsewhere"),
    _c("ilp_lokus", "bool", doc="Puskesmas named an ILP lokus by district decree"),
    _c("coe", "bool", doc="Center of Excellence: on a Puskesmas, a COE unit's Puskesmas; on a "
       "Pustu, the Pustu of its Puskesmas' unit (ilp_gis.coe)"),
    _c("ilp_start", "date", doc="date ILP implementation began"),
    _c("lokus_sk_number", "str", doc="number of the Kepala Dinas decree (SK) naming the lokus"),
    _c("lokus_sk_date", "date", doc="date of that decree"),
    *(_c(col, "float", doc="COE indicator group, share met 0..1") for col in COE_COLUMNS),
    _c("nurses", "float", doc="perawat"),
    _c("midwives", "float", doc="bidan"),
    _c("nakes", "float", doc="all health workers (nakes) at the facility"),
    _c("kader", "float", doc="kader on duty (Posyandu)"),
    _c("level", "str", doc="Posyandu level: pratama | madya | purnama | mandiri"),
    _c("sessions_per_year", "float", doc="Posyandu sessions held in the last 12 months"),
    _c("program_coverage", "float", doc="Posyandu: coverage of the main programmes, share 0..1"),
    _c("dana_sehat", "float", doc="Posyandu: share of families in dana sehat, 0..1"),
    _c("capacity", "float", doc="population the facility can serve (optional)"),
    _c("location_quality", "str",
       doc="exact | fixed (repaired coordinate) | desa (known only by its desa) | unknown"),
    _c("nurses_asn", "float", doc="perawat ASN (staffing table)"),
    _c("nurses_non_asn", "float", doc="perawat non-ASN (staffing table)"),
    _c("midwives_asn", "float", doc="bidan ASN (staffing table)"),
    _c("midwives_non_asn", "float", doc="bidan non-ASN (staffing table)"),
    _c("other_nakes", "float", doc="other health workers (staffing table)"),
), "Puskesmas, Pustu (incl. precursors) and Posyandu points.")

ROADS = LayerSpec("roads", "LineString", (
    _c("road_class", "str", True, "arteri | kolektor | lokal | lingkungan | setapak | ferry"),
    _c("name", "str"),
    _c("crossing_minutes", "float", doc="ferry/boat legs: fixed crossing time in minutes"),
), "Road network incl. ferry legs.")

SETTLEMENTS = LayerSpec("settlements", "Point", (
    _c("desa_code", "str"),
    _c("name", "str"),
    _c("population", "float"),
), "Optional settlement points carrying population (else desa population points are derived).")

BUDGET = LayerSpec("budget", None, (
    _c("budget_id", "str", True),
    _c("source", "str", True, "FundingSource value"),
    _c("year", "int", True),
    _c("activity", "str", True, "Activity value"),
    _c("target_desa", "str", doc="desa code"),
    _c("target_facility", "str", doc="fac_id"),
    _c("amount", "float", True, "Rupiah"),
    _c("status", "str", doc="BudgetStatus value"),
    _c("note", "str"),
    _c("multi_year", "bool", doc="a multi-year line (tahun jamak): it may fund an action that "
       "started in an earlier budget year"),
), "Budget lines tied to desa or facilities.")

IMPORT_REPORT = LayerSpec("import_report", None, (
    _c("file", "str", True),
    _c("role", "str", True, "kabupaten | kecamatan | desa | facilities | roads | budget | ..."),
    _c("row", "int", True, "spreadsheet row (header row 1) / feature number in the source file"),
    _c("status", "str", True, "imported | fixed | skipped | doubtful"),
    _c("problem", "str", doc="machine-readable problem kind, e.g. swapped_coordinates"),
    _c("message", "str", doc="the sentence for people, in the import language"),
    _c("original", "str", doc="the original value(s) that were changed or rejected"),
), "One line per input row: what happened to it.")

CONTEXT = LayerSpec("context", "Polygon", (
    _c("level", "str", True, "provinsi | kabupaten"),
    _c("code", "str", doc="Kemendagri code (PP or PP.KK) when the source has one"),
    _c("name", "str", True),
    _c("parent_code", "str", doc="provinsi code of a kabupaten/kota"),
    _c("kind", "str", doc="kabupaten | kota, as written in the source"),
), "Surrounding provinces and kabupaten/kota (the locator inset's context); never analysed.")

META = LayerSpec("meta", None, (
    _c("key", "str", True),
    _c("value", "str"),
), "Key/value facts: format_version, created, rules (TOML), column mappings (JSON), ...")

LAYERS: dict[str, LayerSpec] = {
    spec.name: spec
    for spec in (KABUPATEN, KECAMATAN, DESA, FACILITIES, ROADS, SETTLEMENTS, BUDGET,
                 IMPORT_REPORT, CONTEXT, META)
}

# Well-known meta keys.
META_FORMAT_VERSION = "format_version"
META_APP_VERSION = "app_version"
META_CREATED = "created"
META_MODIFIED = "modified"
META_RULES = "rules_toml"
META_MAPPINGS = "column_mappings_json"
META_FICTIONAL = "fictional"
META_SOURCES = "sources_json"
META_TITLE = "title"


def empty_frame(spec: LayerSpec, crs: Any = WGS84):
    """An empty (Geo)DataFrame with the spec's columns."""
    import geopandas as gpd
    import pandas as pd

    cols = {c.name: pd.Series(dtype=_PANDAS_DTYPES[c.dtype]) for c in spec.columns}
    if spec.geometry is None:
        return pd.DataFrame(cols)
    return gpd.GeoDataFrame(cols, geometry=gpd.GeoSeries([], crs=crs), crs=crs)


_PANDAS_DTYPES = {"str": "object", "int": "Int64", "float": "float64", "bool": "boolean",
                  "date": "object"}


def conform(frame, spec: LayerSpec, *, clean_texts=()):
    """Return ``frame`` with every column of ``spec`` present (missing ones added as empty),
    extra columns kept after them, and the spec's dtypes applied where safe.  ``clean_texts``:
    text columns the caller made objects holding only texts and None (a reader, from Arrow's
    buffers), taken as they are."""
    import pandas as pd

    out = frame.copy(deep=False)  # copy-on-write (pandas 3): columns are copied when changed
    for c in spec.columns:
        if c.name not in out.columns:
            out[c.name] = pd.Series([None] * len(out), index=out.index,
                                    dtype=_PANDAS_DTYPES[c.dtype])
            continue
        dtype = out[c.name].dtype
        if str(dtype) == _PANDAS_DTYPES[c.dtype] and c.dtype != "str":
            continue  # already right (large layers: no needless conversion)
        if c.dtype == "float":
            out[c.name] = pd.to_numeric(out[c.name], errors="coerce").astype("float64")
        elif c.dtype == "int":
            out[c.name] = pd.to_numeric(out[c.name], errors="coerce").astype("Int64")
        elif c.dtype == "bool":
            out[c.name] = out[c.name].astype("boolean")
        elif c.dtype == "str" and str(dtype) == "object":
            if c.name in clean_texts:
                continue
            na = out[c.name].isna().to_numpy()
            if na.any():  # NaN/NA -> None; a column without gaps stays as it is
                values = out[c.name].to_numpy(copy=True)
                values[na] = None
                out[c.name] = pd.Series(values, index=out.index, dtype=object)
        elif c.dtype == "str":
            out[c.name] = out[c.name].astype("object").where(out[c.name].notna(), None)
    order = spec.column_names + [c for c in out.columns if c not in spec.column_names]
    return out[order]


register_catalog("ilp_gis", "model")
