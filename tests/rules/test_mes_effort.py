"""Equal shares with the effort utility: kernel vs exact reference, pabutools 1.2.3, the corpus.

Effort gives every supporter of ``p`` the utility ``cost(p) / supporters(p)``. The
recorded corpus outcomes are pabutools 1.2.3's (``tests/data/expected_mes_effort.json``,
made by ``tools/make_expected_mes_effort.py``).
"""

from __future__ import annotations

import io
import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, note, settings
from hypothesis import strategies as st

from mes_strategies import approval_groups, kernel_options
from participa import RuleError
from participa.cli import main
from participa.i18n import use_language
from participa.io import load_election
from participa.model import BallotKind, Election, Profile, Project
from participa.outcome import Outcome
from participa.rules._common import masses
from participa.rules.mes import Completion, equal_shares, equal_shares_reference
from participa.rules.mes.rule import remaining_money
from participa.rules.registry import run_rule
from participa.testing import check_rule
from participa.testing.strategies import elections
from participa.tiebreak import DEFAULT_TIE_BREAK, TieBreak

DATA = Path(__file__).resolve().parents[1] / "data"
EXPECTED = json.loads((DATA / "expected_mes_effort.json").read_text(encoding="utf-8"))
ALL_KINDS = tuple(BallotKind)


def rhos(out: Any) -> list[str]:
    return [s.values["rho_exact"] for s in out.trace if "rho_exact" in s.values]


def example() -> Election:
    """a: 4 supporters, cost 40 (effort 10 each); b: 2 supporters, cost 30 (15 each)."""
    return Election(
        60,
        (Project("a", 40), Project("b", 30), Project("c", 20)),
        Profile.from_ballots(
            BallotKind.APPROVAL,
            ["a", "b", "c"],
            [["a", "b"], ["a", "b"], ["a"], ["a", "c"], ["c"], ["c"]],
        ),
    )


def test_worked_example() -> None:
    """Every voter holds 10. Round 1: a's 4 supporters pay t = 10 each, ρ = t × 4 / 40 = 1;
    c's 3 pay t = 20/3, ρ = (20/3) × 3 / 20 = 1; b's 2 would need 15 each. A tie at ρ = 1,
    settled by the id: a. Round 2: c's supporter who paid for a has 0, the other two pay
    t = 10 each, ρ = 10 × 3 / 20 = 3/2. Under ``count``, c (ρ = t = 20/3) beats a (10)."""
    e = example()
    out = equal_shares(e, utility="effort")
    assert out.selected == ("a", "c")
    assert rhos(out) == ["1", "3/2"]
    assert equal_shares(e, utility="count").selected[0] == "c"
    assert out.params["utility"] == "effort"


@given(e=elections(kinds=ALL_KINDS, weighted=True, max_voters=8), data=st.data())
def test_kernel_matches_reference(e: Election, data: st.DataObject) -> None:
    kw = kernel_options(data, "effort")
    completion = kw["completion"]
    note(repr(kw))
    fast = equal_shares(e, **kw)
    ref = equal_shares_reference(e, **kw)
    assert fast.selected == ref.selected
    assert fast.total_cost <= e.budget
    if completion == "none":
        assert rhos(fast) == rhos(ref)


many_voters = approval_groups(
    costs=(6, 10, 12, 30, 60), max_projects=6, max_groups=10, max_multiplicity=30
)
"""Many voters, few distinct costs and supporter counts: near ties in ρ and in payments."""


@given(e=many_voters, completion=st.sampled_from(["none", "add1"]))
def test_kernel_matches_reference_many_voters(e: Election, completion: str) -> None:
    fast = equal_shares(e, utility="effort", completion=completion)  # type: ignore[arg-type]
    ref = equal_shares_reference(e, utility="effort", completion=completion)
    assert fast.selected == ref.selected
    assert rhos(fast) == rhos(ref)


