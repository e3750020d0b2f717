"""``ilp-gis plan PROJECT.gpkg [--objective mclp|every_desa|lscp|pmedian] [--budget RP | --k N]
[--type pustu|posyandu] [--limit-km X | --limit-min M] --out DIR``: choose where to add Pustu
or Posyandu.

Prints the run's coverage measure, the quick (greedy) answer first, then the exact optimum
(HiGHS); writes the chosen sites (GPKG + CSV + summary JSON) and stores them as a scenario with
its measure in the project (atomic save), so ``scenario compare`` measures the same way.
"""

from __future__ import annotations

import math

from ilp_gis.i18n import register_catalog, tr
from ui.cli_paths import Input, Output

OBJECTIVES = ("mclp", "every_desa", "lscp", "pmedian")  # ilp_gis.siting.models.OBJECTIVES
PLAN_UNREAD = ("kabupaten", "budget", "import_report", "context")
"""Layers choosing sites never reads (left unread when the project is opened)."""

NAME = "plan"
HELP_KEY = "cli.plan.help"
INPUTS = (Input("project"),)
OUTPUTS = (Output("project", suffixes=(".gpkg",), when=lambda a: not a.no_save),
           Output("out", folder=True))


def add_arguments(parser) -> None:
    parser.add_argument("project", metavar="PROJECT.gpkg", help=tr("cli.plan.opt.project"))
    parser.add_argument("--objective", choices=OBJECTIVES, default="mclp",
                        help=tr("cli.plan.opt.objective"))
    money = parser.add_mutually_exclusive_group()
    money.add_argument("--budget", metavar="RP", help=tr("cli.plan.opt.budget"))
    money.add_argument("--k", type=int, metavar="N", help=tr("cli.plan.opt.k"))
    parser.add_argument("--type", choices=("pustu", "posyandu"), default="pustu",
                        help=tr("cli.plan.opt.type"))
    limit = parser.add_mutually_exclusive_group()
    limit.add_argument("--limit-km", type=float, metavar="X", help=tr("cli.plan.opt.limit_km"))
    limit.add_argument("--limit-min", type=float, metavar="M", help=tr("cli.plan.opt.limit_min"))
    parser.add_argument("--capacity", type=float, metavar="JIWA", help=tr("cli.plan.opt.capacity"))
    parser.add_argument("--out", "-o", metavar="DIR", required=True, help=tr("cli.plan.opt.out"))
    parser.add_argument("--scenario", metavar="NAMA", help=tr("cli.plan.opt.scenario"))
    parser.add_argument("--year", type=int, help=tr("cli.plan.opt.year"))
    parser.add_argument("--time-limit", type=float, default=60.0, metavar="DETIK",
                        help=tr("cli.plan.opt.time_limit"))
    parser.add_argument("--greedy-only", action="store_true", help=tr("cli.plan.opt.greedy"))
    parser.add_argument("--no-save", action="store_true", help=tr("cli.plan.opt.no_save"))


def _show(result) -> str:
    from ilp_gis.i18n import format_number, format_percent, format_rupiah

    gap = result.mip_gap
    return tr("cli.plan.result", method=tr(f"siting.method.{result.method}"),
              n=len(result.sites), pop=format_number(result.population_gained),
              cost=format_rupiah(result.cost),
              gap=format_percent(gap, 2) if gap == gap else "–",
              secs=format_number(result.seconds, 2))


def run(args) -> int:
    from ilp_gis import budget as B
    from ilp_gis import scenario, siting
    from ilp_gis.errors import InputError
    from ilp_gis.results import RESULT_TABLES
    from layers.atomic import all_or_nothing
    from layers.planning_io import write_siting_outputs
    from layers.project_file import open_project, release, save_project
    from ui.progress import TerminalProgress

    budget = None
    if args.budget is not None:
        parsed = B.parse_amount(args.budget, max_amount=math.inf)  # a total, not a line
        if parsed.value is None or parsed.status == "error":
            raise InputError(tr("siting.budget_unreadable", value=args.budget))
        budget = float(parsed.value)
    if args.k is not None and args.k < 1:
        raise InputError(tr("cli.plan.bad_k", value=str(args.k)))
    if args.objective == "mclp" and budget is None and args.k is None:
        raise InputError(tr("cli.plan.budget_or_k"))
    if args.objective == "pmedian" and args.k is None:
        raise InputError(tr("siting.pmedian_needs_k"))
    # the stored analysis, the boundaries above kecamatan and the budget lines are never read
    # here, and the roads and settlements only until the road graph and the population
    # points are built: the save keeps the file's copy of each
    project = open_project(args.project, skip_tables=RESULT_TABLES.values(),
                           skip_layers=PLAN_UNREAD)
    bar = TerminalProgress(tr("cli.plan.progress"))

    def on_greedy(res):
        bar.done()
        print(_show(res), flush=True)

    try:
        result = siting.plan_sites(
            project, site_type=args.type, budget=budget, k=args.k, limit_km=args.limit_km,
            limit_min=args.limit_min, capacity=args.capacity, exact=not args.greedy_only,
            on_greedy=on_greedy, time_limit=args.time_limit, progress=bar,
            objective=args.objective, done_with=lambda names: release(project, names))
    finally:
        bar.done()
    print(result.problem.measure.describe())
    if result.method == "exact":
        print(_show(result))
    if args.objective != "mclp":
        print(siting.answer_text(result))
    for note in result.problem.notes:
        print(note)
    if result.problem.population_uncovered == 0 and result.problem.population_total > 0:
        print(tr("siting.all_covered", type=tr(f"facility.{args.type}")))
    with all_or_nothing():  # the chosen sites and the saved scenario, or neither
        written = write_siting_outputs(result, args.out)
        if not args.no_save:
            what = args.objective if args.objective in ("every_desa", "lscp") else (
                f"k{args.k}" if args.k is not None else B.format_amount_short(budget))
            name = args.scenario or tr("cli.plan.default_scenario", type=args.type, what=what)
            scenario.set_scenario(project, name,
                                  scenario.actions_from_siting(result, year=args.year),
                                  measure=result.problem.measure)
            save_project(project)
    for path in written:
        print(tr("cli.written", path=str(path)))
    if not args.no_save:
        print(tr("cli.plan.saved", name=name, path=str(project.path)))
    return 0


register_catalog("ui", "cli_plan")
