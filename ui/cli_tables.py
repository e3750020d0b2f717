"""``ilp-gis tables PROJECT.gpkg -o FILE.xlsx``: every table of the analysis as a workbook;
``--db DATABASE [--kabupaten PP.KK]`` reads the project from the shared store (only read)."""

from __future__ import annotations

from ilp_gis.i18n import register_catalog, tr
from ui.cli_paths import Output
from ui.cli_source import SOURCE_INPUTS, add_source_arguments

NAME = "tables"
HELP_KEY = "cli.tables.help"
INPUTS = SOURCE_INPUTS
OUTPUTS = (Output("output", suffixes=(".xlsx",)),)

register_catalog("ui", "cli_tables")


def add_arguments(parser) -> None:
    add_source_arguments(parser, tr("cli.tables.project"))
    parser.add_argument("-o", "--output", required=True, help=tr("cli.tables.output"))


UNREAD_LAYERS = ("roads", "settlements")
"""Layers the workbook never reads once the project holds its analysis (the stored summary
says which inputs it was made with): left unread (a national project: ~1.3 M features)."""


def run(args) -> int:
    from reports.xlsx_tables import write_tables
    from ui.cli_source import open_with_result

    # no stored analysis (or inputs counted from the layers): every layer read, analysed here
    project, result = open_with_result(args, UNREAD_LAYERS)
    path = write_tables(project, result, args.output, lang=getattr(args, "lang", None))
    print(tr("cli.written", path=str(path)))
    return 0
