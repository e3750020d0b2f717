"""``ilp-gis analyze PROJECT.gpkg --out DIR [--rules FILE] [--coe-indicators FILE]
[--place-desa-facilities]``: run the ILP analysis.

Writes summary.json, gaps.csv, priority.csv, desa_coverage.gpkg and network.graphml into DIR
and stores the results in the project file (atomic save).  ``--db DATABASE [--kabupaten
PP.KK]`` reads the project (the province or one kabupaten) from the shared store instead; the
results then go to DIR only (the store's register is not changed by an analysis).
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from ilp_gis.i18n import register_catalog, tr
from ui.cli_paths import Input, Output
from ui.cli_source import SOURCE_INPUTS, add_source_arguments

NAME = "analyze"
HELP_KEY = "cli.analyze.help"
PHASES_ENV = "ILP_GIS_PHASES"  # set (to anything): the phase timings as one line on stderr


class PhaseClock:
    """Wall and CPU seconds of each phase of the command, one phase after the other, so that
    the phases add up to the command (bench/bench_analyze.py prints them).  ``cpu_before``:
    the CPU seconds the process had spent before the command started (start-up, imports)."""

    def __init__(self) -> None:
        self.cpu_before = time.process_time()
        self._wall = time.perf_counter()
        self._cpu = self.cpu_before
        self.phases: list[tuple[str, float, float]] = []
        self.peaks: list[tuple[str, float]] = []  # peak memory (MB) of the process so far

    def mark(self, name: str) -> None:
        """End the phase running since the last mark and name it ``name``."""
        wall, cpu = time.perf_counter(), time.process_time()
        self.phases.append((name, wall - self._wall, cpu - self._cpu))
        peak = _peak_mb()
        if peak is not None:
            self.peaks.append((name, peak))
        self._wall, self._cpu = wall, cpu

    def line(self) -> str:
        return PHASES_ENV + " " + json.dumps({
            "cpu_before_command": round(self.cpu_before, 3),
            "phases": [[n, round(w, 3), round(c, 3)] for n, w, c in self.phases],
            "peak_mb_after": [[n, round(m)] for n, m in self.peaks]})


def _peak_mb() -> float | None:
    """The peak resident memory of this process so far in MB (None where the system does
    not say: Windows)."""
    try:
        import resource
    except ImportError:
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024.0 if sys.platform != "darwin" else peak / 1024.0 ** 2


def default_out(args) -> Path:
    """``hasil/P.gpkg`` → ``hasil/P_analisis``."""
    if args.project is None:  # read from the store: --out is needed (said by run)
        return Path(".")
    project = Path(args.project)
    return project.with_name(project.stem + "_analisis")


INPUTS = (*SOURCE_INPUTS, Input("rules"), Input("coe_indicators"))
OUTPUTS = (Output("project", suffixes=(".gpkg",),
                  when=lambda a: not a.no_save and not a.database),
           Output("out", folder=True, default=default_out))


def add_arguments(parser) -> None:
    add_source_arguments(parser, tr("cli.analyze.opt.project"), tr("cli.analyze.opt.db"))
    parser.add_argument("--out", "-o", metavar="DIR", help=tr("cli.analyze.opt.out"))
    parser.add_argument("--rules", metavar="FILE", help=tr("cli.analyze.opt.rules"))
    parser.add_argument("--coe-indicators", metavar="FILE",
                        help=tr("cli.analyze.opt.coe_indicators"))
    parser.add_argument("--no-save", action="store_true", help=tr("cli.analyze.opt.no_save"))
    parser.add_argument("--place-desa-facilities", action="store_true",
                        help=tr("cli.analyze.opt.place_desa_facilities"))
    parser.add_argument("--node-crossings", action="store_true",
                        help=tr("cli.analyze.opt.node_crossings"))


def run(args) -> int:
    from ilp_gis.errors import InputError
    from ilp_gis.results import RESULT_TABLES
    from layers.project_file import release
    from layers.store_beside import EarlySave, save_beside
    from ui.cli_source import check_source, open_source_started

    clock = PhaseClock()
    check_source(args)
    if args.database is not None and not args.out:
        raise InputError(tr("cli.analyze.db_needs_out"))
    # the stored results of an earlier run are replaced, never read: not opened at all.  The
    # project is read in a helper thread while the analysis code is imported here (GDAL
    # reads without Python's interpreter lock; the imports need it)
    opening = open_source_started(args, skip_tables=RESULT_TABLES.values())
    from ilp_gis import coe, desa_counts
    from ilp_gis.analysis import analyze, store_result
    from ilp_gis.i18n import format_number, format_percent
    from ilp_gis.inputs import Inventory, blocked_lines, shown, summary_missing
    from ilp_gis.location import PLACE_RULE, coverage_notes
    from ilp_gis.population import ESTIMATES
    from ilp_gis.road_noding import NODE_RULE
    from ilp_gis.rules import load_rules
    from layers.analysis_io import write_outputs
    from layers.atomic import all_or_nothing
    from ui.progress import TerminalProgress

    clock.mark("imports beside the opening")
    project = opening.result()
    clock.mark("open")
    save = not args.no_save and args.database is None
    rules = load_rules(args.rules) if args.rules else None
    indicators = None
    if getattr(args, "coe_indicators", None):  # checked before any work; kept in the project
        indicators = coe.load_indicators(args.coe_indicators)
        project.meta[coe.META_INDICATORS] = indicators.text
    if getattr(args, "place_desa_facilities", False):
        rules = (rules or project.rules).with_values(
            **{PLACE_RULE.replace(".", "__"): 1.0})
    if getattr(args, "node_crossings", False):
        rules = (rules or project.rules).with_values(**{NODE_RULE.replace(".", "__"): 1.0})
    if rules is not None:
        project.set_rules(rules)
    # a large project's store process starts during the analysis and stores the network's
    # tables while the rest is worked out (layers.store_beside)
    early = EarlySave(project) if save else None
    bar = TerminalProgress(tr("cli.analyze.progress"))
    try:
        # the roads and settlements let go as soon as the analysis has read them (peak memory)
        result = analyze(project, rules=rules, progress=bar, indicators=indicators,
                         done_with=lambda names: release(project, names),
                         stages=early.stages() if early is not None else None)
    except BaseException:
        if early is not None:
            early.abort()
        raise
    finally:
        bar.done()
    clock.mark("analyse")
    # the input layers the outputs and the save no longer read (the results hold what they
    # need; the save keeps the file's copy of each): their memory for the writers and the save
    release(project, list(project.layers))
    clock.mark("release inputs")
    out = Path(args.out) if args.out else default_out(args)
    # the result files and the saved project, or none of them.  The writers (pandas,
    # pyogrio, the GraphML text) and the store (Python's sqlite3 binding, ~16 million values
    # nationally) both hold the GIL nearly all the time: in two threads they took twice as
    # long as in turn, so a large store runs in a second process while the files are written
    # (layers.store_handover), committed with them
    with all_or_nothing():
        saving = None
        if save:
            early.with_group()
            store_result(project, result, made=early.made)
            clock.mark("result tables built")
            saving = save_beside(project, early)
            clock.mark("store handed over" if saving.in_child else "store")
        written = write_outputs(result, out, on_written=lambda name: clock.mark(name))
        if saving is not None and saving.in_child:
            figures = saving.wait()
            clock.mark("store (waited for)")
            if os.environ.get(PHASES_ENV):
                print("ILP_GIS_STORE_CHILD " + json.dumps(figures), file=sys.stderr, flush=True)
    clock.mark("all or nothing: commit")
    for path in written:
        print(tr("cli.written", path=str(path)))
    if save:
        print(tr("cli.analyze.saved", path=str(project.path)))
    elif args.database is not None:
        print(tr("cli.analyze.from_store", out=str(out)))
    s = result.summary
    pop = s.get("population_total")
    within = (s.get("population_within_distance") or {}).get("pustu")
    share = within / pop if pop and within is not None else None
    mark = ""
    if pop is not None and ESTIMATES & set(s.get("population_sources") or {}):
        mark = f" ({tr('population.estimate_mark')})"
    print(tr("cli.analyze.summary", desa=s["desa_total"],
             no_pustu=shown(s["desa_without_pustu"], summary_missing(s, "desa_without_pustu")),
             gaps=s["gaps_total"],
             pop=shown(pop, summary_missing(s, "population_total"),
                       lambda v: format_number(v) + mark),
             share=shown(share, summary_missing(s, "population_within_distance.pustu"),
                         format_percent)))
    if s.get("coe_total"):
        print(tr("cli.analyze.coe", ok=s.get("coe_meeting_threshold"), n=s["coe_total"],
                 rules="; ".join(coe.rule_text(r) for r in coe.RULES
                                 if r in (s.get("coe_rules") or {}))))
    for line in blocked_lines(Inventory.from_summary(s) or Inventory.everything()):
        print(line)
    for line in desa_counts.count_lines(s):
        print(line)
    for note in coverage_notes(s):
        print(note)
    clock.mark("messages")
    if os.environ.get(PHASES_ENV):
        print(clock.line(), file=sys.stderr, flush=True)
    from ui.cli import hold_until_exit

    hold_until_exit(project, result)
    return 0


register_catalog("ui", "cli_analyze")
