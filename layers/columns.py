"""Which source column holds which field: detection for the headers Indonesian data comes with.

Known header families: BIG RBI boundaries (NAMOBJ, WADMKD, WADMKC, WADMKK, KDEPUM, KDEBPS,
KDCPUM, ...), BPS (iddesa, nmdesa, idkec, ...), geoBoundaries (shapeName, shapeISO), OpenStreetMap
(name, amenity, healthcare), Kemenkes facility lists (kode_faskes, nama_faskes, jenis_faskes,
lat_, long_) and free Indonesian headers (nama_desa, jumlah_penduduk, lintang/bujur, bidan,
kader, strata, puskesmas_induk, ...).  Case, spacing and punctuation of headers never matter.

A mapping is ``role -> {field: source column}``; ``--map ROLE.FIELD=COLUMN`` overrides any
guess (an empty COLUMN removes the field).  The mapping is returned so the UI can show and edit
it, and stored in the project (meta ``column_mappings_json``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ilp_gis.codes import BPS, KEMENDAGRI
from ilp_gis.errors import InputError
from ilp_gis.i18n import register_catalog, tr
from ilp_gis.model import COE_COLUMNS

ROLES = ("kabupaten", "kecamatan", "desa", "facilities", "roads", "staffing", "coe",
         "desa_data", "context")


def norm_header(header: object) -> str:
    """``" Nama  Desa "`` → ``"nama_desa"``; ``"lat_"`` → ``"lat"``."""
    text = str(header).strip().lower()
    text = re.sub(r"[^0-9a-z]+", "_", text)
    return text.strip("_")


# Synonyms in priority order (normalised headers).  The first present wins.
_AREA_COMMON = {
    "population": ["jumlah_penduduk", "penduduk", "jml_penduduk", "jumlah_pddk", "populasi",
                   "population", "pop", "penduduk_total", "total_penduduk", "jiwa",
                   "jumlah_pen", "jml_pendud", "penduduk_t", "jml_pddk"],
    "aki": ["aki", "kematian_ibu", "jumlah_kematian_ibu", "maternal_deaths"],
    "akb": ["akb", "kematian_bayi", "jumlah_kematian_bayi", "infant_deaths"],
    "stunting": ["stunting", "prevalensi_stunting", "persen_stunting", "stunting_pct",
                 "stunting_persen", "stunting_pers"],
}

SYNONYMS: dict[str, dict[str, list[str]]] = {
    "kabupaten": {
        "code": ["kdpkab", "kode_kab", "kode_kabupaten", "kd_kab", "kode_kemendagri", "kode",
                 "kdepum", "code"],
        "code_bps": ["kdbbps", "kode_bps", "idkab", "kd_bps", "bps_code", "kdebps"],
        "name": ["wadmkk", "namobj", "nama_kabupaten", "nama_kab", "kabupaten", "nmkab",
                 "nama", "shapename", "name", "kab_kota", "kabupaten_kota"],
        "population": _AREA_COMMON["population"],
    },
    "kecamatan": {
        "code": ["kdcpum", "kode_kec", "kode_kecamatan", "kd_kec", "kode_kemendagri", "kode",
                 "code"],
        "code_bps": ["kdcbps", "kode_bps", "idkec", "kd_bps", "bps_code"],
        "name": ["wadmkc", "namobj", "nama_kecamatan", "nama_kec", "kecamatan", "nmkec", "nama",
                 "shapename", "name"],
        "kabupaten_code": ["kdpkab", "kode_kab", "kode_kabupaten"],
        "population": _AREA_COMMON["population"],
    },
    "desa": {
        "code": ["kdepum", "kode_desa", "kode_kemendagri", "kd_desa_kemendagri", "kode_wilayah",
                 "kode", "code", "kd_desa"],
        "code_bps": ["kdebps", "kdbbps", "kode_bps", "kode_desa_bps", "iddesa", "bps_code"],
        "name": ["wadmkd", "namobj", "nama_desa", "desa_kelurahan", "nama_kelurahan",
                 "nama_desa_kelurahan", "desa", "kelurahan", "nmdesa", "nama", "shapename",
                 "name"],
        "kind": ["jenis", "tipe", "status_desa", "jenis_desa", "desa_kelurahan_jenis", "kind",
                 "type", "kategori", "jenis_wilayah"],
        "kecamatan_code": ["kdcpum", "kode_kec", "kode_kecamatan", "kd_kec", "idkec", "kdcbps"],
        "kecamatan_name": ["wadmkc", "nama_kec", "nama_kecamatan", "kecamatan", "nmkec"],
        "dusun_count": ["jumlah_dusun", "jml_dusun", "dusun", "jumlah_rw", "jml_rw", "rw",
                        "jumlah_dusun_rw", "dusun_rw", "n_dusun", "jumlah_dus", "jml_dusun_"],
        **_AREA_COMMON,
    },
    "facilities": {
        "code": ["kode_faskes", "kode_puskesmas", "kode_pkm", "kode_fasyankes", "kode",
                 "kode_posyandu", "kode_pustu", "code", "osm_id", "fac_id", "id"],
        "name": ["nama_faskes", "nama_fasyankes", "nama_puskesmas", "nama_pkm", "nama_pustu",
                 "nama_posyandu", "nama_fasilitas", "nama", "name", "fasilitas"],
        "type": ["jenis_faskes", "jenis_fasyankes", "jenis", "tipe", "tipe_faskes", "type",
                 "kategori", "healthcare", "amenity"],
        "lat": ["lat", "latitude", "lintang", "y", "koordinat_lintang", "lat_dd", "ycoord"],
        "lon": ["long", "lon", "lng", "longitude", "bujur", "x", "koordinat_bujur", "long_dd",
                "xcoord"],
        "declared_desa": ["desa", "nama_desa", "desa_kelurahan", "kelurahan", "lokasi_desa",
                          "wadmkd"],
        "declared_desa_code": ["kode_desa", "kd_desa", "kdepum", "kode_wilayah", "iddesa",
                               "kode_desa_bps", "kode_kelurahan"],
        "declared_kecamatan": ["kecamatan", "nama_kecamatan", "nama_kec", "wadmkc"],
        "address": ["alamat", "alamat_faskes", "alamat_fasyankes", "alamat_lengkap",
                    "alamat_puskesmas", "address"],
        "parent": ["induk", "puskesmas_induk", "pustu_induk", "nama_induk", "faskes_induk",
                   "induk_puskesmas", "induk_pustu", "parent", "kode_induk", "parent_id"],
        "nurses": ["perawat", "jumlah_perawat", "jml_perawat", "nurses"],
        "midwives": ["bidan", "jumlah_bidan", "jml_bidan", "midwives"],
        "nakes": ["nakes", "jumlah_nakes", "jml_nakes", "tenaga_kesehatan", "tenaga_medis_total",
                  "total_nakes"],
        "kader": ["kader", "jumlah_kader", "jml_kader", "kader_aktif"],
        "level": ["strata", "tingkat", "tingkat_posyandu", "strata_posyandu", "level",
                  "kategori_posyandu"],
        "sessions_per_year": ["jumlah_kegiatan", "sesi_per_tahun", "frekuensi_buka",
                              "jumlah_buka", "sessions_per_year", "kegiatan_setahun",
                              "jumlah_kegiatan_setahun", "buka_setahun"],
        "program_coverage": ["cakupan_program", "cakupan_program_utama", "cakupan_program_persen",
                             "cakupan_program_pct", "cakupan_persen", "program_coverage"],
        "dana_sehat": ["dana_sehat", "dana_sehat_persen", "dana_sehat_pct", "cakupan_dana_sehat",
                       "kk_dana_sehat_persen"],
        "lokus_sk_number": ["no_sk_lokus", "nomor_sk_lokus", "sk_lokus", "no_sk", "nomor_sk"],
        "lokus_sk_date": ["tgl_sk_lokus", "tanggal_sk_lokus", "tgl_sk", "tanggal_sk"],
        "ilp_lokus": ["lokus_ilp", "ilp_lokus", "lokus"],
        "coe": ["coe", "center_of_excellence", "puskesmas_coe"],
        "ilp_start": ["mulai_ilp", "tanggal_ilp", "tgl_mulai_ilp", "tanggal_mulai_ilp",
                      "ilp_start"],
        **{c: [c, c.replace("coe_", "")] for c in COE_COLUMNS},
    },
    "staffing": {  # staffing tables (Kemenkes SDMK dashboards): one row per facility
        "code": ["kode_faskes", "kode_fasyankes", "kode_puskesmas", "kode_pustu", "kode_pkm",
                 "kode", "code", "fac_id"],
        "name": ["nama_faskes", "nama_fasyankes", "nama_puskesmas", "nama_pustu", "nama_pkm",
                 "nama_fasilitas", "fasyankes", "faskes", "nama", "name"],
        "type": ["jenis_faskes", "jenis_fasyankes", "jenis", "tipe", "type"],
        "kabupaten": ["kabupaten", "kab_kota", "kabupaten_kota", "nama_kabupaten", "nama_kab",
                      "kota_kabupaten", "kabkota"],
        "kecamatan": ["kecamatan", "nama_kecamatan", "nama_kec"],
        "nurses_asn": ["perawat_asn", "perawat_pns", "asn_perawat", "perawat_pns_pppk",
                       "jumlah_perawat_asn"],
        "nurses_non_asn": ["perawat_non_asn", "perawat_nonasn", "perawat_non_pns",
                           "non_asn_perawat", "perawat_honorer", "jumlah_perawat_non_asn"],
        "nurses": ["perawat_total", "total_perawat", "jumlah_perawat", "jml_perawat", "perawat",
                   "nurses"],
        "midwives_asn": ["bidan_asn", "bidan_pns", "asn_bidan", "bidan_pns_pppk",
                         "jumlah_bidan_asn"],
        "midwives_non_asn": ["bidan_non_asn", "bidan_nonasn", "bidan_non_pns", "non_asn_bidan",
                             "bidan_honorer", "jumlah_bidan_non_asn"],
        "midwives": ["bidan_total", "total_bidan", "jumlah_bidan", "jml_bidan", "bidan",
                     "midwives"],
        "other_nakes": ["nakes_lain", "nakes_lainnya", "tenaga_kesehatan_lain",
                        "nakes_lain_lain", "other_nakes"],
        "nakes": ["total_nakes", "jumlah_nakes", "jml_nakes", "nakes_total", "nakes",
                  "tenaga_kesehatan", "tenaga_medis_total"],
    },
    "desa_data": {  # per-desa tables: BPS PODES (readable and raw R-codes), Dinkes recaps
        "code": ["kode_desa", "kode_kemendagri", "kd_desa_kemendagri", "kode_wilayah", "kdepum",
                 "kode_desa_kelurahan", "kode", "kd_desa", "code"],
        "code_bps": ["kode_bps_2019", "kode_bps", "kode_desa_bps", "iddesa", "kdebps",
                     "kode_bps_desa", "bps_code", "kode_podes"],
        "name": ["nama_desa", "desa_kelurahan", "nama_desa_kelurahan", "nama_kelurahan",
                 "nama_podes2019", "r104n", "desa", "kelurahan", "nmdesa", "wadmkd", "nama",
                 "name"],
        "kecamatan_code": ["kode_kecamatan", "kode_kec", "kd_kec", "kdcpum", "idkec", "kdcbps"],
        "kecamatan_name": ["nama_kecamatan", "nama_kec", "kecamatan_podes2019", "r103n",
                           "kecamatan", "nmkec", "wadmkc"],
        "kabupaten_code": ["kode_kabupaten", "kode_kab", "kd_kab", "idkab", "kdpkab"],
        "kabupaten_name": ["nama_kabupaten", "nama_kab", "kabupaten_kota", "r102n", "kabupaten",
                           "nmkab", "wadmkk"],
        "population": ["jumlah_penduduk", "jml_penduduk", "penduduk", "penduduk_total",
                       "total_penduduk", "jumlah_jiwa", "jiwa", "populasi", "population"],
        "pop_male": ["penduduk_laki_laki", "laki_laki", "jumlah_laki_laki", "jml_laki_laki",
                     "pria", "male"],
        "pop_female": ["penduduk_perempuan", "perempuan", "jumlah_perempuan", "jml_perempuan",
                       "wanita", "female"],
        "pop_ibu_hamil": ["ibu_hamil", "jumlah_ibu_hamil", "jml_ibu_hamil", "bumil",
                          "sasaran_ibu_hamil"],
        "pop_bayi": ["bayi", "jumlah_bayi", "jml_bayi", "sasaran_bayi", "bayi_0_11_bulan"],
        "pop_balita": ["balita", "jumlah_balita", "jml_balita", "sasaran_balita"],
        "pop_anak_sekolah": ["anak_usia_sekolah", "usia_sekolah", "jumlah_anak_usia_sekolah",
                             "anak_sekolah"],
        "pop_remaja": ["remaja", "jumlah_remaja", "jml_remaja"],
        "pop_usia_produktif": ["usia_produktif", "jumlah_usia_produktif", "penduduk_usia_produktif"],
        "pop_lansia": ["lansia", "jumlah_lansia", "jml_lansia", "sasaran_lansia"],
        "families": ["jumlah_kk", "jml_kk", "jumlah_keluarga", "jml_keluarga", "keluarga",
                     "keluarga_total_derived", "kk", "jumlah_rumah_tangga", "rumah_tangga",
                     "jumlah_ruta", "families"],
        "dusun_count": ["jumlah_dusun", "jml_dusun", "dusun", "n_dusun", "dusun_count"],
        "rw_count": ["jumlah_rw", "jml_rw", "rw", "rw_count"],
        "rt_count": ["jumlah_rt", "jml_rt", "rt", "rt_count"],
        "area_heads": ["aparat_kewilayahan_kadus_rt_rw", "r1303c", "aparat_kewilayahan",
                       "area_heads"],
        "count_pustu": ["jumlah_pustu", "jml_pustu", "pustu_n", "r502ek2", "pustu",
                        "count_pustu"],
        "count_poskesdes": ["jumlah_poskesdes", "jml_poskesdes", "poskesdes_n", "r502jk2",
                            "poskesdes", "count_poskesdes"],
        "count_polindes": ["jumlah_polindes", "jml_polindes", "polindes_n", "r502kk2",
                           "polindes", "count_polindes"],
        "count_posyandu": ["jumlah_posyandu", "jml_posyandu", "posyandu_n", "r502n", "posyandu",
                           "count_posyandu"],
        **{f"posyandu_{lv}_n": [f"posyandu_{lv}", f"jumlah_posyandu_{lv}", f"jml_posyandu_{lv}",
                                f"posyandu_{lv}_n", lv]
           for lv in ("pratama", "madya", "purnama", "mandiri")},
        "aki": _AREA_COMMON["aki"],
        "akb": _AREA_COMMON["akb"],
        "stunting": _AREA_COMMON["stunting"],
        "gizi_buruk": ["gizi_buruk", "jumlah_gizi_buruk", "jml_gizi_buruk", "gizi_buruk_2018_n",
                       "r1207", "balita_gizi_buruk"],
    },
    "roads": {
        "road_class": ["kelas_jalan", "road_class", "fungsi_jalan", "fungsi", "remark",
                       "highway", "kelas", "jenis_jalan", "route"],
        "name": ["namobj", "nama_jalan", "nama", "name"],
        "crossing_minutes": ["waktu_penyeberangan", "crossing_minutes", "durasi_menit",
                             "waktu_menit", "menit", "duration"],
    },
    "context": {  # provinces and kabupaten/kota around the district (locator inset)
        "code": ["kode", "code", "kdpkab", "kdppum", "kode_kab", "kode_kabupaten", "kode_prov",
                 "kode_provinsi", "kd_prov", "kd_kab", "kode_kemendagri"],
        "name": ["nama", "name", "wadmkk", "wadmpr", "namobj", "nama_kabupaten", "nama_kab",
                 "nama_provinsi", "nama_prov", "provinsi", "kabupaten", "shapename"],
        "level": ["tingkat", "level", "tingkat_wilayah", "admin_level"],
        "parent_code": ["kode_prov", "kode_provinsi", "kd_prov", "kdppum", "province_code"],
        "kind": ["jenis", "jenis_wilayah", "kab_kota", "type"],
    },
}
# COE assessment tables (layers.importing.coe_assessment): a unit's Puskesmas by the key columns
# of a staffing table; the indicator columns are matched to the COE indicator list there
SYNONYMS["coe"] = {k: SYNONYMS["staffing"][k]
                   for k in ("code", "name", "type", "kabupaten", "kecamatan")}

KNOWN_HEADERS = frozenset(h for fields in SYNONYMS.values() for names in fields.values()
                          for h in names)
"""Every header :func:`detect_columns` knows (normalised), of any role."""

HEADER_MIN_KNOWN = 2
"""A row is taken for the header row when this many of its cells are known headers."""


def header_score(cells) -> int:
    """How many ``cells`` read as a known column header (a table's header row scores
    :data:`HEADER_MIN_KNOWN` or more; a title or instruction line scores 0 or 1)."""
    return sum(1 for c in cells if isinstance(c, str) and norm_header(c) in KNOWN_HEADERS)


REQUIRED: dict[str, tuple[str, ...]] = {
    "kabupaten": ("name",), "kecamatan": ("name",), "desa": ("name",),
    "facilities": ("name",), "roads": (), "staffing": (), "coe": (),
    "desa_data": (),  # a code or a name: checked there
    "context": ("name",),
}

# The code system a source column declares (RBI/BPS headers say which system they hold).
DECLARED_SYSTEM = {
    "kdepum": KEMENDAGRI, "kdcpum": KEMENDAGRI, "kdpkab": KEMENDAGRI, "kdppum": KEMENDAGRI,
    "kode_kemendagri": KEMENDAGRI, "kd_desa_kemendagri": KEMENDAGRI,
    "kdebps": BPS, "kdcbps": BPS, "kdbbps": BPS, "iddesa": BPS, "idkec": BPS, "idkab": BPS,
    "kode_bps": BPS, "kode_desa_bps": BPS, "kode_bps_2019": BPS, "kode_bps_desa": BPS,
    "kode_podes": BPS, "kd_bps": BPS, "bps_code": BPS,
}
# Fields whose content is a code of a known system regardless of the header.
_FIELD_SYSTEM = {"code_bps": BPS}


@dataclass
class ColumnMapping:
    """The mapping of one source file: ``fields`` maps model field → source column header."""

    role: str
    fields: dict[str, str] = field(default_factory=dict)
    unused: list[str] = field(default_factory=list)
    overridden: list[str] = field(default_factory=list)
    systems: dict[str, str] = field(default_factory=dict)  # field -> declared code system

    def get(self, name: str) -> str | None:
        return self.fields.get(name)

    def to_dict(self) -> dict:
        return {"role": self.role, "fields": dict(self.fields), "unused": list(self.unused),
                "overridden": list(self.overridden), "systems": dict(self.systems)}

    @classmethod
    def from_dict(cls, data: dict) -> ColumnMapping:
        return cls(data["role"], dict(data.get("fields", {})), list(data.get("unused", [])),
                   list(data.get("overridden", [])), dict(data.get("systems", {})))

    def describe(self, *, lang: str | None = None) -> str:
        """``nama ← NAMA PKM, lat ← Lintang`` for people."""
        parts = [f"{f} ← {c}" + (" *" if f in self.overridden else "")
                 for f, c in self.fields.items()]
        return ", ".join(parts) if parts else tr("columns.nothing_mapped", lang=lang)


def detect_columns(headers, role: str, overrides: dict[str, str] | None = None, *,
                   file: object = None) -> ColumnMapping:
    """Guess which header holds which field of ``role``; apply ``overrides`` (field → header,
    matched ignoring case/spacing; ``""`` removes the field).

    Raises :class:`InputError` (naming the file, the columns present and the fix) when an
    override names an unknown field or column, or a required field is not found.
    """
    if role not in SYNONYMS:
        raise ValueError(f"unknown role {role!r}")
    headers = [str(h) for h in headers]
    by_norm: dict[str, str] = {}
    for h in headers:
        by_norm.setdefault(norm_header(h), h)
    mapping = ColumnMapping(role)
    taken: set[str] = set()
    for fname, synonyms in SYNONYMS[role].items():
        for syn in synonyms:
            col = by_norm.get(syn)
            if col is not None and col not in taken:
                mapping.fields[fname] = col
                taken.add(col)
                break
    # "name" may also be taken by other fields earlier in the list; keep the name first:
    for fname, col in list((overrides or {}).items()):
        if fname not in SYNONYMS[role]:
            raise InputError(tr("columns.unknown_field", role=role, field=fname,
                                known=", ".join(SYNONYMS[role])), file=file)
        if col is None or str(col).strip() in ("", "-"):
            mapping.fields.pop(fname, None)
            mapping.overridden.append(fname)
            continue
        actual = by_norm.get(norm_header(col))
        if actual is None:
            raise InputError(tr("columns.unknown_column", column=col, field=f"{role}.{fname}",
                                columns=", ".join(headers)), file=file)
        for other, c in list(mapping.fields.items()):
            if c == actual and other != fname:
                del mapping.fields[other]
        mapping.fields[fname] = actual
        mapping.overridden.append(fname)
    for fname, col in mapping.fields.items():
        system = DECLARED_SYSTEM.get(norm_header(col)) or _FIELD_SYSTEM.get(fname)
        if system:
            mapping.systems[fname] = system
    # Two coordinate columns are needed together.
    if ("lat" in mapping.fields) != ("lon" in mapping.fields) and role == "facilities":
        one = "lat" if "lat" in mapping.fields else "lon"
        other = "lon" if one == "lat" else "lat"
        raise InputError(tr("columns.coordinate_pair", found=mapping.fields[one],
                            missing=f"facilities.{other}", columns=", ".join(headers)),
                         file=file)
    used = set(mapping.fields.values())
    mapping.unused = [h for h in headers if h not in used and h.lower() != "geometry"]
    return mapping


def require(mapping: ColumnMapping, headers, *, file: object = None,
            need: tuple[str, ...] | None = None) -> None:
    """Raise :class:`InputError` when a required field has no column."""
    for fname in need if need is not None else REQUIRED[mapping.role]:
        if fname not in mapping.fields:
            raise InputError(tr("columns.missing_required", field=f"{mapping.role}.{fname}",
                                columns=", ".join(str(h) for h in headers)), file=file)


def parse_map_options(items) -> dict[str, dict[str, str]]:
    """``["facilities.name=NAMA PKM", ...]`` → ``{"facilities": {"name": "NAMA PKM"}}``."""
    out: dict[str, dict[str, str]] = {}
    for item in items or ():
        text = str(item)
        left, sep, right = text.partition("=")
        role, dot, fname = left.strip().partition(".")
        if not sep or not dot or not role or not fname:
            raise InputError(tr("columns.bad_map_option", option=text))
        role = role.strip().lower()
        if role not in SYNONYMS and role != "budget":  # budget columns: planning's reader
            raise InputError(tr("columns.bad_map_role", option=text,
                                roles=", ".join((*ROLES, "budget"))))
        out.setdefault(role, {})[fname.strip().lower()] = right.strip()
    return out


register_catalog("layers", "columns")
