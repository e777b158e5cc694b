"""Case files: units, the schema, Table 1 presets, hardened YAML loading.

``load_case(path)`` and ``case_from_dict(data)`` give a validated, frozen :class:`Case` whose
every quantity is an SI float; ``with_changes(case, {"transport.current": "40 A"})`` changes it
safely (validated again, derived values following); ``write_resolved(case, path)`` records it
as ``case.resolved.yaml``.  Strings such as "71 mm" are parsed in :mod:`.units` only.
"""

from .loading import MAX_CASE_BYTES, case_from_dict, load_case, write_resolved
from .overrides import with_changes
from .schema import Case

__all__ = ["Case", "MAX_CASE_BYTES", "case_from_dict", "load_case", "with_changes", "write_resolved"]
