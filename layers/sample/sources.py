"""The raw source files of a generated sample, as a district health office hands them over:
boundaries, facility tables, roads, settlements and budget, with deliberate defects.

May import the domain (``ilp_gis``) and the sibling modules of ``layers.sample``.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from ilp_gis import model
from ilp_gis.i18n import register_catalog, tr
from ilp_gis.jobs import checkpoint
from ilp_gis.project import Project
from layers.sample.defects import (
    Defects,
    comma,
    dms,
    lost_leading_zeros,
    n_defects,
    pick,
    without_dots,
)
from layers.sample.writers import write_csv, write_geojson, write_gpkg, write_text, write_xlsx

SOURCE_FILES = {
    "desa": "batas_desa.geojson",
    "kecamatan": "batas_kecamatan.geojson",
    "kabupaten": "batas_kabupaten.geojson",
    "puskesmas": "puskesmas.xlsx",
    "puskesmas_csv": "puskesmas.csv",
    "pustu": "pustu.csv",
    "posyandu": "posyandu.csv",
    "roads": "jalan.geojson",
    # provincial and national data sets come as GeoPackage (as BIG hands them out)
    "desa_gpkg": "batas_desa.gpkg",
    "kecamatan_gpkg": "batas_kecamatan.gpkg",
    "kabupaten_gpkg": "batas_kabupaten.gpkg",
    "roads_gpkg": "jalan.gpkg",
    "settlements": "permukiman.csv",
    "budget": "anggaran.xlsx",
    "budget_csv": "anggaran.csv",
    "defects": "DEFECTS.csv",
    "readme": "README.txt",
}

_ROAD_LABELS = {"arteri": "Arteri", "kolektor": "Kolektor", "lokal": "Lokal",
                "lingkungan": "Lingkungan", "setapak": "Jalan setapak", "ferry": "Penyeberangan"}
_SOURCE_LABELS = {"dak_fisik": "DAK Fisik", "dak_non_fisik": "DAK Non Fisik", "bok": "BOK",
                  "dau": "DAU", "dana_desa": "Dana Desa", "pihak_ketiga": "Pihak Ketiga",
                  "lainnya": "Lainnya"}
_ACTIVITY_LABELS = {"build_pustu": "Pembangunan Pustu", "upgrade_pustu": "Peningkatan Poskesdes "
                    "menjadi Pustu", "renovate": "Rehabilitasi Pustu", "equip": "Pengadaan alat "
                    "kesehatan Pustu", "add_nakes": "Penambahan tenaga kesehatan",
                    "train_kader": "Pelatihan kader Posyandu", "open_posyandu":
                    "Pembentukan Posyandu baru", "other": "Lainnya"}
_STATUS_LABELS = {"usulan": "Usulan", "disetujui": "Disetujui", "terealisasi": "Terealisasi"}


def write_sources(project: Project, directory, *, seed: int = 1,
                  workbooks: bool | None = None, geopackage: bool | None = None,
                  progress=None, is_cancelled=None) -> list:
    """Write the raw source files of ``project`` (made by :func:`generate_sample`) to
    ``directory`` and return their paths.

    The files look like what a Dinkes hands over — BIG-RBI-like boundary GeoJSON, a Kemenkes-style
    Puskesmas workbook, a semicolon/comma-decimal Latin-1 Pustu CSV, a UTF-8 Posyandu CSV with free
    Indonesian headers, a road GeoJSON and a budget workbook with amounts in mixed spellings — and
    carry deliberate defects, each listed in ``DEFECTS.csv`` (file, spreadsheet row or feature
    number, kind).
    ``workbooks`` chooses XLSX (True) or CSV twins (False: ``puskesmas.csv``, ``anggaran.csv``)
    for the Puskesmas and budget tables; by default large scales (over 5,000 desa) write CSV.
    ``geopackage`` writes the boundaries and roads as GeoPackage (``batas_desa.gpkg`` …,
    ``jalan.gpkg``) instead of GeoJSON — a provincial or national data set comes that way; by
    default the ``provinsi`` and ``nasional`` scales do, the kabupaten scale writes GeoJSON.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng([int(seed), 31337])
    defects = Defects()
    big = (len(project.desa) > 5000) if workbooks is None else not workbooks
    if geopackage is None:
        geopackage = project.meta.get("sample_scale", "kabupaten") in ("provinsi", "nasional")
    vec = "_gpkg" if geopackage else ""
    steps = 9

    def step(i: int, key: str) -> None:
        checkpoint(progress, is_cancelled, i / steps, tr("sample.progress.source", file=key))

    step(0, SOURCE_FILES["desa" + vec])
    written = _boundaries(project, directory, rng, defects, vec)
    ctx = _Context(project, directory, rng, defects)
    step(2, SOURCE_FILES["puskesmas"])
    written.append(_puskesmas(ctx, big))
    step(3, SOURCE_FILES["pustu"])
    written.append(_pustu(ctx))
    step(4, SOURCE_FILES["posyandu"])
    written.append(_posyandu(ctx))
    step(5, SOURCE_FILES["roads" + vec])
    written.append(_roads(project, directory, vec))
    step(6, SOURCE_FILES["settlements"])
    written.append(_settlements(project, directory))
    step(7, SOURCE_FILES["budget"])
    written.append(_budget(project, directory, rng, defects, big))
    step(8, SOURCE_FILES["defects"])
    written.append(defects.write(directory / SOURCE_FILES["defects"]))
    written.append(write_text(directory / SOURCE_FILES["readme"], _README.format(
        seed=int(seed), scale=project.meta.get("sample_scale", "kabupaten"))))
    checkpoint(progress, is_cancelled, 1.0, tr("sample.progress.done"))
    return written


