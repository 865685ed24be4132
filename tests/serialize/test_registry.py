"""The JSON registry: explicit names, a static name → module table, lazy loading, old names."""

from __future__ import annotations

import importlib
import json
import pkgutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest

import participa
from participa import serialize

DATA = Path(__file__).resolve().parents[1] / "data"


def _import_everything() -> None:
    for info in pkgutil.walk_packages(participa.__path__, "participa."):
        if info.name.endswith("__main__"):
            continue
        importlib.import_module(info.name)


def test_table_lists_every_registration_and_only_them() -> None:
    _import_everything()
    registered = {
        name: cls.__module__
        for name, cls in serialize._BY_NAME.items()
        if cls.__module__.startswith("participa.")  # not the domains tests define
    }
    assert registered == dict(serialize.MODULES), (
        "add each @serialize.register(...) name to serialize.MODULES (and nothing else)"
    )


def test_names_follow_one_rule() -> None:
    _import_everything()
    for name, cls in serialize._BY_NAME.items():
        if cls.__module__.startswith("participa."):
            assert name == serialize.default_name(cls), name


def test_legacy_names_still_load() -> None:
    from participa.model import Project
    from participa.phases import Phase

    doc = json.loads(participa.dumps(Project("P1", 1500)))
    assert doc["type"] == "participa.Project"
    doc["type"] = "Project"
    assert participa.loads(json.dumps(doc)) == Project("P1", 1500)
    phase = Phase("draft")
    doc = json.loads(participa.dumps(phase))
    assert doc["type"] == "participa.phases.Phase"
    doc["type"] = "phases.Phase"
    assert participa.loads(json.dumps(doc)) == phase
    assert serialize.LEGACY_NAMES["ledger.Ledger"] == "participa.ledger.Ledger"


def test_unknown_type_is_a_parse_error() -> None:
    doc = json.dumps({"schema": serialize.SCHEMA, "type": "participa.nowhere.Nothing", "value": {}})
    with pytest.raises(participa.ParseError, match="unknown participa type"):
        participa.loads(doc)


def test_a_class_cannot_take_another_s_name() -> None:
    @attrs.frozen
    class Project:
        x: int

    with pytest.raises(TypeError, match="already registered"):
        serialize.register("participa.Project")(Project)


# ----------------------------------------------------------------------------------
# Every registered value round-trips in a fresh process that never imported its module.


def _values() -> list[Any]:
    """Real values from the public API (nested values are harvested from them)."""
    from participa import analysis, process
    from participa.allocation import allocate, ves_formula
    from participa.batch import Job, run_job
    from participa.cofinancing import financing
    from participa.demo import workshop_profile
    from participa.examples.ves import ves_2000
    from participa.feasibility import CostPositive, Review
    from participa.io import read_pabulib
    from participa.ledger import Ledger, accountability_report
    from participa.model import Election, Project, Territory
    from participa.phases import Machine, presets
    from participa.process import Approved
    from participa.rules import equal_shares, equal_split, greedy, per_head
    from participa.rules.diagnostics import funding_diagnostics
    from participa.synthetic import SyntheticSpec
    from participa.tiebreak import TieBreak

    ex = ves_2000()
    e = Election(ex.section_budget, ex.projects, workshop_profile(ex.projects))
    out = [ex, e, SyntheticSpec(num_voters=5, num_projects=3, seed=1)]
    outcomes = [per_head(e), greedy(e), equal_shares(e)]
    out += outcomes
    out.append(equal_split(e.restrict([p.id for p in e.projects if p.territory])))
    out.append(funding_diagnostics(e, outcomes[0]))
    out.append(analysis.check_ejr(e, outcomes[1]))
    out.append(analysis.find_price_system(e, outcomes[2], exhaustive=False))
    out.append(analysis.shares(e, outcomes[1], by="territory"))
    out.append(analysis.satisfaction(e, outcomes[1]))
    out.append(analysis.compare_rules(e, [greedy, per_head]))
    out.append(analysis.funding_gaps(e, outcomes[0]))
    out.append(analysis.pareto_swaps(e, outcomes[1]))
    out.append(read_pabulib(DATA / "Poland_Warszawa_2018_Goclaw.pb.gz"))
    job = Job(str(DATA / "Poland_Warszawa_2018_Goclaw.pb.gz"), "greedy")
    out += [job, run_job(job)]
    m = Machine(presets.ves_2001())
    r = m.start(round_id="p", actor="c", at="2001-01-01T10:00:00-05:00", envelope=2000)
    ts = [
        Territory(
            "S1", indicators={"population": 3, "basic_service_deficit": 1, "tax_compliance": 1}
        )
    ]
    r = m.record(
        r,
        process.allocated(allocate(2000, ts, ves_formula())),
        actor="c",
        at="2001-01-01T10:00:00-05:00",
    )
    r = m.record(r, Approved("council"), actor="c", at="2001-01-01T10:00:00-05:00")
    props = (Project("a", 600, territory="S1"), Project("b", 0, territory="S1"))
    report = Review((CostPositive(),)).run(props)
    out += [m.spec, r, report, process.proposed(props), process.reviewed(report)]
    out += [TieBreak(), TieBreak.parse("min-cost,max-votes"), financing(ex.plan, ex.projects[0])]
    from participa.allocation import cross_allocate
    from participa.cofinancing import MatchingRule, pledge_totals
    from participa.feasibility.prioritisation import ves_2005_matrix

    raw = {
        p.id: {"cofinancing": 0.1, "poverty": 0.5, "environment": 0.2, "beneficiaries": 100}
        for p in ex.projects
    }
    out += [ves_2005_matrix(), ves_2005_matrix().rank(ex.projects, raw=raw)]
    out += [cross_allocate(ex.allocation, {"water": 1, "roads": 2}), pledge_totals(ex.plan)]
    out.append(MatchingRule(ratio=1, cap=4_000))
    from participa import process as ev
    from participa.allocation import Reserve
    from participa.feasibility import ProposalDetails
    from participa.phases.events import Triggered

    out += [
        ev.Noted("k", "v"),
        Triggered("launch"),
        ev.BallotsClosed("S1", voters=3),
        ev.Committed("a", 100),
        ev.Spent("a", 50),
        ev.Reallocated("a", 10, to_project="b", reason="council vote"),
        ev.Pledged("a", 20, pledger="vecinos"),
        ev.OutcomePublished("S1", outcomes[1]),
        Reserve("contingency", 1000),
        ProposalDetails("a", sector="water", households=12),
    ]
    ledger = Ledger().promise("a", 600, at="2001-02-01T10:00:00-05:00", territory="S1")
    out += [ledger, accountability_report(ledger, as_of="2001-12-31T10:00:00-05:00")]
    from participa.plan import (
        Dimension,
        Indicator,
        Plan,
        SpecificObjective,
        StrategicObjective,
        link,
        plan_execution,
        plan_funding,
        sectoral_view,
    )

    plan = Plan(
        "plan",
        dimensions=(Dimension("D1", "Human"),),
        strategic=(StrategicObjective("OE1", "Health", "D1", sectors=("health",)),),
        specific=(
            SpecificObjective("OE1.1", "Clinics", "OE1", indicators=(Indicator("I1", "x", 1, 2),)),
        ),
    )
    linked = (link(Project("a", 600, territory="S1", categories=("roads",)), "OE1.1"),)
    positions = accountability_report(ledger, as_of="2001-12-31T10:00:00-05:00").projects
    out += [
        plan,
        plan_funding(plan, linked),
        sectoral_view(plan, linked),
        plan_execution(plan, linked, positions),
    ]
    return out


