"""The same case in 1D, 2D and 3D (and with several methods) side by side: the runs
(:mod:`.runs`), the table (:mod:`.table`), the figure (:mod:`.plot`) and the
``vip-transport compare`` command (:mod:`.command`)."""

from .command import run_compare
from .runs import compare_dimensions, compare_into
from .table import COLUMNS, case_in_dimension, markdown_table

__all__ = ["COLUMNS", "case_in_dimension", "compare_dimensions", "compare_into", "markdown_table", "run_compare"]
