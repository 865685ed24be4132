"""Pooling: several territories put their money together into one joint envelope.

The seed paper names pooling as the remedy for *atomisation*: instead of each of 30
neighbourhoods funding a S/ 10,000 project, a few of them pool their shares to afford
a joint project. In participa a pool is part of an :class:`~participa.allocation.Allocation`:
``{pool name: member territory ids}``. The allocation's amounts per territory do not
change; its :attr:`~participa.allocation.Allocation.envelopes` say how much money each
envelope has to select projects with — a pool has the sum of its members' amounts, a
territory outside every pool keeps its own amount. A project belongs to a pool when
its territory is the pool's name (a joint project) or one of the pool's members.

Rules:

* a pool lists at least one member, every member is a territory of the allocation;
* a territory is in at most one pool;
* a pool's name is not the id of a territory of the allocation (it names the joint
  envelope and the joint projects).

Examples
--------
>>> from participa.allocation import Allocation, split_equally
>>> from participa.model import Territory
>>> a = split_equally(300, [Territory("n1"), Territory("n2"), Territory("n3")])
>>> pooled = pool(a, {"north": ["n1", "n2"]})
>>> dict(pooled.envelopes), pooled.envelope_of("n2"), pooled.envelope_of("north")
({'n3': 100, 'north': 200}, 'north', 'north')
>>> pool(a, {"n1": ["n2"]})
Traceback (most recent call last):
...
participa.errors.ValidationError: pool 'n1' has the name of a territory ...
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING

import attrs

from participa.boundary import checked
from participa.errors import ValidationError
from participa.i18n import _

if TYPE_CHECKING:
    from participa.allocation.core import Allocation

__all__ = ["check_pools", "envelope_of", "envelopes", "pool", "pool_map"]


def pool_map(value: Mapping[str, Iterable[str]] | None) -> Mapping[str, tuple[str, ...]]:
    """Pools as a read-only ``{pool name: member ids}`` with members as tuples."""
    if value is None:
        return MappingProxyType({})
    if not isinstance(value, Mapping):
        raise ValidationError(
            _("pools must be a mapping of pool name to territory ids, got {value!r}", value=value)
        )
    out: dict[str, tuple[str, ...]] = {}
    for name, members in value.items():
        if (
            not isinstance(name, str)
            or isinstance(members, str)
            or not isinstance(members, Iterable)
        ):
            raise ValidationError(
                _(
                    "pool {name!r} must list territory ids, got {value!r}",
                    name=name,
                    value=members,
                ),
                hint=_("write pools as {example}", example="{'north': ['n1', 'n2']}"),
            )
        out[name] = tuple(members)
    return MappingProxyType(out)


@checked
def check_pools(pools: Mapping[str, tuple[str, ...]], territory_ids: Iterable[str]) -> None:
    """Raise ``ValidationError`` unless ``pools`` are valid for these territories."""
    ids = set(territory_ids)
    member_of: dict[str, str] = {}
    for name in sorted(pools):
        if name in ids:
            raise ValidationError(
                _("pool {name!r} has the name of a territory", name=name),
                hint=_("name pools apart from territories; list territory ids as members"),
            )
        if not pools[name]:
            raise ValidationError(_("pool {name!r} has no members", name=name))
        for t in pools[name]:
            if t in pools:
                raise ValidationError(
                    _(
                        "pool {name!r} lists {member!r}, which is itself a pool",
                        name=name,
                        member=t,
                    ),
                    hint=_("list territory ids in pools, not pool names"),
                )
            if t not in ids:
                raise ValidationError(
                    _("pool {name!r} lists an unknown territory {member!r}", name=name, member=t),
                    hint=_("known territories: {ids}", ids=sorted(ids)),
                )
            if t in member_of and member_of[t] != name:
                raise ValidationError(
                    _(
                        "territory {member!r} is in two pools: {first!r} and {second!r}",
                        member=t,
                        first=member_of[t],
                        second=name,
                    ),
                    hint=_("a territory can pool its share only once"),
                )
            member_of[t] = name


@checked
def envelope_of(
    pools: Mapping[str, tuple[str, ...]], territory_ids: Iterable[str], key: str
) -> str | None:
    """The envelope a project whose territory is ``key`` selects from.

    The pool ``key`` is a member of (or the pool named ``key``: a joint project), else the
    territory itself; ``None`` when ``key`` is neither a territory nor a pool.

    >>> pools = {"north": ("n1", "n2")}
    >>> [envelope_of(pools, ["n1", "n2", "n3"], k) for k in ("n2", "north", "n3", "x")]
    ['north', 'north', 'n3', None]
    """
    if key in pools:
        return key
    for name, members in pools.items():
        if key in members:
            return name
    return key if key in set(territory_ids) else None


@checked
def envelopes(amounts: Mapping[str, int], pools: Mapping[str, tuple[str, ...]]) -> dict[str, int]:
    """Money per envelope: each pool has its members' sum, every other territory its own.

    In id order (pools and territories together).

    >>> envelopes({"n1": 100, "n2": 100, "n3": 100}, {"north": ("n1", "n2")})
    {'n3': 100, 'north': 200}
    """
    out: dict[str, int] = {}
    for tid in sorted(amounts):
        name = envelope_of(pools, amounts, tid)
        assert name is not None  # every territory of the amounts has an envelope
        out[name] = out.get(name, 0) + amounts[tid]
    return {k: out[k] for k in sorted(out)}


@checked
def pool(allocation: Allocation, pools: Mapping[str, Iterable[str]]) -> Allocation:
    """``allocation`` with these territories' money pooled into joint envelopes.

    Pools already on the allocation are replaced. See the module docstring for the rules.
    """
    return attrs.evolve(allocation, pools=pool_map(pools))
