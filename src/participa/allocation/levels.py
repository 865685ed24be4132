"""Allocation down a hierarchy: district → sections → neighbourhoods."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType

import attrs

from participa import serialize
from participa.allocation.core import Allocation, allocate
from participa.allocation.criteria import Formula
from participa.allocation.envelope import Envelope
from participa.apportion import Rounding
from participa.errors import ValidationError
from participa.i18n import _
from participa.model import Territory

__all__ = ["TreeAllocation", "allocate_levels"]


def _tree_map(value: Mapping[str, TreeAllocation]) -> Mapping[str, TreeAllocation]:
    return MappingProxyType(dict(value))


@serialize.register("participa.allocation.TreeAllocation")
@attrs.frozen(slots=True)
class TreeAllocation:
    """A split over a hierarchy: ``allocation`` among one level, and ``below`` the split of
    each territory's amount among its own children (territories whose ``parent`` is it)."""

    allocation: Allocation
    below: Mapping[str, TreeAllocation] = attrs.field(factory=dict, converter=_tree_map, hash=False)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.allocation, Allocation):
            raise ValidationError(
                _("a tree needs an Allocation, got {value!r}", value=self.allocation)
            )
        for sub in self.below.values():
            if not isinstance(sub, TreeAllocation):
                raise ValidationError(
                    _("a tree's levels must be TreeAllocation values, got {value!r}", value=sub)
                )

    def leaves(self) -> Mapping[str, int]:
        """Amounts of the territories with no children, in order; they sum to the total."""
        out: dict[str, int] = {}
        for tid, amount in self.allocation.amounts.items():
            sub = self.below.get(tid)
            if sub is None:
                out[tid] = amount
            else:
                out.update(sub.leaves())
        return MappingProxyType(out)

    def amounts(self) -> Mapping[str, int]:
        """Amounts of every territory at every level (a parent's is its children's sum)."""
        out: dict[str, int] = dict(self.allocation.amounts)
        for sub in self.below.values():
            out.update(sub.amounts())
        return MappingProxyType(out)

    def table(self) -> str:
        """Every level's table, parents first."""
        parts = [self.allocation.table()]
        parts += [sub.table() for sub in self.below.values()]
        return "\n\n".join(parts)


def allocate_levels(
    money: int | Envelope,
    territories: Sequence[Territory],
    formulas: Formula | Sequence[Formula],
    *,
    root: str | None = None,
    floors: Mapping[str, int] | None = None,
    caps: Mapping[str, int] | None = None,
    rounding: Rounding = Rounding.LARGEST_REMAINDER,
) -> TreeAllocation:
    """Split money down a hierarchy: district → sections → neighbourhoods.

    The territories whose ``parent`` is ``root`` (``None``: those without a parent) get
    the money by ``formulas[0]``; each of them that has children splits its amount
    among them by ``formulas[1]``, and so on (the last formula is reused below). A
    territory whose id is ``root`` is the district itself and gets nothing directly.
    ``floors`` and ``caps`` apply by territory id at any level.

    Raises :class:`~participa.ValidationError` for an unknown parent, or territories not
    under ``root`` (a cycle, or a second root).

    Examples
    --------
    >>> ts = [Territory("S1", indicators={"pop": 3}), Territory("S2", indicators={"pop": 1}),
    ...       Territory("S1a", parent="S1"), Territory("S1b", parent="S1")]
    >>> tree = allocate_levels(1001, ts, [Formula.proportional("pop"), Formula.equal()])
    >>> dict(tree.leaves())
    {'S1a': 376, 'S1b': 375, 'S2': 250}
    """
    if isinstance(territories, str) or not isinstance(territories, Iterable):  # type: ignore[unreachable]
        raise ValidationError(
            _(
                "territories must be a sequence of Territory values, got {value!r}",
                value=territories,
            )
        )
    for what, given in (("floors", floors), ("caps", caps)):
        if given is not None and not isinstance(given, Mapping):
            raise ValidationError(
                _(
                    "{what} must be a mapping of territory id to minor units, got {value!r}",
                    what=what,
                    value=given,
                )
            )
    if isinstance(formulas, str) or not isinstance(formulas, Formula | Iterable):  # type: ignore[unreachable]
        raise ValidationError(_("allocate needs a Formula, got {value!r}", value=formulas))
    fs = [formulas] if isinstance(formulas, Formula) else list(formulas)
    if not fs:
        raise ValidationError(_("give at least one formula"))
    ts = tuple(territories)
    by_id = {t.id: t for t in ts}
    if len(by_id) != len(ts):
        ids = [t.id for t in ts]
        raise ValidationError(
            _(
                "duplicate territory ids: {items}",
                items=sorted({x for x in ids if ids.count(x) > 1}),
            )
        )
    for t in ts:
        if t.parent is not None and t.parent not in by_id and t.parent != root:
            raise ValidationError(
                _("territory {id!r} names an unknown parent {parent!r}", id=t.id, parent=t.parent),
                hint=_("add the parent territory, or fix the parent id"),
            )
    children: dict[str | None, list[Territory]] = {}
    for t in ts:
        if t.id != root:
            children.setdefault(t.parent, []).append(t)
    reached: set[str] = set()

    def walk(parent: str | None, amount: int | Envelope, depth: int) -> TreeAllocation:
        kids = children.get(parent, [])
        if not kids:
            raise ValidationError(_("no territories under {parent!r}", parent=parent))
        fl = {k.id: v for k, v in ((k, (floors or {}).get(k.id)) for k in kids) if v is not None}
        cp = {k.id: v for k, v in ((k, (caps or {}).get(k.id)) for k in kids) if v is not None}
        alloc = allocate(
            amount, kids, fs[min(depth, len(fs) - 1)], floors=fl, caps=cp, rounding=rounding
        )
        reached.update(k.id for k in kids)
        below = {k.id: walk(k.id, alloc.amount(k.id), depth + 1) for k in kids if k.id in children}
        return TreeAllocation(alloc, below)

    tree = walk(root, money, 0)
    missing = sorted(set(by_id) - reached - {root} if root is not None else set(by_id) - reached)
    if missing:
        raise ValidationError(
            _("territories not under {root!r}: {missing}", root=root, missing=missing),
            hint=_("check their parent ids for cycles or a second root"),
        )
    extra = sorted(set(floors or {}) | set(caps or {}) - set(by_id))
    if extra:
        raise ValidationError(_("floors or caps name unknown territory ids: {extra}", extra=extra))
    return tree
