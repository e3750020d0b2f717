"""Issue 17: the command line's placeholders in one language — every sub-command's --help
(recursively) shows each option's metavar from the one catalogue, Indonesian words in
Indonesian, English in English; and ``report --help`` lists every kind, summary included."""

from __future__ import annotations

import argparse
import contextlib
import re

import pytest

from ilp_gis.i18n import language

ENGLISH = {"FILE", "OUTPUT", "PROJECT", "NAME", "NAMES", "YEAR", "TEXT", "DATE", "MONTH",
           "TYPE", "REPORT", "ROLE", "FIELD", "COLUMN", "LEVEL", "AREA", "AUTHOR", "ACTION",
           "SECONDS", "PEOPLE", "WIDTH", "HEIGHT", "SHEET", "PERIOD", "INDICATOR", "COMMAND",
           "DATABASE", "SOURCE", "KIND", "CODE", "MINUTES", "FIGURE", "OUT"}
INDONESIAN = {"BERKAS", "PROYEK", "KELUARAN", "NAMA", "TAHUN", "TEKS", "TANGGAL", "BULAN",
              "JENIS", "LAPORAN", "PERAN", "ISIAN", "KOLOM", "TINGKAT", "WILAYAH", "TINDAKAN",
              "DETIK", "JIWA", "MENIT", "LEMBAR", "LEBAR", "TINGGI", "PERIODE", "INDIKATOR",
              "PERINTAH", "BASIS", "DATA", "SUMBER", "KODE", "ANGKA", "AKSI"}


def _parsers(parser, path=("ilp-gis",)):
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _parsers(sub, (*path, name))


def _words(text: str) -> set[str]:
    return set(re.findall(r"[A-Z]{2,}", text))


@pytest.mark.parametrize("lang,foreign", [("id", ENGLISH), ("en", INDONESIAN)])
def test_every_metavar_in_one_language(lang, foreign):
    from ui.cli import build_parser
    from ui.cli_metavars import takes_value

    with language(lang):
        parser = build_parser()
        seen = 0
        for path, p in _parsers(parser):
            for action in p._actions:
                if isinstance(action, argparse._SubParsersAction):
                    continue
                if not takes_value(action) or action.choices:
                    continue
                seen += 1
                assert action.metavar is not None, (path, action.dest)
                mixed = _words(action.metavar) & foreign
                assert not mixed, (lang, path, action.dest, action.metavar)
            usage = p.format_usage()
            assert not (_words(usage) & foreign), (lang, path, usage)
        assert seen > 60  # every command's options were looked at


def test_import_and_report_help_read_as_intended():
    from ui.cli import build_parser

    with language("id"):
        sub = dict(_parsers(build_parser()))
        imp = sub[("ilp-gis", "import")].format_help()
        assert "--facilities [JENIS=]BERKAS" in imp and "PROYEK.gpkg" in imp
        rep = sub[("ilp-gis", "report")].format_help()
        assert "--kecamatan KECAMATAN" in rep and "-o BERKAS" in rep and "--ta TAHUN" in rep
    with language("en"):
        sub = dict(_parsers(build_parser()))
        imp = sub[("ilp-gis", "import")].format_help()
        assert "--facilities [TYPE=]FILE" in imp and "PROJECT.gpkg" in imp
        rep = sub[("ilp-gis", "report")]
        kinds = next(a for a in rep._actions if a.dest == "kind").choices
        assert set(kinds) >= {"plan", "summary", "wallmap", "atlas"}
        text = rep.format_help()
        assert "summary" in text and "--ta YEAR" in text


def test_report_help_lists_summary_from_the_command_line(capsys):
    from ui.cli import main

    with contextlib.suppress(SystemExit):
        main(["report", "--help"])
    out = capsys.readouterr().out
    assert "{plan,summary,wallmap,atlas" in out and "-o BERKAS" in out
