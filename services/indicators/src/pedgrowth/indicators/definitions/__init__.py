"""Every indicator the service computes, each one declarative entry (SPEC §4, §4.1), and its variants (§4.2).

The catalogue, plan validation, the API's rows, the report, the dashboard's list and the gauges
read these entries; the engine (``engine/``) and the test oracle implement each ``among`` and
``condition`` named here once. Adding an indicator is one entry; adding a variant value is one
value in ``DIMENSIONS`` (plus the interval rule it changes).
"""

from .catalog import BY_CODE, CODES, INDICATORS, Indicator, share, status
from .dimensions import DIMENSIONS, TEACHERS, BadVariant, Variant, allowed, project_of, values_text

__all__ = ["BY_CODE", "CODES", "DIMENSIONS", "INDICATORS", "TEACHERS", "BadVariant", "Indicator", "Variant",
           "allowed", "project_of", "share", "status", "values_text"]