def _write_vector(frame: gpd.GeoDataFrame, path: Path, vec: str) -> Path:
    return write_gpkg(frame, path) if vec else write_geojson(frame, path)


def _boundaries(project: Project, directory: Path, rng, defects: Defects, vec: str) -> list:
    """Desa, kecamatan and kabupaten boundaries with BIG-RBI-like headers."""
    desa, kec, kab = project.desa, project.kecamatan, project.kabupaten
    kab_name = dict(zip(kab["code"], kab["name"], strict=True))
    prov_name = "Provinsi Contoh (fiktif)"
    code = desa["code"].to_numpy(dtype=object).copy()
    table = defects.table(rng, SOURCE_FILES["desa" + vec], len(desa))
    nodot = table.mark(0.03, 4, "code_without_dots", "KDEPUM")
    code[nodot] = without_dots(code[nodot])
    lost = table.mark(0.01, 2, "code_lost_leading_zeros", "KDEPUM")
    code[lost] = lost_leading_zeros(code[lost])
    pop = desa["population"].to_numpy(dtype=float)
    d_out = gpd.GeoDataFrame({
        "NAMOBJ": desa["name"].values,
        "KDEPUM": code,
        "KDBBPS": desa["code_bps"].values,
        "WADMKD": desa["name"].values,
        "WADMKC": desa["kecamatan_name"].values,
        "KDCPUM": desa["kecamatan_code"].values,
        "WADMKK": [kab_name.get(c[:5], "") for c in desa["code"]],
        "WADMPR": prov_name,
        "TIPADM": np.where(desa["kind"] == "kelurahan", 5, 4),
        "KATEGORI": np.where(desa["kind"] == "kelurahan", "Kelurahan", "Desa"),
        "JML_PDDK": pop,
        "JML_DUSUN": desa["dusun_count"].values,
        "AKI": desa["aki"].values, "AKB": desa["akb"].values,
        "STUNTING_PERSEN": np.round(desa["stunting"].to_numpy(dtype=float) * 100, 1),
        "KETERANGAN": "DATA FIKTIF",
    }, geometry=desa.geometry.values, crs=model.WGS84)
    k_out = gpd.GeoDataFrame({
        "NAMOBJ": kec["name"].values, "KDCPUM": kec["code"].values,
        "KDCBPS": kec["code_bps"].values, "WADMKK": [kab_name.get(c[:5], "")
                                                     for c in kec["code"]],
        "WADMPR": prov_name, "TIPADM": 3, "KETERANGAN": "DATA FIKTIF",
    }, geometry=kec.geometry.values, crs=model.WGS84)
    kb_out = gpd.GeoDataFrame({
        "NAMOBJ": kab["name"].values, "KDPKAB": kab["code"].values,
        "KDBBPS": kab["code_bps"].values, "WADMPR": prov_name, "TIPADM": 2,
        "JML_PDDK": kab["population"].values, "KETERANGAN": "DATA FIKTIF",
    }, geometry=kab.geometry.values, crs=model.WGS84)
    return [_write_vector(frame, directory / SOURCE_FILES[key + vec], vec)
            for frame, key in ((d_out, "desa"), (k_out, "kecamatan"), (kb_out, "kabupaten"))]


