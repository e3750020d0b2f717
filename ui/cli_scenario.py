"""``ilp-gis scenario create|list|compare|delete PROJECT.gpkg [NAME]``: planning scenarios on
the command line.

* ``create PROJECT NAME --actions FILE`` stores the actions of a CSV/XLSX table (columns of
  ``ilp_gis.scenario.ACTION_COLUMNS``; a ``plan`` sites CSV works too), or ``create PROJECT
  NAME --objective … [--budget|--k]`` plans the sites and stores them with the run's measure;
* ``list`` prints each scenario with its actions, cost, measure and last comparison;
* ``compare`` applies the scenario to a copy, analyses it, prints the comparison by kecamatan
  and stores it in the project (for ``report``, ``tables`` and ``webmap``; ``--no-save`` not);
  ``--out DIR`` also writes it as CSV;
* ``delete`` removes the scenario and its stored comparison.
Every save is atomic; a failing command writes nothing.
"""

from __future__ import annotations

import math

from ilp_gis.i18n import register_catalog, tr
from ui.cli_paths import Input, Output

NAME = "scenario"
HELP_KEY = "cli.scenario.help"
_WRITES = ("create", "delete")
INPUTS = (Input("project"), Input("actions", when=lambda a: getattr(a, "actions", None)))
OUTPUTS = (Output("project", suffixes=(".gpkg",),
                  when=lambda a: a.action in _WRITES or (a.action == "compare"
                                                         and not a.no_save)),
           Output("out", folder=True, when=lambda a: getattr(a, "out", None)))
OBJECTIVES = ("mclp", "every_desa", "lscp", "pmedian")  # ilp_gis.siting.models.OBJECTIVES


def add_arguments(parser) -> None:
    sub = parser.add_subparsers(dest="action", required=True, metavar="create|list|compare|delete",
                                parser_class=type(parser))
    create = sub.add_parser("create", help=tr("cli.scenario.create.help"))
    create.add_argument("project", metavar="PROJECT.gpkg", help=tr("cli.plan.opt.project"))
    create.add_argument("name", metavar="NAMA", help=tr("cli.scenario.opt.name"))
    src = create.add_mutually_exclusive_group(required=True)
    src.add_argument("--actions", metavar="FILE", help=tr("cli.scenario.opt.actions"))
    src.add_argument("--objective", choices=OBJECTIVES, help=tr("cli.plan.opt.objective"))
    money = create.add_mutually_exclusive_group()
    money.add_argument("--budget", metavar="RP", help=tr("cli.plan.opt.budget"))
    money.add_argument("--k", type=int, metavar="N", help=tr("cli.plan.opt.k"))
    create.add_argument("--type", choices=("pustu", "posyandu"), default="pustu",
                        help=tr("cli.plan.opt.type"))
    limit = create.add_mutually_exclusive_group()
    limit.add_argument("--limit-km", type=float, metavar="X", help=tr("cli.plan.opt.limit_km"))
    limit.add_argument("--limit-min", type=float, metavar="M",
                       help=tr("cli.plan.opt.limit_min"))
    create.add_argument("--year", type=int, help=tr("cli.plan.opt.year"))
    create.add_argument("--replace", action="store_true", help=tr("cli.scenario.opt.replace"))
    lst = sub.add_parser("list", help=tr("cli.scenario.list.help"))
    lst.add_argument("project", metavar="PROJECT.gpkg", help=tr("cli.plan.opt.project"))
    cmp_ = sub.add_parser("compare", help=tr("cli.scenario.compare.help"))
    cmp_.add_argument("project", metavar="PROJECT.gpkg", help=tr("cli.plan.opt.project"))
    cmp_.add_argument("name", metavar="NAMA", help=tr("cli.scenario.opt.name"))
    cmp_.add_argument("--out", "-o", metavar="DIR", help=tr("cli.scenario.opt.out"))
    cmp_.add_argument("--no-save", action="store_true", help=tr("cli.scenario.opt.no_save"))
    dele = sub.add_parser("delete", help=tr("cli.scenario.delete.help"))
    dele.add_argument("project", metavar="PROJECT.gpkg", help=tr("cli.plan.opt.project"))
    dele.add_argument("name", metavar="NAMA", help=tr("cli.scenario.opt.name"))
    for p in (create, lst, cmp_, dele):
        p.set_defaults(no_save=False, out=None, actions=None)


def run(args) -> int:
    from layers.project_file import open_project

    project = open_project(args.project, **_reads(args.action))
    return {"create": _create, "list": _list, "compare": _compare,
            "delete": _delete}[args.action](args, project)


