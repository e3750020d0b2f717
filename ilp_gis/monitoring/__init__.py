"""Monitoring and evaluation over time (issue 14): reporting periods, analyses frozen per
period in ordinary project tables, and what changed between two periods.  Domain only: imports
``ilp_gis`` and pandas.
"""
