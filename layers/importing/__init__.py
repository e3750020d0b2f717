"""The import: boundaries, facility lists and roads as Dinkes hands them over → a checked
:class:`~ilp_gis.project.Project` and one import-report line per input row (nothing dropped
without a line).  The public API of the package, one job per module below it; may import
``ilp_gis`` and ``layers``.
"""

from layers.importing.facility_types import (
                                             facility_type,
                                             facility_types,
                                             parse_facility_type_option,
)
from layers.importing.pipeline import import_files
from layers.importing.placement import locate_facilities
from layers.importing.preview import preview_columns
from layers.importing.report import ImportReport

__all__ = ["ImportReport", "facility_type", "facility_types", "import_files",
           "locate_facilities", "parse_facility_type_option", "preview_columns"]