def _reads(action: str) -> dict:
    """What each action reads of the project file (the rest is left unread; a save keeps the
    file's copy): ``list`` the scenario tables and the layers the data key of a stored
    comparison is made of (:func:`ilp_gis.scenario.baseline_key`); ``compare`` every layer but
    not the stored analysis (the comparison analyses both sides afresh); ``create`` what
    ``plan`` reads; ``delete`` the scenario tables alone."""
    from ilp_gis import scenario
    from ilp_gis.results import RESULT_TABLES

    if action == "list":
        return {"only": (scenario.TABLE, scenario.MEASURE_TABLE, scenario.COMPARISON_TABLE,
                         *scenario.KEY_LAYERS)}
    if action == "delete":
        return {"only": (scenario.TABLE, scenario.MEASURE_TABLE, scenario.COMPARISON_TABLE,
                         scenario.DESA_CHANGES_TABLE)}
    if action == "create":
        from ui.cli_plan import PLAN_UNREAD

        return {"skip_tables": tuple(RESULT_TABLES.values()), "skip_layers": PLAN_UNREAD}
    if action == "compare":
        return {"skip_tables": tuple(RESULT_TABLES.values())}
    return {}


def _read_actions(path):
    """The actions table of ``path`` (CSV/XLSX through the one table reader); a problem names
    the file."""
    import pandas as pd

    from ilp_gis import scenario
    from layers.readers import read_table

    res = read_table(path)
    frame = pd.DataFrame(res.frame)
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    if "action" not in frame.columns and "kind" in frame.columns:  # a plan sites CSV
        kind = frame["kind"].astype(str).str.lower()
        frame["action"] = kind.map({"upgrade": "upgrade_pustu"}).fillna("new_pustu")
        if "cost" in frame.columns and "amount" not in frame.columns:
            frame["amount"] = frame["cost"]
    missing = [c for c in ("action",) if c not in frame.columns]
    if missing:
        raise _file_error(path, tr("cli.scenario.no_column", column="action",
                                   known=", ".join(scenario.ACTION_COLUMNS[2:])))
    if res.bad_rows:
        row, why = next(iter(sorted(res.bad_rows.items())))
        raise _file_error(path, tr("cli.scenario.bad_row", row=row, why=why))
    for c in ("lon", "lat", "count", "amount", "year"):
        if c in frame.columns:
            num = pd.to_numeric(frame[c], errors="coerce")
            bad = frame[c].notna() & frame[c].astype(str).str.strip().ne("") & num.isna()
            if bad.any():
                i = int(bad.to_numpy().nonzero()[0][0])
                row = int(res.row_numbers[i]) if res.row_numbers is not None else i + 2
                raise _file_error(path, tr("cli.scenario.bad_number", row=row, column=c,
                                           value=str(frame[c].iloc[i])))
            frame[c] = num
    return frame[[c for c in scenario.ACTION_COLUMNS if c in frame.columns]]


def _file_error(path, message: str):
    from pathlib import Path

    from ilp_gis.errors import InputError

    return InputError(tr("cli.scenario.file_problem", file=Path(path).name, problem=message))


def _create(args, project) -> int:
    from ilp_gis import budget as B
    from ilp_gis import scenario, siting
    from ilp_gis.errors import InputError
    from layers.project_file import save_project

    if args.name in scenario.scenario_names(project) and not args.replace:
        raise InputError(tr("cli.scenario.exists", name=args.name))
    measure = None
    if args.actions:
        acts = _read_actions(args.actions)
        try:
            scenario.set_scenario(scenario.what_if_copy(project), args.name,
                                  acts)  # validate first
        except InputError as exc:
            raise _file_error(args.actions, str(exc)) from None
    else:
        budget = None
        if args.budget is not None:
            parsed = B.parse_amount(args.budget, max_amount=math.inf)
            if parsed.value is None or parsed.status == "error":
                raise InputError(tr("siting.budget_unreadable", value=args.budget))
            budget = float(parsed.value)
        if args.objective == "mclp" and budget is None and args.k is None:
            raise InputError(tr("cli.plan.budget_or_k"))
        result = siting.plan_sites(project, site_type=args.type, budget=budget, k=args.k,
                                   limit_km=args.limit_km, limit_min=args.limit_min,
                                   objective=args.objective)
        measure = result.problem.measure
        print(measure.describe())
        acts = scenario.actions_from_siting(result, year=args.year)
    scenario.set_scenario(project, args.name, acts, measure=measure)
    save_project(project)
    print(tr("cli.scenario.created", name=args.name, n=len(acts), path=str(project.path)))
    return 0