@given(e=elections(kinds=(BallotKind.APPROVAL, BallotKind.CHOOSE_1), weighted=True))
def test_phragmen_completion_starts_from_the_money_left(e: Election) -> None:
    """Each voter pays min(money, ρ × cost / supporters) = the cap t: the money left adds
    up to the budget minus what equal shares spent, exactly."""
    base = equal_shares(e, utility="effort")
    left = remaining_money(e, base, "effort", None)
    assert all(x >= 0 for x in left.tolist())
    held = sum(
        (Fraction(x) * w for x, w in zip(left.tolist(), masses(e), strict=True)), Fraction(0)
    )
    n = e.profile.total_weight
    assert held == (e.budget - base.total_cost if n else 0)
    done = equal_shares(e, utility="effort", completion="phragmen")
    assert done.selected[: len(base.selected)] == base.selected
    assert done.total_cost <= e.budget


@pytest.mark.oracle
@settings(max_examples=60, deadline=None)
@given(e=elections(kinds=ALL_KINDS, weighted=True, max_voters=7), add1=st.booleans())
def test_matches_pabutools(e: Election, add1: bool) -> None:
    pytest.importorskip("pabutools")
    from pabutools.election import Effort_Sat
    from pabutools.rules import method_of_equal_shares

    oracle = pytest.importorskip("oracle")  # tests/oracle.py

    instance, profile, _ = oracle.to_pabutools(e)
    kwargs: dict[str, Any] = {"sat_class": Effort_Sat}
    if add1:
        kwargs["voter_budget_increment"] = 1
    theirs = oracle.selected_ids(method_of_equal_shares(instance, profile, **kwargs))
    # pabutools adds one budget unit per voter and step: participa's minor units here
    ours = equal_shares(e, utility="effort", completion="add1" if add1 else "none", increment=1)
    assert ours.selected_set == theirs


CASES = [
    (name, key)
    for name, entry in EXPECTED.items()
    for key, res in entry["results"].items()
    if "selected" in res
]


@pytest.mark.parametrize(("name", "key"), CASES, ids=[f"{n[:30]}-{k}" for n, k in CASES])
def test_corpus_matches_pabutools(name: str, key: str) -> None:
    e = load_election(DATA / f"{name}.pb.gz")
    # add1: one currency unit per voter and step, as pabutools' voter_budget_increment=1
    completion: Completion = "add1" if key == "mes_effort_add1" else "none"
    out = equal_shares(e, utility="effort", completion=completion)
    assert sorted(out.selected) == EXPECTED[name]["results"][key]["selected"]
    assert out.total_cost <= e.budget


def test_the_corpus_record_covers_every_small_approval_file() -> None:
    assert len(CASES) >= 20


def test_registry_and_cli() -> None:
    e = load_election(DATA / "Poland_Lodz_2020_Nr_33.pb.gz")
    want = equal_shares(e, utility="effort")
    assert run_rule("mes", e, utility="effort").selected == want.selected
    out = io.StringIO()
    with pytest.raises(SystemExit) as exc:
        main(
            [
                "tally",
                str(DATA / "Poland_Lodz_2020_Nr_33.pb.gz"),
                "--rule",
                "mes",
                "--utility",
                "effort",
                "--json",
            ],
            out=out,
        )
    assert exc.value.code == 0
    assert sorted(json.loads(out.getvalue())["selected"]) == sorted(want.selected)


@pytest.mark.parametrize("name", ["cost-sqrt", "cost-log", "cc"])
def test_non_additive_satisfactions_are_refused(name: str) -> None:
    e = example()
    with pytest.raises(RuleError, match="additive") as exc:
        equal_shares(e, utility=name)  # type: ignore[arg-type]
    assert exc.value.hint is not None
    assert "effort" in exc.value.hint
    with use_language("es"), pytest.raises(RuleError, match="no es aditiva"):
        equal_shares(e, utility=name)  # type: ignore[arg-type]


def test_property_battery() -> None:
    def rule(e: Election, *, tie_break: TieBreak = DEFAULT_TIE_BREAK) -> Outcome:
        return equal_shares(e, utility="effort", tie_break=tie_break)

    check_rule(rule, kinds=ALL_KINDS, weighted=True, max_examples=40)