class _Context:
    """What the three facility tables share: the facilities' coordinates, name lookups, and the
    random state that also picks a place outside every district."""

    def __init__(self, project: Project, directory: Path, rng, defects: Defects) -> None:
        self.directory, self.rng, self.defects = directory, rng, defects
        self.fac = fac = project.facilities
        self.lon = fac.geometry.x.to_numpy()
        self.lat = fac.geometry.y.to_numpy()
        self.kec_name = dict(zip(project.kecamatan["code"], project.kecamatan["name"],
                                 strict=True))
        self.fac_name = dict(zip(fac["fac_id"], fac["name"], strict=True))
        self.bounds = project.kabupaten.total_bounds

    def of_type(self, kind: str) -> tuple[gpd.GeoDataFrame, np.ndarray]:
        """The facilities of one type and their row positions."""
        mask = (self.fac["type"] == kind).to_numpy()
        return self.fac[mask], np.flatnonzero(mask)

    def outside_point(self) -> tuple[float, float]:
        """A place clearly outside every generated district (west of the data, at sea)."""
        minx, miny, maxx, maxy = self.bounds
        return float(minx - self.rng.uniform(0.4, 0.8)), float(self.rng.uniform(miny, maxy))


def _puskesmas(ctx: _Context, big: bool) -> Path:
    """The Puskesmas table (a Kemenkes-style workbook, or its CSV twin)."""
    pk, pi = ctx.of_type("puskesmas")
    lat, lon = ctx.lat, ctx.lon
    pk_tab = pd.DataFrame({
        "kode_faskes": pk["fac_id"].values,
        "nama_faskes": pk["name"].values,
        "jenis_faskes": "Puskesmas",
        "kode_kecamatan": pk["kecamatan_code"].values,
        "kecamatan": [ctx.kec_name.get(c, "") for c in pk["kecamatan_code"]],
        "desa": pk["declared_desa"].values,
        "lat_": np.round(lat[pi], 7).astype(object), "long_": np.round(lon[pi], 7).astype(object),
        "lokus_ilp": np.where(pk["ilp_lokus"].fillna(False).astype(bool), "Ya", "Tidak"),
        "coe": np.where(pk["coe"].fillna(False).astype(bool), "Ya", "Tidak"),
        "tgl_mulai_ilp": pk["ilp_start"].values,
        "no_sk_lokus": pk["lokus_sk_number"].values,
        "tgl_sk_lokus": pk["lokus_sk_date"].values,
        **{c: pk[c].values for c in model.COE_COLUMNS},
        "jml_perawat": pk["nurses"].values, "jml_bidan": pk["midwives"].values,
        "jml_nakes": pk["nakes"].values,
    })
    m = len(pk_tab)
    fname = SOURCE_FILES["puskesmas_csv" if big else "puskesmas"]
    table = ctx.defects.table(ctx.rng, fname, m)
    table.swap(pk_tab, 0.01, 1, "lat_", "long_")
    r = table.mark(0.01, 1, "comma_decimal_text")
    pk_tab.loc[r, "lat_"] = comma(pk_tab.loc[r, "lat_"].astype(float))
    pk_tab.loc[r, "long_"] = comma(pk_tab.loc[r, "long_"].astype(float))
    r = table.mark(0.005, 1, "dms_coordinates")
    pk_tab.loc[r, "lat_"] = [dms(float(v), "N", "S") for v in pk_tab.loc[r, "lat_"]]
    pk_tab.loc[r, "long_"] = [dms(float(v), "E", "W") for v in pk_tab.loc[r, "long_"]]
    # one row repeated (a duplicate) at the end
    dup = table.rows(0.005, 1)
    pk_tab = pd.concat([pk_tab, pk_tab.iloc[dup]], ignore_index=True)
    ctx.defects.add(fname, np.arange(m, m + len(dup)), "duplicate",
                    "; ".join(pk_tab["kode_faskes"].iloc[dup]))
    if big:
        return write_csv(pk_tab, ctx.directory / fname, encoding="utf-8")
    return write_xlsx(pk_tab, ctx.directory / fname, "Data Puskesmas",
                      date_cols=("tgl_mulai_ilp",))


