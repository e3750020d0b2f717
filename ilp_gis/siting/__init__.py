"""Where to add Pustu (or Posyandu): maximal covering location, a quick greedy answer and the
exact optimum by mixed-integer programming.  The public API of ``problem``, ``greedy``, ``mip``
and ``plan``; imports only those modules and ``ilp_gis.i18n``.
"""

from __future__ import annotations

from ilp_gis.i18n import register_catalog
from ilp_gis.siting.greedy import brute_force, greedy, objective
from ilp_gis.siting.mip import EPS_TIEBREAK, HIGHS_OPTIONS
from ilp_gis.siting.plan import answer_text, plan_sites, solve
from ilp_gis.siting.problem import (
    SITE_TYPES,
    SitingProblem,
    SitingResult,
    build_problem,
    road_travel_cover,
)

__all__ = ["EPS_TIEBREAK", "answer_text", "HIGHS_OPTIONS", "SITE_TYPES", "SitingProblem", "SitingResult",
           "brute_force", "build_problem", "greedy", "objective", "plan_sites",
           "road_travel_cover", "solve"]

register_catalog("ilp_gis", "siting")