def _list(args, project) -> int:
    from ilp_gis import scenario
    from ilp_gis.i18n import format_number, format_rupiah

    names = scenario.scenario_names(project)
    if not names:
        print(tr("cli.scenario.none"))
        return 0
    from reports.scenarios import scenario_overview

    # the same rows as the report and the XLSX: a comparison never made, or made on older
    # data than the stored analysis, says so
    over = scenario_overview(project, _stored_result_if_needed(project))
    for r in over.to_dict("records"):
        m = scenario.scenario_measure(project, r["scenario"])
        print(tr("cli.scenario.line", name=r["scenario"], n=r["actions"],
                 cost=format_rupiah(r["cost"]),
                 measure=m.describe() if m else tr("cli.scenario.no_measure")))
        if r["compared"]:
            print("  " + tr("cli.scenario.compared", closed=format_number(r["gaps_closed"]),
                            pop=format_number(r["pop_newly_covered"]),
                            per=r["cost_per_person_text"]))
        else:
            print("  " + r["note"])
    return 0


def _stored_result_if_needed(project):
    """The stored analysis, read only when a stored comparison predates the data key and is
    judged by its gap count instead (:func:`reports.scenarios.scenario_overview`)."""
    from ilp_gis import scenario
    from ilp_gis.results import RESULT_TABLES
    from layers.project_file import adopt_unread, read_unread
    from reports.source import stored_result

    comp = scenario.stored_comparison(project)
    keys = comp["baseline_key"] if "baseline_key" in comp else None
    if not len(comp) or (keys is not None and keys.map(
            lambda k: isinstance(k, str) and bool(k)).all()):
        return None
    adopt_unread(project, read_unread(project, RESULT_TABLES.values()))
    return stored_result(project)


def _compare(args, project) -> int:
    from pathlib import Path

    from ilp_gis import scenario
    from ilp_gis.i18n import format_number
    from layers.atomic import all_or_nothing, atomic_write
    from layers.project_file import adopt_unread, read_unread, release, save_project
    from layers.safe_cells import csv_frame
    from ui.progress import TerminalProgress

    bar = TerminalProgress(tr("cli.scenario.progress"))
    try:  # only the comparison is kept; each analysis holds its own inputs only
        outcome = scenario.run_scenario(
            project, args.name, progress=bar, done_with=lambda names: release(project, names),
            read_again=lambda names: adopt_unread(project, read_unread(project, names)))
    finally:
        bar.done()
    if outcome.measure is not None:
        print(outcome.measure.describe())
    table = scenario.comparison_table(outcome)
    with _wide():
        print(_formatted(table, outcome.comparison).to_string(index=False))
    t = outcome.total
    print(tr("cli.scenario.compared", closed=format_number(t["gaps_closed"]),
             pop=format_number(t["pop_newly_covered"]),
             per=scenario.cost_per_person_text(t["cost"], t["pop_newly_covered"])))
    with all_or_nothing():
        if args.out:
            out = Path(args.out) / f"skenario_{_safe(args.name)}.csv"
            frame = csv_frame(table)
            atomic_write(out, lambda p: frame.to_csv(p, index=False, encoding="utf-8-sig"))
            print(tr("cli.written", path=str(out)))
        if not args.no_save:
            scenario.store_outcome(project, outcome)
            save_project(project)
            print(tr("cli.scenario.stored", name=args.name, path=str(project.path)))
    return 0


def _delete(args, project) -> int:
    from ilp_gis import scenario
    from layers.project_file import save_project

    scenario.delete_scenario(project, args.name)
    save_project(project)
    print(tr("cli.scenario.deleted", name=args.name, path=str(project.path)))
    return 0


def _formatted(table, comparison):
    """The comparison as text: whole people, Rupiah without decimals, and a cost per person
    that says why it is not a figure (no one newly covered, population not loaded)."""
    from ilp_gis import scenario
    from ilp_gis.i18n import format_number

    out = table.copy()
    for col in out.columns[1:-1]:
        out[col] = [format_number(v) if v == v else "–" for v in out[col]]
    out[out.columns[-1]] = [scenario.cost_per_person_text(c, g).removeprefix("Rp ")
                            for c, g in zip(comparison["cost"], comparison["pop_newly_covered"],
                                            strict=True)]
    return out


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in name)[:60] or "skenario"


def _wide():
    import pandas as pd

    return pd.option_context("display.width", 200, "display.max_columns", 20)


register_catalog("ui", "cli_scenario")
