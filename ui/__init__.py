"""The ways a person drives ilp-gis: the Qt desktop app and the command line."""
