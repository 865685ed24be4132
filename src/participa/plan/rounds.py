"""The plan in a round: record it in the event log, and let a preset require it.

Under Ley 28056 the concerted development plan is an input of the participatory
budget: the *concertación* phase opens with the workshop that identifies and
prioritises results against it. :func:`plan_noted` makes the event that records
the plan in a round's hash-chained log (its name and a fingerprint of its content),
and the standard guard ``plan_loaded`` (:func:`participa.process.decisions.plan_loaded`)
blocks a transition until such an event is in the log.
``participa.phases.presets.ley_28056(require_plan=True)`` puts that guard on the
move into *concertación*.

Examples
--------
>>> from participa.phases import Machine, Allocated, presets
>>> from participa.plan import Dimension, Plan
>>> plan = Plan("PDC 2004-2015 (invented)", dimensions=(Dimension("D1", "Economic"),))
>>> m = Machine(presets.ley_28056(require_plan=True))
>>> r = m.start(round_id="sjm-2005", actor="equipo técnico", at="2004-03-01T09:00:00-05:00",
...             envelope=1_000)
>>> r = m.record(r, Allocated({"S1": 1_000}), actor="concejo", at="2004-03-02T09:00:00-05:00")
>>> m.blocked(r.state)["concertar"]
('plan_loaded: no development plan has been loaded (record it with ...plan_noted(plan))',)
>>> r = m.record(r, plan_noted(plan), actor="equipo técnico", at="2004-03-03T09:00:00-05:00")
>>> m.fire(r, "concertar", actor="equipo técnico", at="2004-03-04T09:00:00-05:00").phase
'concertacion'
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from participa.boundary import checked
from participa.plan.model import Plan

if TYPE_CHECKING:
    from participa.process.decisions import Noted

__all__ = ["plan_noted"]


@checked
def plan_noted(plan: Plan) -> Noted:
    """The ``Noted`` event recording ``plan`` in a round's log: ``name sha256:<digest>``.

    Record it with ``machine.record(round, plan_noted(plan), actor=..., at=...)``; the
    digest lets anyone check later which plan the workshop used.
    """
    from participa.process.decisions import PLAN_FACT, Noted

    return Noted(PLAN_FACT, f"{plan.name} sha256:{plan.digest()}")
