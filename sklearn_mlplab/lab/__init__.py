"""The lab as a study: config → experiments → conclusions and figures → report.

=================  ==========================================================
``config``         :class:`LabConfig`, ``FULL`` and ``QUICK``, the network
``data``           the bundled data or a checked CSV (:class:`LabData`)
``experiments``    one function and one frozen result per experiment
``stats``          intervals and the rules that say when a gap is real
``comparisons``    which scores differ: the readings claims and findings share
``claims``         results → the original lab's claims, verdict and reason
``conclusions``    results → the findings under each section (pure)
``figures``        results → matplotlib Figures (Display classes)
``report``         findings + figures → report.md / report.html (Jinja2)
``study``          every experiment in order, into one :class:`Study`
=================  ==========================================================

The ``mlplab lab`` command is :func:`run_study` followed by
:func:`write_report`.
"""

from .config import FULL, QUICK, LabConfig, make_network
from .data import DataError, LabData, load_bundled, load_csv
from .report import write_report
from .study import Study, planned_epochs, run_study

__all__ = [
    "FULL",
    "QUICK",
    "DataError",
    "LabConfig",
    "LabData",
    "Study",
    "load_bundled",
    "load_csv",
    "make_network",
    "planned_epochs",
    "run_study",
    "write_report",
]