def _pustu(ctx: _Context) -> Path:
    """The Pustu table: semicolons, comma decimals, Latin-1."""
    pt, ti = ctx.of_type("pustu")
    lat, lon = ctx.lat, ctx.lon
    parent = pt["parent_id"].to_numpy(dtype=object).copy()
    pname = pt["parent_name"].to_numpy(dtype=object)
    parent = np.where(pd.isna(parent), pname, parent)  # a name where the id was not given
    pt_tab = pd.DataFrame({
        "kode_pustu": pt["fac_id"].values,
        "nama_pustu": pt["name"].values,
        "jenis": pt["type_original"].values,
        "kode_desa": pt["desa_code"].values,
        "desa": pt["declared_desa"].values,
        "kecamatan": [ctx.kec_name.get(c, "") for c in pt["kecamatan_code"]],
        "puskesmas_induk": parent,
        "lintang": comma(lat[ti]), "bujur": comma(lon[ti]),
        "perawat": pt["nurses"].values, "bidan": pt["midwives"].values,
        "jumlah_nakes": pt["nakes"].values,
        "coe": np.where(pt["coe"].fillna(False).astype(bool), "Ya", "Tidak"),
    })
    m = len(pt_tab)
    fname = SOURCE_FILES["pustu"]
    table = ctx.defects.table(ctx.rng, fname, m)
    table.swap(pt_tab, 0.01, 2, "lintang", "bujur")
    r = table.mark(0.01, 2, "dms_coordinates")
    pt_tab.loc[r, "lintang"] = [dms(v, "N", "S") for v in lat[ti][r]]
    pt_tab.loc[r, "bujur"] = [dms(v, "E", "W") for v in lon[ti][r]]
    r = table.mark(0.004, 1, "zero_coordinates", "locate by kode_desa/desa")
    pt_tab.loc[r, ["lintang", "bujur"]] = "0"
    r = table.mark(0.02, 3, "code_without_dots", "kode_desa")
    pt_tab.loc[r, "kode_desa"] = without_dots(pt_tab.loc[r, "kode_desa"])
    r = table.mark(0.01, 2, "code_lost_leading_zeros", "kode_desa")
    pt_tab.loc[r, "kode_desa"] = lost_leading_zeros(pt_tab.loc[r, "kode_desa"])
    r = table.mark(0.005, 1, "orphan", "puskesmas_induk P9999999999 does not exist")
    pt_tab.loc[r, "puskesmas_induk"] = "P9999999999"
    extra = []
    dup = table.rows(0.01, 2)
    for j in dup:
        row = pt_tab.iloc[j].copy()
        row["nama_pustu"] = row["nama_pustu"].upper()  # same place, spelled differently
        extra.append((row, "duplicate", f"of row {j + 1} ({pt_tab['kode_pustu'].iloc[j]})"))
    lon_o, lat_o = ctx.outside_point()
    extra.append((pd.Series({"kode_pustu": "PT-LUAR-01", "nama_pustu": "Pustu Pulau Seberang",
                             "jenis": "Pustu", "kode_desa": "", "desa": "Seberang",
                             "kecamatan": "", "puskesmas_induk": "", "lintang": comma([lat_o])[0],
                             "bujur": comma([lon_o])[0], "perawat": 1.0, "bidan": 1.0,
                             "jumlah_nakes": 2.0}), "outside_district", ""))
    some = pt_tab.iloc[int(ctx.rng.integers(0, m))].copy()
    j = int(some.name)
    if j < len(ti):  # a neighbour ~100 m away (an extra row, not a copy of this Pustu)
        some["lintang"] = comma([lat[ti][j] + 0.0009])[0]
        some["bujur"] = comma([lon[ti][j] - 0.0004])[0]
    extra.append((pd.Series({**some.to_dict(), "kode_pustu": "KL-0001",
                             "nama_pustu": f"Klinik Pratama {some['desa']}",
                             "jenis": "Klinik Pratama"}), "unknown_type", "Klinik Pratama"))
    pk_names = ctx.of_type("puskesmas")[0]["name"].to_numpy()
    extra.append((pd.Series({**some.to_dict(), "kode_pustu": "PKD-0001",
                             "nama_pustu": f"Poskesdes {some['desa']} Lama",
                             "jenis": "Poskesdes",
                             "lintang": comma([lat[ti][j] - 0.0007])[0] if j < len(ti)
                             else some["lintang"],
                             "puskesmas_induk": str(pk_names[0]).upper()}),
                  "precursor_type", "Poskesdes (read as a Pustu precursor)"))
    for row, kind, detail in extra:
        ctx.defects.add(fname, [len(pt_tab)], kind, detail)
        pt_tab = pd.concat([pt_tab, row.to_frame().T], ignore_index=True)
    for col in ("perawat", "bidan", "jumlah_nakes"):
        pt_tab[col] = comma(pd.to_numeric(pt_tab[col], errors="coerce"), 0)
    return write_csv(pt_tab, ctx.directory / fname, sep=";", encoding="latin-1")


