"""The Method of Equal Shares as a package: options, set-up, kernel, completions, reference.

================================  ==========================================================
module                            holds
================================  ==========================================================
:mod:`~participa.rules.mes.rule`        :func:`equal_shares`, the public rule
:mod:`~participa.rules.mes.options`     :data:`Completion` and its parser
:mod:`~participa.rules.mes.setup`       options checked, utilities, endowments (``MesInput``)
:mod:`~participa.rules.mes.kernel`      the fast rounds: float filtering, exact decisions
:mod:`~participa.rules.mes.completion`  ``add1`` (with step skipping), utilitarian, comparison
:mod:`~participa.rules.mes.reference`   the slow exact reference, sharing only the model
================================  ==========================================================

>>> from participa.rules.mes import equal_shares
>>> equal_shares.__module__
'participa.rules.mes.rule'
"""

from __future__ import annotations

from participa.rules.mes.completion import greedy_by_support, is_exhaustive
from participa.rules.mes.options import COMPLETIONS, Completion, parse_completion
from participa.rules.mes.reference import equal_shares_reference
from participa.rules.mes.rule import equal_shares

__all__ = [
    "COMPLETIONS",
    "Completion",
    "equal_shares",
    "equal_shares_reference",
    "greedy_by_support",
    "is_exhaustive",
    "parse_completion",
]