def _harvest(value: Any, seen: dict[str, Any]) -> None:
    cls = type(value)
    if cls in serialize._BY_CLASS:
        seen.setdefault(serialize._BY_CLASS[cls], value)
        for f in attrs.fields(cls):
            _harvest(getattr(value, f.name), seen)
    elif isinstance(value, tuple | list | frozenset | set):
        for v in value:
            _harvest(v, seen)
    elif isinstance(value, dict) or (hasattr(value, "items") and hasattr(value, "keys")):
        for v in value.values():
            _harvest(v, seen)


def _samples() -> dict[str, str]:
    seen: dict[str, Any] = {}
    for v in _values():
        _harvest(v, seen)
    docs = {name: participa.dumps(v) for name, v in sorted(seen.items())}
    for name, doc in docs.items():
        assert participa.loads(doc) == seen[name], name
    return docs


def _by_module(docs: dict[str, str]) -> Iterator[tuple[str, list[str]]]:
    modules: dict[str, list[str]] = {}
    for name, doc in docs.items():
        modules.setdefault(serialize.MODULES[name], []).append(doc)
    yield from sorted(modules.items())


CHILD = """
import json, sys
import participa
module, docs = json.loads(sys.stdin.read())
assert module not in sys.modules, f"{module} imported before loads"
for doc in docs:
    value = participa.loads(doc)
    assert type(value).__module__ == module, type(value)
    assert participa.loads(participa.dumps(value)) == value, doc[:200]
print(len(docs))
"""


@pytest.mark.slow
def test_every_sampled_value_round_trips_in_a_fresh_process() -> None:
    docs = _samples()
    # Values that need a specific scenario to arise (an axiom violation, a Pareto swap, a
    # multi-level allocation, a manual verdict); every other registered type is sampled.
    not_sampled = {
        "participa.allocation.TreeAllocation",
        "participa.analysis.ParetoSwap",
        "participa.analysis.Violation",
        "participa.feasibility.ManualVerdict",
    }
    assert set(serialize.MODULES) - set(docs) <= not_sampled, "sample the new value types"
    for module, group in _by_module(docs):
        result = subprocess.run(
            [sys.executable, "-c", CHILD],
            input=json.dumps([module, group]),
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, (module, result.stderr[-2000:])
        assert int(result.stdout) == len(group)


def test_event_hashes_do_not_change_with_type_names() -> None:
    """The log hashes payload tags under their 0.1.0 names: renaming types changes no hash."""
    from participa.phases.events import make_event
    from participa.process import Approved

    event = make_event(None, Approved("council"), actor="c", at="2001-01-01T10:00:00-05:00")
    # the same event hashed before the type names changed (tag "phases.Approved")
    assert event.hash == "4bd8e195637e12de5252b5a84fd957b2924581b059da820c8dddb1e8f678ab73"
    # and the hash participa 0.1.0 gave it
    assert event.legacy_hash() == (
        "29f1ea4893f62d4c767e0de819d2e7a88ca3eb13e24827d075cd482b8822bf66"
    )


def test_a_round_written_with_0_1_0_names_loads_and_verifies() -> None:
    from participa.phases import Machine, presets
    from participa.process import Approved

    m = Machine(presets.ves_2001())
    r = m.start(round_id="p", actor="c", at="2001-01-01T10:00:00-05:00", envelope=2000)
    r = m.record(r, Approved("council"), actor="c", at="2001-01-02T10:00:00-05:00")
    text = participa.dumps(r)
    assert '"participa.phases.Round"' in text
    old = text.replace('"participa.phases.', '"phases.').replace(
        '"participa.process.', '"phases.'
    )  # the names 0.1.0 wrote
    back = participa.loads(old)
    back.verify()
    assert back == r