def _posyandu(ctx: _Context) -> Path:
    """The Posyandu table: UTF-8 CSV with free Indonesian headers."""
    py, yi = ctx.of_type("posyandu")
    lat, lon = ctx.lat, ctx.lon
    parent_ids = py["parent_id"].to_numpy(dtype=object)
    parent_names = np.array([ctx.fac_name.get(p, "") if isinstance(p, str) else "" for p in
                             parent_ids], dtype=object)
    given_names = py["parent_name"].to_numpy(dtype=object)
    parent_names = np.where(pd.notna(given_names), given_names, parent_names)
    py_tab = pd.DataFrame({
        "no": np.arange(1, len(py) + 1),
        "nama_posyandu": py["name"].values,
        "desa": py["declared_desa"].values,
        "kecamatan": [ctx.kec_name.get(c, "") for c in py["kecamatan_code"]],
        "lintang": np.round(lat[yi], 6).astype(object),
        "bujur": np.round(lon[yi], 6).astype(object),
        "jumlah_kader": py["kader"].astype("Int64").values,
        "strata": pd.Series(py["level"].values).str.capitalize().values,
        "kegiatan_setahun": py["sessions_per_year"].astype("Int64").values,
        "cakupan_program_persen": np.round(py["program_coverage"].to_numpy(float) * 100),
        "dana_sehat_persen": np.round(py["dana_sehat"].to_numpy(float) * 100),
        "pustu_induk": parent_names,
    })
    m = len(py_tab)
    fname = SOURCE_FILES["posyandu"]
    table = ctx.defects.table(ctx.rng, fname, m)
    table.swap(py_tab, 0.004, 3, "lintang", "bujur")
    r = table.mark(0.003, 3, "zero_coordinates", "locate by desa")
    py_tab.loc[r, ["lintang", "bujur"]] = 0.0
    r = table.mark(0.003, 3, "comma_decimal_text")
    py_tab.loc[r, "lintang"] = comma(lat[yi][r])
    py_tab.loc[r, "bujur"] = comma(lon[yi][r])
    r = table.mark(0.002, 2, "orphan", "pustu_induk 'Pustu Tidak Ada' does not exist")
    py_tab.loc[r, "pustu_induk"] = "Pustu Tidak Ada"
    dup = table.rows(0.003, 3)
    dup_rows = py_tab.iloc[dup].copy()
    dup_rows["lintang"] = pd.to_numeric(dup_rows["lintang"], errors="coerce") + 0.00005
    ctx.defects.add(fname, np.arange(m, m + len(dup)), "duplicate",
                    "a second entry of the same Posyandu a few metres away")
    py_tab = pd.concat([py_tab, dup_rows], ignore_index=True)
    lon_o, lat_o = ctx.outside_point()
    out_row = py_tab.iloc[[0]].copy()
    out_row[["nama_posyandu", "desa", "kecamatan", "lintang", "bujur", "pustu_induk"]] = [
        "Posyandu Melati Seberang", "Seberang", "", round(lat_o, 6), round(lon_o, 6), ""]
    ctx.defects.add(fname, [len(py_tab)], "outside_district")
    py_tab = pd.concat([py_tab, out_row], ignore_index=True)
    py_tab["no"] = np.arange(1, len(py_tab) + 1)
    return write_csv(py_tab, ctx.directory / fname, encoding="utf-8")


