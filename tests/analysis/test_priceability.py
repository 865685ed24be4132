"""Exact priceability: the issue's examples and an independent per-voter linear programme."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from participa._lp import Row, maximize
from participa.analysis import PriceSystem, check_price_system, find_price_system
from participa.analysis.axioms.price_lp import is_exhaustive
from participa.i18n import use_language
from participa.model import BallotKind, Election, Profile, Project
from participa.testing.strategies import elections


def voter_lp(e: Election, w: set[str], *, stable: bool, whole_budget: bool) -> bool:
    """Priceability decided voter by voter (no grouping), written from the definition.

    Variables: π, then p[v][c] for every voter copy and project (also the ones the
    voter does not approve, pinned to 0), then z[v] for stable. Shares only the exact
    simplex with the code under test.
    """
    ids = list(e.project_ids)
    m = len(ids)
    prof = e.profile
    voters: list[tuple[set[str], int]] = []
    for g in range(prof.num_groups):
        voters += [(set(prof.ballot(g)), int(prof.weight[g]))] * int(prof.multiplicity[g])
    nv = len(voters)
    p0 = 1
    z0 = p0 + nv * m
    size = z0 + (nv if stable else 0)

    def p(v: int, c: int) -> int:
        return p0 + v * m + c

    def row(d: dict[int, int]) -> list[int]:
        out = [0] * size
        for k, x in d.items():
            out[k] += x
        return out

    rows: list[Row] = []
    for v, (ballot, _) in enumerate(voters):
        for c in range(m):
            if ids[c] not in ballot or ids[c] not in w:
                rows.append((row({p(v, c): 1}), "==", 0))
        rows.append((row({0: -1} | {p(v, c): 1 for c in range(m)}), "<=", 0))
    for c in range(m):
        if ids[c] in w:
            rows.append((row({p(v, c): voters[v][1] for v in range(nv)}), "==", e.costs[c]))
    if whole_budget:
        rows.append((row({0: sum(x for _, x in voters)}), ">=", e.budget))
    for c in range(m):
        if ids[c] in w:
            continue
        fans = [v for v in range(nv) if ids[c] in voters[v][0]]
        if not fans:
            continue
        if stable:
            for v in fans:
                for d in range(m):
                    rows.append((row({z0 + v: 1, p(v, d): -1}), ">=", 0))
                rows.append((row({z0 + v: 1, 0: -1} | {p(v, d): 1 for d in range(m)}), ">=", 0))
            rows.append((row({z0 + v: voters[v][1] for v in fans}), "<=", e.costs[c]))
        else:
            d: dict[int, int] = {0: sum(voters[v][1] for v in fans)}
            for v in fans:
                for k in range(m):
                    d[p(v, k)] = d.get(p(v, k), 0) - voters[v][1]
            rows.append((row(d), "<=", e.costs[c]))
    return maximize([0] * size, rows).status == "optimal"


small = elections(max_projects=4, max_voters=4, max_cost=6, weighted=True)


@settings(max_examples=150, deadline=None)
@given(e=small, data=st.data())
def test_found_exactly_when_the_per_voter_programme_is_feasible(
    e: Election, data: st.DataObject
) -> None:
    w = data.draw(st.sets(st.sampled_from(e.project_ids)))
    stable = data.draw(st.booleans(), label="stable")
    whole = data.draw(st.booleans(), label="whole_budget")
    exh = data.draw(st.booleans(), label="exhaustive")
    opts = {"stable": stable, "whole_budget": whole, "exhaustive": exh}
    ps = find_price_system(e, w, **opts)
    costs = [int(c) for c in e.costs]
    in_w = [p in w for p in e.project_ids]
    expected = sum(c for c, x in zip(costs, in_w, strict=True) if x) <= e.budget
    expected = expected and (not exh or is_exhaustive(costs, in_w, e.budget))
    expected = expected and voter_lp(e, w, stable=stable, whole_budget=whole)
    assert (ps is not None) == expected
    if ps is not None:
        assert check_price_system(e, w, ps, **opts) == ()


@settings(max_examples=100, deadline=None)
@given(e=small, data=st.data())
def test_stable_implies_priceable(e: Election, data: st.DataObject) -> None:
    w = data.draw(st.sets(st.sampled_from(e.project_ids)))
    if find_price_system(e, w, stable=True) is not None:
        assert find_price_system(e, w) is not None


def test_the_equal_payment_search_missed_this_one() -> None:
    e = Election(
        2,
        [Project(p, 1) for p in "012"],
        Profile.from_ballots(
            BallotKind.APPROVAL, list("012"), [["0", "1"], ["0", "1", "2"], ["2"]]
        ),
    )
    ps = find_price_system(e, ["0", "1"])
    assert ps is not None
    assert ps.allowance == 1
    assert check_price_system(e, ["0", "1"], ps) == ()


def test_the_empty_set_is_not_certified() -> None:
    e = Election(
        100,
        [Project("x", 10), Project("y", 10)],
        Profile.from_ballots(BallotKind.APPROVAL, ["x", "y"], [["x", "y"]] * 10),
    )
    assert find_price_system(e, []) is None
    assert find_price_system(e, [], exhaustive=False) is None  # C0c alone refuses it
    assert find_price_system(e, [], whole_budget=False) is None  # C0b alone refuses it
    loose = find_price_system(e, [], exhaustive=False, whole_budget=False)
    assert loose is not None
    assert loose.allowance * 10 <= 10
    both = find_price_system(e, ["x", "y"])  # exhaustive; nothing is left unfunded
    assert both is not None
    assert both.allowance * 10 >= 100


def test_stable_is_stricter_on_an_example() -> None:
    # Two voters: v1 approves a (cost 2) and c (cost 1); v2 approves b (cost 2) and c.
    # W = {a, b}, budget 4, allowance 2: each pays 2 for her project; c's supporters
    # kept 0 (priceable) but each paid 2 > 1/2 of c, so S5 fails: not stable.
    e = Election(
        4,
        [Project("a", 2), Project("b", 2), Project("c", 1)],
        Profile.from_ballots(BallotKind.APPROVAL, ["a", "b", "c"], [["a", "c"], ["b", "c"]]),
    )
    assert find_price_system(e, ["a", "b"]) is not None
    assert find_price_system(e, ["a", "b"], stable=True) is None
    ps = find_price_system(e, ["a", "b"])
    assert ps is not None
    assert ps.allowance == Fraction(2)


def _soles() -> Election:
    """Two voters, S/ 4.00 of budget; a costs S/ 2.00, b S/ 3.00."""
    return Election(
        4_00,
        [Project("a", 2_00), Project("b", 3_00)],
        Profile.from_ballots(BallotKind.APPROVAL, ["a", "b"], [["a"], ["b"]]),
        currency="PEN",
        minor_per_unit=100,
    )


def test_a_failed_certificate_reads_in_spanish_with_money_as_money() -> None:
    """#15 / i18n: every failed condition is a translated sentence, amounts in soles."""
    e = _soles()
    third = Fraction(1, 3)
    bad = PriceSystem(Fraction(1_00) + third, ["a", "b"], [[1_00 + third, 0], [0, 0]])
    with use_language("es"):
        fails = check_price_system(e, ["a"], bad)
    assert fails == (
        "C0c: las asignaciones suman ≈ S/ 2.0067 < el presupuesto S/ 4.00",
        "C4: los pagos por 'a' suman ≈ S/ 1.0033, no su costo S/ 2.00",
    )
    keep = PriceSystem(4_00, ["a", "b"], [[2_00, 0], [0, 0]])
    short = PriceSystem(1_00, ["a", "b"], [[2_00, 0], [0, 0]])
    with use_language("es"):
        c5 = check_price_system(e, ["a"], keep, exhaustive=False)
        s5 = check_price_system(e, ["a"], keep, exhaustive=False, stable=True)
        c3 = check_price_system(e, ["a"], short, exhaustive=False, whole_budget=False)
    assert c5 == ("C5: los partidarios de 'b' conservan S/ 4.00 > su costo S/ 3.00",)
    assert s5 == ("S5: quienes apoyan 'b' conservan o pagaron S/ 4.00 > su costo S/ 3.00",)
    assert c3 == ("C3: la fila 0 paga S/ 2.00 > asignación S/ 1.00",)
    with use_language("es"):
        (shape,) = check_price_system(e, ["a"], PriceSystem(2_00, ["a", "b"], [[2_00, 0]]))
        (ids,) = check_price_system(e, ["a"], PriceSystem(2_00, ["b", "a"], [[0, 2_00], [0, 0]]))
    assert shape.startswith("los pagos deben ser 2 filas × 2 proyectos")
    assert ids == "los proyectos del sistema de precios no son los de la elección"


def test_price_system_shows_money_in_the_elections_currency() -> None:
    e = _soles()
    ps = find_price_system(e, ["a"])
    assert ps is not None
    assert ps.currency == e.money
    html = ps._repr_html_()
    assert "S/ 2.00" in html  # a's cost, paid by its supporter
    with use_language("es"):
        assert "asignación de S/ 2.00 por votante" in ps._repr_html_()
