"""ilp-gis domain: data model, ILP rules, network graph, coverage, gaps, planning.

This package imports none of ``layers``, ``reports`` or ``ui`` and no Qt, reportlab or folium.
"""

__version__ = "0.1.0"
