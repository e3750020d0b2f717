"""Input files that would make GDAL read other files or the network are refused before GDAL
opens them (layers.safe_open): the driver allow-list per role, no virtual paths, no network."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pyogrio
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ilp_gis.errors import InputError, ProjectError
from ilp_gis.project import Project
from layers import readers, safe_open
from layers.importing import import_files
from layers.project_file import is_project_file, open_project, save_project
from tests.layers import import_fixtures as fx

ROOT = Path(__file__).resolve().parents[2]
SECRET_LINES = ("RAHASIA-SATU", "RAHASIA-DUA")
NOT_SUPPORTED = "bukan format yang didukung untuk batas wilayah"


def _secret(tmp_path: Path) -> Path:
    path = tmp_path / "rahasia.csv"
    path.write_text("nama\n" + "\n".join(SECRET_LINES) + "\n", "utf-8")
    return path


def _vrt_reading(source: str) -> str:
    """A GDAL VRT whose one polygon layer takes its rows from ``source``."""
    return f"""<OGRVRTDataSource>
  <OGRVRTLayer name="desa">
    <SrcDataSource>{source}</SrcDataSource>
    <SrcSQL dialect="sqlite">SELECT nama, '3507022001' AS kode,
      'POLYGON((112 -8,112.1 -8,112.1 -7.9,112 -7.9,112 -8))' AS wkt FROM rahasia</SrcSQL>
    <GeometryField encoding="WKT" field="wkt"/>
    <LayerSRS>EPSG:4326</LayerSRS>
  </OGRVRTLayer>
</OGRVRTDataSource>
"""


def _gdalg_reading(source: Path) -> str:
    return ('{"type": "gdal_streamed_alg", '
            f'"command_line": "gdal vector pipeline ! read {source}"}}')


class _Listener:
    """A local socket that counts every connection made to it while the test runs."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            self.connections += 1
            conn.close()

    def close(self) -> int:
        time.sleep(0.3)  # a request on its way still lands
        self._stop.set()
        self._thread.join(timeout=5)
        self.sock.close()
        return self.connections


@pytest.fixture
def listener():
    lis = _Listener()
    yield lis
    lis.close()


def _all_text(project) -> str:
    parts = []
    for frame in list(project.layers.values()) + list(project.tables.values()):
        parts.append(frame.astype(str).to_string())
    return "\n".join(parts)


# --- content, not name, picks the driver -----------------------------------------------------
def test_the_hostile_fixtures_really_read_other_files_when_gdal_opens_them(tmp_path):
    """Guard for the tests below: plain GDAL reads the secret through both files."""
    secret = _secret(tmp_path)
    vrt = tmp_path / "desa.vrt"
    vrt.write_text(_vrt_reading(f"CSV:{secret}"), "utf-8")
    assert set(SECRET_LINES) <= set(pyogrio.read_dataframe(vrt)["nama"])
    gdalg = tmp_path / "pipa.json"
    gdalg.write_text(_gdalg_reading(secret), "utf-8")
    assert set(SECRET_LINES) <= set(pyogrio.read_dataframe(gdalg)["nama"])


def test_vrt_named_geojson_is_refused_and_its_lines_never_reach_a_layer(tmp_path):
    secret = _secret(tmp_path)
    desa = tmp_path / "desa.geojson"
    desa.write_text(_vrt_reading(f"CSV:{secret}"), "utf-8")
    with pytest.raises(InputError, match=f"desa.geojson.*GDAL VRT, {NOT_SUPPORTED}.*GeoJSON"):
        readers.read_vector(desa)
    project = Project()
    with pytest.raises(InputError, match="GDAL VRT"):
        import_files(project, desa=desa)
    assert not any(line in _all_text(project) for line in SECRET_LINES)
    assert not project.has("desa")


def test_vrt_with_a_shapefile_or_kml_name_is_refused(tmp_path):
    secret = _secret(tmp_path)
    for name in ("desa.shp", "desa.kml", "desa.gpkg", "desa.fgb"):
        path = tmp_path / name
        path.write_text(_vrt_reading(f"CSV:{secret}"), "utf-8")
        with pytest.raises(InputError, match=f"{name}.*GDAL VRT"):
            readers.read_vector(path)


def test_gdalg_pipeline_as_json_is_refused(tmp_path):
    secret = _secret(tmp_path)
    path = tmp_path / "desa.json"
    path.write_text(_gdalg_reading(secret), "utf-8")
    with pytest.raises(InputError, match=f"desa.json.*GDALG, {NOT_SUPPORTED}"):
        readers.read_vector(path)
    with pytest.raises(InputError, match="GDALG"):
        readers.list_layers(path)


def test_vrt_inside_a_zip_or_kmz_is_refused(tmp_path):
    secret = _secret(tmp_path)
    for name, member in (("desa.zip", "desa.geojson"), ("desa.kmz", "doc.kml")):
        archive = tmp_path / name
        with zipfile.ZipFile(archive, "w") as zf:
            zf.writestr(member, _vrt_reading(f"CSV:{secret}"))
        with pytest.raises(InputError, match=f"{name}.*GDAL VRT"):
            readers.read_vector(archive)


