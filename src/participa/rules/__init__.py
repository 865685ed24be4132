"""Selection rules: given an :class:`~participa.Election`, return an :class:`~participa.Outcome`.

Every rule is a plain typed function with keyword-only options and a ``tie_break``
argument (default: project id, as pabutools does):

=====================  ==========================================================
function               rule
=====================  ==========================================================
:func:`greedy`         greedy by utility per cost (``skip``, ``threshold`` variants)
:func:`equal_shares`   method of equal shares (:mod:`participa.rules.mes`)
:func:`phragmen`       sequential Phragmén
:func:`max_welfare`    exact maximum utilitarian welfare
:func:`per_head`       money in proportion to votes (San Juan de Miraflores)
:func:`equal_split`    equal envelopes per territory, optional pooling
:func:`declared`       replay of the rule a pabulib file declares
:func:`cstv`           cumulative support transfer voting (six variants)
:func:`maximin_support`  maximin support (generalised sequential Phragmén)
:func:`exact_equal_shares`  exact equal shares (equal payments)
:func:`bos_equal_shares`  equal shares with bounded overspending
:func:`fractional_equal_shares`  equal shares funding projects in parts
:func:`pb_ear`         PB-EAR for ranked ballots
:func:`online_greedy`  projects decided as they arrive
:func:`ordered_relax`  ordered relax (maxmin PB, exact LP relaxation)
=====================  ==========================================================

:data:`RULES`, :func:`get_rule` and :func:`run_rule` expose them under the CLI's names.

Examples
--------
>>> from participa.rules import RULES
>>> list(RULES)[:5]
['greedy', 'greedy-no-skip', 'greedy-threshold', 'mes', 'phragmen']
>>> list(RULES)[5:9]
['max-welfare', 'per-head', 'equal-split', 'cstv']
>>> list(RULES)[9:13]
['maximin-support', 'ees', 'mes-bos', 'fractional-mes']
>>> list(RULES)[13:]
['pb-ear', 'online-greedy', 'ordered-relax', 'declared']
"""

from __future__ import annotations

from participa.rules.bos import bos_equal_shares, fractional_equal_shares
from participa.rules.cstv import cstv
from participa.rules.declared import declared
from participa.rules.diagnostics import FundingDiagnostics, funding_diagnostics
from participa.rules.ees import exact_equal_shares
from participa.rules.greedy import greedy
from participa.rules.maximin import maximin_support
from participa.rules.mes import equal_shares
from participa.rules.online import online_greedy
from participa.rules.ordered_relax import ordered_relax
from participa.rules.pb_ear import pb_ear
from participa.rules.phragmen import phragmen
from participa.rules.registry import RULES, RuleSpec, get_rule, run_rule
from participa.rules.split import equal_split, per_head
from participa.rules.utility import default_utility, utility_matrix
from participa.rules.welfare import max_welfare
from participa.tiebreak import DEFAULT_TIE_BREAK, TieBreak

__all__ = [
    "DEFAULT_TIE_BREAK",
    "RULES",
    "FundingDiagnostics",
    "RuleSpec",
    "TieBreak",
    "bos_equal_shares",
    "cstv",
    "declared",
    "default_utility",
    "equal_shares",
    "equal_split",
    "exact_equal_shares",
    "fractional_equal_shares",
    "funding_diagnostics",
    "get_rule",
    "greedy",
    "max_welfare",
    "maximin_support",
    "online_greedy",
    "ordered_relax",
    "pb_ear",
    "per_head",
    "phragmen",
    "run_rule",
    "utility_matrix",
]
