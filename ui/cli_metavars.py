"""Metavars of every command's options in the UI language: ``BERKAS`` / ``FILE``,
``[JENIS=]BERKAS`` / ``[TYPE=]FILE``, ``PROYEK.gpkg`` / ``PROJECT.gpkg``, ``KECAMATAN``, ...

The command modules write their options in their own words (a literal, a ``tr`` text or
argparse's upper-cased destination); :func:`localise_metavars`, run once on the whole parser,
gives every option that takes a value the one placeholder of its kind from the catalogue
``ui/messages/cli_metavars.toml``, so ``--help`` never mixes the two languages.  Imports
argparse and ilp_gis.i18n only."""

from __future__ import annotations

import argparse

from ilp_gis.i18n import register_catalog, tr

BY_TEXT = {
    "BERKAS": "file", "FILE": "file", "[TYPE=]FILE": "file_typed",
    "PROJECT.gpkg": "project", "PROYEK.gpkg": "project", "OUT.gpkg": "out_gpkg",
    "DIR": "folder", "FILE.tif": "file_tif", "FILE.toml": "file_toml", "FILE.png": "file_png",
    "FILE.csv": "file_csv", "FILE.xlsx": "file_xlsx", "LOGO.png": "logo",
    "LEVEL[:AREA][=N]": "population_total", "ROLE.FIELD=COLUMN": "map",
    "REPORT.csv|.xlsx": "report_file", "TAHUN": "year", "YEAR": "year", "TEKS": "text",
    "NAMA": "name", "TANGGAL": "date", "DATE": "date", "BULAN": "month", "MONTH": "month",
    "LEMBAR": "sheet", "SHEET": "sheet", "JIWA": "people", "DETIK": "seconds",
    "X": "km", "M": "minutes", "RP": "rp", "N": "n", "PP.KK": "kabupaten_code",
    "PERAN=PP.KK": "team", "PERAN": "role", "TINDAKAN": "action", "ACTION": "action",
    "PERIODE": "period", "PERIOD": "period", "INDIKATOR": "indicator",
    "INDICATOR": "indicator", "NO_AKSI": "action_no", "ACTION_NO": "action_no",
}
"""A metavar written in a command module → its kind."""

BY_DEST = {
    "log_file": "file", "project": "project", "kecamatan": "kecamatan", "author": "name",
    "nip": "nip", "colour_by": "figure", "sheet": "sheet", "seed": "n", "year": "year",
    "size": "size", "note": "text", "kegiatan": "text", "activity": "activity", "desa": "desa",
    "fac_id": "facility_code", "responsible": "name", "partners": "names",
    "funding_source": "funding_source", "status": "status", "database": "database",
    "service_file": "file",
}
"""An option without a metavar of its own: its destination → its kind."""

OUTPUT_BY_COMMAND = {"report": "file", "tables": "file_xlsx", "webmap": "file_html",
                     "pull": "project", "checkout": "project"}
"""``-o/--output`` says which file it writes."""


def metavar(kind: str) -> str:
    """The placeholder of ``kind`` in the UI language."""
    return tr(f"cli.metavar.{kind}")


def _kind(action: argparse.Action, command: str) -> str | None:
    if isinstance(action.metavar, str) and action.metavar in BY_TEXT:
        return BY_TEXT[action.metavar]
    if action.metavar is not None:
        return None  # already a text of the UI language (or a list of sub-commands)
    if action.dest == "output":
        return OUTPUT_BY_COMMAND.get(command, "file")
    return BY_DEST.get(action.dest)


def takes_value(action: argparse.Action) -> bool:
    return action.nargs != 0 and not isinstance(action, (argparse._HelpAction,
                                                         argparse._VersionAction))


def localise_metavars(parser: argparse.ArgumentParser, command: str = "") -> None:
    """Give every option of ``parser`` and its sub-commands (recursively) the metavar of its
    kind in the UI language; options with choices keep ``{a,b}``."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            if isinstance(action.metavar, str) and action.metavar in BY_TEXT:
                action.metavar = metavar(BY_TEXT[action.metavar])
            for name, sub in action.choices.items():
                localise_metavars(sub, name)
            continue
        if not takes_value(action) or action.choices:
            continue
        kind = _kind(action, command)
        if kind is not None:
            action.metavar = metavar(kind)


register_catalog("ui", "cli_metavars")