@pytest.mark.parametrize(("content", "kind"), [
    (b"SQLite format 3\x00" + b"\x00" * 200, "SQLite"),
    (b"nama;lintang;bujur\nA;-7,9;112,5\n", "teks biasa/CSV"),
    (b'{"type": "Topology", "objects": {}}', "TopoJSON"),
    (b'<?xml version="1.0"?>\n<gpx version="1.1"></gpx>', "XML <gpx>"),
    (b"PK\x03\x04" + b"\x00" * 40, "ZIP"),
])
def test_other_formats_are_named_and_refused(tmp_path, content, kind):
    path = tmp_path / "desa.geojson"
    path.write_bytes(content)
    with pytest.raises(InputError, match=f"adalah {kind}, {NOT_SUPPORTED}"):
        readers.read_vector(path)


def test_supported_formats_still_read(tmp_path):
    frame = fx.desa_frame()
    for name, driver in (("d.gpkg", "GPKG"), ("d.shp", "ESRI Shapefile"),
                         ("d.geojson", "GeoJSON"), ("d.json", "GeoJSON"), ("d.kml", "KML"),
                         ("d.fgb", "FlatGeobuf")):
        frame.to_file(tmp_path / name, driver=driver)
        assert len(readers.read_vector(tmp_path / name).frame) == len(frame), name
    with zipfile.ZipFile(tmp_path / "d.zip", "w") as zf:
        for part in tmp_path.glob("d.*"):
            if part.suffix in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
                zf.write(part, f"batas/{part.name}")
    assert len(readers.read_vector(tmp_path / "d.zip").frame) == len(frame)


def test_kml_with_entities_is_refused(tmp_path):
    secret = _secret(tmp_path)
    path = tmp_path / "desa.kml"
    path.write_text(f"""<?xml version="1.0"?>
<!DOCTYPE kml [<!ENTITY x SYSTEM "file://{secret}">]>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><Placemark><name>&x;</name>
<Point><coordinates>112,-7.9</coordinates></Point></Placemark></Document></kml>""", "utf-8")
    with pytest.raises(InputError, match="desa.kml.*DOCTYPE/ENTITY"):
        readers.read_vector(path)


# --- virtual and remote paths ----------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "/vsicurl/http://127.0.0.1:9/desa.geojson", "http://127.0.0.1:9/desa.geojson",
    "/vsizip//tmp/x.zip/desa.shp", "/vsis3/bucket/desa.gpkg", r"\vsicurl\desa.geojson",
])
def test_virtual_and_remote_paths_are_refused(text):
    with pytest.raises(InputError, match="jalur virtual atau alamat jaringan"):
        readers.read_vector(text)
    with pytest.raises(InputError, match="jalur virtual"):
        readers.list_layers(text)


@pytest.mark.parametrize("member", ["../desa.shp", "/etc/desa.shp", "a/../../desa.geojson",
                                    "/vsicurl/http:/x/desa.geojson", "C:/desa.kml"])
def test_zip_members_that_climb_out_are_refused_and_nothing_is_extracted(tmp_path, member):
    archive = tmp_path / "desa.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(member, fx.desa_frame().to_json())
    before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(InputError, match="desa.zip.*nama berkas yang tidak aman"):
        readers.read_vector(archive)
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert not (tmp_path.parent / "desa.shp").exists()


# --- no network -------------------------------------------------------------------------------
def test_gdal_itself_is_kept_off_the_network(listener):
    """The config set when layers.safe_open is imported: even a direct /vsicurl/ read by
    pyogrio (past the gate) makes no connection."""
    url = f"/vsicurl/http://127.0.0.1:{listener.port}/x.geojson"
    with pytest.raises(Exception):  # noqa: B017 - GDAL's own error type
        pyogrio.read_info(url)
    assert listener.close() == 0


def test_vrt_pointing_at_the_network_makes_no_connection_during_import(tmp_path, listener):
    desa = tmp_path / "desa.geojson"
    desa.write_text(_vrt_reading(f"/vsicurl/http://127.0.0.1:{listener.port}/x.geojson"),
                    "utf-8")
    with pytest.raises(InputError, match="desa.geojson.*GDAL VRT"):
        import_files(None, desa=desa)
    assert listener.close() == 0


