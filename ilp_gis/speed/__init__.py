"""Speed tricks, each behind one named interface: threads, Arrow text, distinct values, graphs.

Domain code calls these interfaces, never the trick itself; every trick has a plain twin in the
tests that it must equal on generated input.  May import only the standard library, numpy,
pandas, pyarrow, networkx and ``ilp_gis.errors``.
"""