def _roads(project: Project, directory: Path, vec: str) -> Path:
    """The roads: FUNGSI = road class, WAKTU_MENIT = ferry crossing minutes."""
    roads = project.roads
    r_out = gpd.GeoDataFrame({
        "FUNGSI": roads["road_class"].map(_ROAD_LABELS).values,
        "NAMA": roads["name"].values,
        "WAKTU_MENIT": roads["crossing_minutes"].values,
    }, geometry=roads.geometry.values, crs=model.WGS84)
    return _write_vector(r_out, directory / SOURCE_FILES["roads" + vec], vec)


def _settlements(project: Project, directory: Path) -> Path:
    """The settlement points (UTF-8 with BOM, as Excel writes it)."""
    st = project.settlements
    return write_csv(pd.DataFrame({
        "kode_desa": st["desa_code"].values, "nama": st["name"].values,
        "penduduk": st["population"].values,
        "lintang": np.round(st.geometry.y.to_numpy(), 6),
        "bujur": np.round(st.geometry.x.to_numpy(), 6),
    }), directory / SOURCE_FILES["settlements"], encoding="utf-8-sig")


def _budget(project: Project, directory: Path, rng, defects: Defects, big: bool) -> Path:
    """The budget lines, amounts in the spellings people type."""
    b = project.budget
    desa_name = dict(zip(project.desa["code"], project.desa["name"], strict=True))
    amount = b["amount"].to_numpy(dtype=float)
    style = rng.integers(0, 4, len(b))
    text = np.empty(len(b), dtype=object)
    for i, (a, s) in enumerate(zip(amount, style, strict=True)):
        if s == 0:
            text[i] = "Rp " + f"{a:,.0f}".replace(",", ".")
        elif s == 1 and a >= 1e9:
            text[i] = f"{a / 1e9:g} M".replace(".", ",")
        elif s == 1 and a >= 1e6:
            text[i] = f"{a / 1e6:g} jt".replace(".", ",")
        else:
            text[i] = int(a) if s != 3 else float(a)
    codes = b["target_desa"].to_numpy(dtype=object).copy()
    fname = SOURCE_FILES["budget_csv" if big else "budget"]
    nod = np.flatnonzero(pd.notna(codes))
    nod = pick(rng, nod, n_defects(len(nod), 0.05, 2), set())
    codes[nod] = [int(c) for c in without_dots(codes[nod])]  # a number in Excel
    defects.add(fname, nod, "code_as_number", "kode_desa")
    b_tab = pd.DataFrame({
        "id": b["budget_id"].values,
        "sumber_dana": b["source"].map(_SOURCE_LABELS).values,
        "tahun": b["year"].astype("Int64").values,
        "kegiatan": b["activity"].map(_ACTIVITY_LABELS).values,
        "kode_desa": codes,
        "desa": [desa_name.get(c, "") if isinstance(c, str) else "" for c in
                 b["target_desa"]],
        "kode_faskes": b["target_facility"].values,
        "nilai": text,
        "status": b["status"].map(_STATUS_LABELS).values,
        "keterangan": b["note"].values,
    })
    if big:
        return write_csv(b_tab, directory / fname, encoding="utf-8")
    return write_xlsx(b_tab, directory / fname, "Anggaran ILP")