def test_cli_import_refuses_hostile_files_without_traceback_or_project(tmp_path, listener):
    secret = _secret(tmp_path)
    desa = tmp_path / "desa.geojson"
    desa.write_text(_vrt_reading(f"CSV:{secret}"), "utf-8")
    roads = tmp_path / "jalan.geojson"
    roads.write_text(_vrt_reading(f"/vsicurl/http://127.0.0.1:{listener.port}/j.geojson"),
                     "utf-8")
    for args in (["--desa", str(desa)], ["--roads", str(roads)]):
        proj = tmp_path / "proyek.gpkg"
        env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen")
        done = subprocess.run([sys.executable, "-m", "ui.cli", "import", str(proj), *args],
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 1, done.stderr
        assert "GDAL VRT" in done.stderr and NOT_SUPPORTED in done.stderr
        assert "Traceback" not in done.stderr + done.stdout
        assert not any(line in done.stdout + done.stderr for line in SECRET_LINES)
        assert not proj.exists()
        assert not [p for p in tmp_path.iterdir() if p.suffix == ".gpkg"]
    assert listener.close() == 0


# --- the project file: GeoPackage only --------------------------------------------------------
def test_project_path_that_is_not_a_geopackage_is_refused(tmp_path):
    secret = _secret(tmp_path)
    fake = tmp_path / "proyek.gpkg"
    fake.write_text(_vrt_reading(f"CSV:{secret}"), "utf-8")
    with pytest.raises(ProjectError, match="proyek.gpkg.*GDAL VRT, bukan format yang didukung "
                                           "untuk berkas proyek: GeoPackage"):
        open_project(fake)
    assert not is_project_file(fake)
    gdalg = tmp_path / "pipa.gpkg"
    gdalg.write_text(_gdalg_reading(secret), "utf-8")
    with pytest.raises(ProjectError, match="GDALG"):
        open_project(gdalg)


def test_a_real_project_still_opens(tmp_path):
    project = Project()
    project.set_layer("desa", fx.desa_frame())
    path = save_project(project, tmp_path / "p.gpkg")
    assert is_project_file(path)
    assert len(open_project(path).desa) == len(fx.desa_frame())


def test_feature_count_asks_sqlite_only_of_a_real_project(tmp_path):
    from layers.project_file import feature_count

    project = Project()
    project.set_layer("desa", fx.desa_frame())
    path = save_project(project, tmp_path / "p.gpkg")
    assert feature_count(path, "desa") == len(fx.desa_frame())
    assert feature_count(path, "roads") is None
    fake = tmp_path / "bukan.gpkg"
    fake.write_text("desa,kode\nA,1\n", "utf-8")
    assert feature_count(fake, "desa") is None


def test_every_gdal_read_goes_through_the_gate():
    """Only layers/readers.py and layers/project_file.py open files with pyogrio, and each
    takes the name it opens from layers.safe_open."""
    reads = ("pyogrio.read", "pyogrio.list_layers", "pyogrio.open_arrow", "read_file(",
             "read_dataframe(", "read_info(", "fiona.open")
    found = {}
    for room in ("ilp_gis", "layers", "reports", "ui"):
        for py in (ROOT / room).rglob("*.py"):
            text = py.read_text("utf-8")
            if any(r in text for r in reads):
                found[py.relative_to(ROOT).as_posix()] = text
    assert set(found) == {"layers/readers.py", "layers/project_file.py"}
    assert all("safe_open.gdal_source(" in text for text in found.values())


# --- the detector never fails ---------------------------------------------------------------
@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400), st.sampled_from(["", ".gpkg", ".geojson", ".shp", ".kml"]))
def test_detect_names_any_bytes(head, suffix):
    kind = safe_open.detect(head, suffix)
    assert isinstance(kind, str) and kind


def _files(folder):
    return {p.relative_to(folder).as_posix(): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in folder.rglob("*") if p.is_file()}


def test_commands_write_nothing_outside_their_outputs(tmp_path, monkeypatch):
    """import, analyze, report, tables and webmap touch only the outputs they were given (and
    the project they update): nothing beside the inputs, nothing in the working folder."""
    import shutil

    from ui import cli

    repo = Path(__file__).resolve().parents[2]
    src = tmp_path / "in"
    shutil.copytree(repo / "sample_data" / "sources", src)
    out = tmp_path / "out"
    out.mkdir()
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    before = _files(src)
    project = out / "proyek.gpkg"
    assert cli.main(["import", str(project), "--desa", str(src / "batas_desa.geojson"),
                     "--facilities", str(src / "pustu.csv"), "--report",
                     str(out / "laporan_impor.csv")]) == 0
    assert cli.main(["analyze", str(project), "--out", str(out / "analisis")]) == 0
    assert cli.main(["tables", str(project), "-o", str(out / "tabel.xlsx")]) == 0
    assert cli.main(["report", str(project), "-o", str(out / "laporan.pdf")]) == 0
    assert cli.main(["webmap", str(project), "-o", str(out / "peta.html")]) == 0
    assert _files(src) == before
    assert list(work.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cwd", "in", "out"]
    written = set(_files(out))
    assert {"proyek.gpkg", "laporan_impor.csv", "tabel.xlsx", "laporan.pdf", "peta.html",
            "analisis/summary.json"} <= written
    leftovers = [n for n in written if "saving" in n or n.endswith(("-journal", "-wal", ".tmp"))]
    assert leftovers == []
