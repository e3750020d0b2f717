"""The CLI under hostile arguments: every bad path stops before any work with exit 1, one clear
message and nothing written; an internal error is exit 3 with one line and the trace in the log."""

from __future__ import annotations

import os

import pytest

from tests.layers import import_fixtures as fx
from ui import cli


def _listing(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.fixture
def inputs(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    desa = src / "desa.gpkg"
    fx.desa_frame().to_file(desa)
    fac = src / "faskes.csv"
    fac.write_text(fx.csv_text(";"), "utf-8-sig")
    return src, desa, fac


def _no_traceback(out):
    assert "Traceback" not in out.err and "Traceback" not in out.out


@pytest.mark.parametrize("report, match", [
    ("r.txt", "akhiran .txt"),
    ("tidak_ada/r.csv", "tidak ada"),
    ("faskes.csv/r.csv", "bukan folder"),
    (".", "adalah folder"),
])
def test_import_bad_report_path_writes_nothing(inputs, capsys, report, match):
    src, desa, fac = inputs
    before = _listing(src)
    code = cli.main(["import", str(src / "p.gpkg"), "--desa", str(desa), "--facilities",
                     str(fac), "--report", str(src / report)])
    out = capsys.readouterr()
    assert code == 1 and match in out.err
    _no_traceback(out)
    assert _listing(src) == before  # no project saved, no report


def test_report_must_not_overwrite_an_input(inputs, capsys):
    src, desa, fac = inputs
    before = _listing(src)
    code = cli.main(["import", str(src / "p.gpkg"), "--facilities", str(fac),
                     "--report", str(fac)])
    out = capsys.readouterr()
    assert code == 1 and "salah satu berkas masukan" in out.err
    assert _listing(src) == before


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="folder permissions do not bind this user")
def test_unwritable_output_folder(inputs, tmp_path, capsys):
    src, desa, _ = inputs
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        code = cli.main(["import", str(locked / "p.gpkg"), "--desa", str(desa)])
        assert code == 1 and "tidak dapat ditulisi" in capsys.readouterr().err
        assert _listing(locked) == []
    finally:
        locked.chmod(0o700)


@pytest.mark.parametrize("argv, match", [
    (["report", "{p}", "-o", "{d}/laporan.txt"], "akhiran .txt"),
    (["report", "{p}", "-o", "{d}/hilang/laporan.pdf"], "tidak ada"),
    (["tables", "{p}", "-o", "{d}"], "adalah folder"),
    (["tables", "{p}", "-o", "{d}/t.csv"], "gunakan .xlsx"),
    (["webmap", "{p}", "-o", "{d}/peta.pdf"], ".html"),
    (["analyze", "{p}", "--out", "{d}/a/b"], "tidak ada"),
    (["analyze", "{p}", "--rules", "{d}/aturan.toml"], "tidak ditemukan"),
    (["plan", "{p}", "--k", "1", "--out", "{d}/a/b"], "tidak ada"),
    (["sample", "{d}/contoh.txt"], "akhiran .txt"),
    (["sample", "{d}/c.gpkg", "--sources", "{d}/x/y"], "tidak ada"),
    (["analyze", "{d}/tidak_ada.gpkg"], "tidak_ada.gpkg"),
    (["import", "{d}/p.gpkg", "--desa", "{d}/tidak_ada.shp"], "tidak ditemukan"),
    (["import", "{d}/p.gpkg", "--facilities", "pustu={d}/tidak_ada.csv"], "tidak_ada.csv"),
    (["import", "{d}/p.gpkg", "--desa", "{p}", "--header-row", "0"], "bilangan bulat"),
])
def test_every_command_checks_paths_first(tmp_path, capsys, argv, match):
    """Each command validates before it opens the project (an empty stand-in would fail
    later): exit 1 (2 for a usage error), the message, nothing written."""
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    project = tmp_path / "p.gpkg"
    project.write_bytes(b"")  # never opened: the paths are checked first
    before = _listing(tmp_path)
    args = [a.format(p=project, d=out_dir) for a in argv]
    try:
        code = cli.main(args)
    except SystemExit as exc:  # argparse: a usage error
        code = exc.code
    out = capsys.readouterr()
    assert code in (1, 2) and match in out.err, out.err
    assert code == 1 or "--header-row" in argv
    _no_traceback(out)
    assert _listing(tmp_path) == before


def test_internal_error_is_exit_3_with_one_line_and_the_trace_in_the_log(
        inputs, tmp_path, capsys, monkeypatch):
    import ui.cli_tables as tables

    def broken(args):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(tables, "run", broken)
    log = tmp_path / "logs" / "ilp.log"
    log.parent.mkdir()
    src, *_ = inputs
    code = cli.main(["--log-file", str(log), "tables", str(src / "desa.gpkg"),
                     "-o", str(tmp_path / "t.xlsx")])
    out = capsys.readouterr()
    assert code == 3
    _no_traceback(out)
    lines = [ln for ln in out.err.splitlines() if ln.strip()]
    assert len(lines) == 1 and "Galat internal" in lines[0] and str(log) in lines[0]
    assert "ZeroDivisionError" in lines[0]
    text = log.read_text("utf-8")
    assert "Traceback" in text and "ZeroDivisionError" in text
    assert not (tmp_path / "t.xlsx").exists()


def test_a_system_refusal_names_the_file_and_is_exit_1(inputs, tmp_path, capsys, monkeypatch):
    import ui.cli_tables as tables

    def refused(args):
        raise PermissionError(13, "Permission denied", str(tmp_path / "t.xlsx"))

    monkeypatch.setattr(tables, "run", refused)
    src, *_ = inputs
    code = cli.main(["--lang", "en", "tables", str(src / "desa.gpkg"), "-o",
                     str(tmp_path / "t.xlsx")])
    out = capsys.readouterr()
    assert code == 1 and "refused the file" in out.err and "t.xlsx" in out.err
    _no_traceback(out)


def test_log_file_in_a_missing_folder_is_refused_before_any_work(inputs, tmp_path, capsys):
    src, desa, _ = inputs
    before = _listing(tmp_path)
    code = cli.main(["--log-file", str(tmp_path / "tidak_ada" / "ilp.log"), "import",
                     str(tmp_path / "p.gpkg"), "--desa", str(desa)])
    out = capsys.readouterr()
    assert code == 1 and "tidak_ada" in out.err and "tidak ada" in out.err
    assert _listing(tmp_path) == before


def test_help_documents_the_exit_codes(capsys):
    with pytest.raises(SystemExit):
        cli.main(["--lang", "en", "--help"])
    text = capsys.readouterr().out
    assert "Exit codes" in text and "3 internal error" in text


def test_a_good_import_still_writes_project_and_report(inputs, capsys):
    src, desa, fac = inputs
    code = cli.main(["import", str(src / "p.gpkg"), "--desa", str(desa), "--facilities",
                     str(fac), "--report", str(src / "r.xlsx")])
    assert code == 0
    assert (src / "p.gpkg").exists() and (src / "r.xlsx").exists()
    assert not [p for p in src.iterdir() if ".saving-" in p.name]
