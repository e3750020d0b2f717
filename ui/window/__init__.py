"""The main window, built from one module per job (docks and status, actions and menus,
project files, long work, edits, data import, outputs, help).  Imports Qt, ``ilp_gis``,
``layers``, ``reports`` and the ui/ panels."""
