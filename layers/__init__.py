"""Data in and out: GIS files, the project file, import validation, the one symbology."""