_README = """DATA FIKTIF / FICTIONAL DATA
============================

ID: Semua berkas di folder ini FIKTIF, dibuat oleh ILP-GIS ("ilp-gis sample", skala {scale},
seed {seed}). Tidak ada wilayah, fasilitas, orang atau anggaran yang nyata. Kode wilayah memakai
provinsi yang tidak ada (Kemendagri/BPS 99 dan nomor lain yang tidak dipakai).
Berkas-berkas ini meniru data mentah dari Dinas Kesehatan dan SENGAJA mengandung cacat data
(koordinat tertukar, desimal koma, format derajat-menit-detik, koordinat nol, kode tanpa titik
atau kehilangan angka nol, duplikat, fasilitas tanpa induk, fasilitas di luar kabupaten, jenis
fasilitas tak dikenal, Poskesdes). Daftar lengkap ada di DEFECTS.csv.

EN: Every file in this folder is FICTIONAL, generated by ILP-GIS ("ilp-gis sample", scale
{scale}, seed {seed}). No real area, facility, person or budget is described. Area codes use
provinces that do not exist (Kemendagri/BPS 99 and other unused numbers).
The files imitate raw data from a district health office and DELIBERATELY contain defects
(swapped coordinates, comma decimals, degree-minute-second strings, zero coordinates, codes
without dots or with lost leading zeros, duplicates, orphans, facilities outside the district,
an unknown facility type, a Poskesdes). DEFECTS.csv lists each one (file, row as a
spreadsheet shows it or feature number, kind).

Berkas / files:
  batas_kabupaten.geojson, batas_kecamatan.geojson, batas_desa.geojson  (BIG RBI-like headers;
      .gpkg instead of .geojson at the provinsi and nasional scales)
  puskesmas.xlsx (or puskesmas.csv at large scales)   Kemenkes-style headers
  pustu.csv      semicolon-separated, comma decimals, Latin-1 encoding
  posyandu.csv   comma-separated, UTF-8
  permukiman.csv settlement points (dusun/RW), UTF-8 with BOM
  jalan.geojson  (jalan.gpkg at large scales) roads; FUNGSI = road class, WAKTU_MENIT = ferry crossing minutes
  anggaran.xlsx (or anggaran.csv at large scales)    budget lines, amounts in mixed spellings
"""


register_catalog("layers", "sample.sources")
register_catalog("layers", "sample.generate")  # sample.progress.done
