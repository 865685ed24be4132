"""Writing: an :class:`~participa.model.Election` to pabulib text, and atomically to a file.

``read(write(x)) == x`` for every election the model accepts: META text that
still agrees with the model is kept, what pabulib needs and the model lacks is
filled in and listed in ``participa:synthesized``, and a declared point bound the
ballots break (left out of ``Election.constraints``) is kept as written and listed
in ``participa:relaxed``.
"""

from __future__ import annotations

import gzip
import os
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np

from participa.errors import ValidationError
from participa.i18n import _
from participa.io.pabulib._common import (
    _CONSTRAINT_KEYS,
    _MODELLED_PROJECT_COLUMNS,
    _MPU_KEY,
    _RELAXED_KEY,
    _REQUIRED_META,
    _RESERVED,
    _SPECIAL,
    _SYNTH_KEY,
    _WEIGHT_COLUMN,
    PROJECT_COLUMNS_KEY,
    VOTE_COLUMNS_KEY,
    _join,
    _scale,
    _split,
)
from participa.model import (
    BallotKind,
    Election,
    Profile,
    Project,
    _amount_text_equals,
    _int_text_equals,
)

__all__ = ["write_pabulib", "write_pabulib_file"]


def _natural_project_columns(projects: Sequence[Project]) -> list[str]:
    cols = ["project_id", "cost"]
    if any(p.name for p in projects):
        cols.append("name")
    if any(p.categories for p in projects):
        cols.append("category")
    if any(p.territory is not None for p in projects):
        cols.append("district")
    if any(p.beneficiaries is not None for p in projects):
        cols.append("beneficiaries")
    if any(p.dimension is not None for p in projects):
        cols.append("dimension")
    seen = dict.fromkeys(k for p in projects for k in p.metadata)
    return cols + list(seen)


def _natural_vote_columns(kind: BallotKind, profile: Profile) -> list[str]:
    cols = ["voter_id", "vote"]
    if kind.has_points:
        cols.append("points")
    if profile.num_groups and int(profile.weight.max()) != 1:
        cols.append(_WEIGHT_COLUMN)
    if profile.voters is not None:
        cols.extend(profile.voters.columns)
    return cols


def _ordered(
    stored: Sequence[str] | None, natural: list[str], writable: Iterable[str]
) -> list[str]:
    """``stored`` order, kept to the columns the writer can fill, then the missing natural ones."""
    if stored is None:
        return natural
    can = set(natural) | set(writable)
    order = list(dict.fromkeys(c for c in stored if c in can))
    return order + [c for c in natural if c not in order]


def _stored(meta: Mapping[str, str], key: str) -> list[str] | None:
    text = meta.get(key)
    return None if text is None else _split(text)


def _amount_writer(mpu: int) -> Callable[[int], str]:
    digits = len(str(mpu)) - 1
    if mpu != 10**digits:
        raise ValidationError(
            _(
                "minor_per_unit = {mpu} is not a power of ten, so amounts "
                "cannot be written as decimals of a unit",
                mpu=mpu,
            ),
            hint=_("convert the election to a power-of-ten minor unit first"),
        )

    def fmt(amount: int) -> str:
        if digits == 0:
            return str(amount)
        whole, frac = divmod(amount, mpu)
        return f"{whole}.{frac:0{digits}d}"

    return fmt


def write_pabulib(election: Election) -> str:
    """The election as pabulib text (LF line ends, UTF-8 when encoded).

    The writer keeps the election's META text where it still agrees with the
    model (a budget of ``400000.0`` stays so), replaces it where the model changed
    (``with_budget``), and fills in what pabulib requires (see the module notes).

    Raises
    ------
    ValidationError
        If a value cannot be written (a line break in a field, a comma in a project
        id, a ``minor_per_unit`` that is not a power of ten).

    Examples
    --------
    >>> from participa.model import Profile
    >>> e = Election(10, (Project("a", 4), Project("b", 6)),
    ...              Profile.from_ballots(BallotKind.ORDINAL, ["a", "b"], [["b", "a"]]))
    >>> print(write_pabulib(e))  # doctest: +ELLIPSIS
    META
    key;value
    description;
    ...
    vote_type;ordinal
    ...
    PROJECTS
    project_id;cost
    a;4
    b;6
    VOTES
    voter_id;vote
    1;b,a
    <BLANKLINE>
    """
    e = election
    kind = e.kind
    prof = e.profile
    mpu = e.minor_per_unit
    fmt = _amount_writer(mpu)
    for p in e.projects:
        if "," in p.id:
            raise ValidationError(
                _("a project id contains a comma, which separates projects in votes"),
                project_id=p.id,
            )
        clash = [
            k
            for k in p.metadata
            if k in _MODELLED_PROJECT_COLUMNS
            and not (k == "beneficiaries" and p.beneficiaries is None)
        ]
        if clash:
            raise ValidationError(
                _(
                    "metadata column {clash!r} clashes with a modelled project field",
                    clash=clash[0],
                ),
                project_id=p.id,
            )
    cons = e.constraints
    model_values: dict[str, str | None] = {
        "description": e.name,
        "budget": fmt(e.budget),
        "vote_type": kind.value,
        "currency": e.currency,
    }
    for key in _CONSTRAINT_KEYS:
        v = getattr(cons, key)
        model_values[key] = None if v is None else str(v)

    out: list[str] = ["META", "key;value"]
    written: dict[str, str] = {}
    relaxed: list[str] = []
    for key, raw in e.meta.items():
        if key.startswith(_RESERVED):
            continue
        value: str | None = raw
        if key == "budget":
            value = raw if _amount_equals(raw, e.budget, mpu) else model_values["budget"]
        elif key in _CONSTRAINT_KEYS:
            want = getattr(cons, key)
            if want is None:
                value = raw  # a bound the model does not hold: kept as written, marked
                relaxed.append(key)
            else:
                value = raw if _int_equals(raw, want) else model_values[key]
        elif key == "vote_type":
            value = raw if raw.strip() == kind.value else kind.value
        elif key in model_values and raw != model_values[key]:
            value = model_values[key]
        if value is not None:
            written[key] = value
    synth: list[str] = []
    defaults = {
        "num_projects": str(len(e.projects)),
        "num_votes": str(prof.num_voters),
        "country": "unknown",
        "unit": "unknown",
        "instance": "unknown",
        "rule": "unknown",
        "date_begin": "",
        "date_end": "",
    }
    for key in (*_REQUIRED_META, "currency", *_CONSTRAINT_KEYS):
        if key in written:
            continue
        value = model_values[key] if key in model_values else defaults[key]
        if value is not None:
            written[key] = value
            synth.append(key)
    if prof.voters is None:
        synth.append("voter_id")
    amounts = [written.get("budget", fmt(e.budget)).strip()] + [fmt(p.cost) for p in e.projects]
    for key, value in written.items():
        out.append(_join([key, value]))
    if synth:
        out.append(_join([_SYNTH_KEY, ",".join(synth)]))
    if relaxed:
        out.append(_join([_RELAXED_KEY, ",".join(relaxed)]))
    if _scale(amounts) != mpu:
        out.append(_join([_MPU_KEY, str(mpu)]))

    # PROJECTS
    pcols = _ordered(
        _stored(e.meta, PROJECT_COLUMNS_KEY),
        _natural_project_columns(e.projects),
        _MODELLED_PROJECT_COLUMNS,
    )
    out.append("PROJECTS")
    out.append(_join(pcols))
    for p in e.projects:
        cells = {
            "project_id": p.id,
            "cost": fmt(p.cost),
            "name": p.name,
            "category": ",".join(p.categories),
            "district": p.territory or "",
            "beneficiaries": p.metadata.get("beneficiaries", "")
            if p.beneficiaries is None
            else str(p.beneficiaries),
            "dimension": p.dimension or "",
        }
        out.append(_join([cells[c] if c in cells else p.metadata.get(c, "") for c in pcols]))

    # VOTES
    vcols = _ordered(
        _stored(e.meta, VOTE_COLUMNS_KEY), _natural_vote_columns(kind, prof), (_WEIGHT_COLUMN,)
    )
    out.append("VOTES")
    out.append(_join(vcols))
    out.extend(_vote_rows(e, vcols))
    return "\n".join(out) + "\n"


def _amount_equals(raw: str, amount: int, mpu: int) -> bool:
    return _amount_text_equals(raw, amount, mpu)


def _int_equals(raw: str, value: int) -> bool:
    return _int_text_equals(raw, value)


def _vote_rows(e: Election, vcols: Sequence[str]) -> list[str]:
    prof = e.profile
    ids = prof.project_ids
    g = prof.num_groups
    mat = prof.matrix
    on = prof.approvals()
    vote_text: list[str] = []
    point_text: list[str] = []
    for row in range(g):
        r = mat[row]
        nz = np.flatnonzero(on[row])
        if prof.kind is BallotKind.ORDINAL:
            nz = nz[np.argsort(r[nz], kind="stable")]
        vote_text.append(",".join(ids[j] for j in nz))
        if prof.kind.has_points:
            point_text.append(",".join(str(int(r[j])) for j in nz))
    voters = prof.voters
    if voters is not None:
        group = voters.group.tolist()
        vids: Sequence[str] = voters.ids
        columns = voters.columns
    else:
        group = np.repeat(np.arange(g), prof.multiplicity).tolist()
        vids = [str(i + 1) for i in range(len(group))]
        columns = {}
    votes = [vote_text[x] for x in group]
    data: dict[str, Sequence[str]] = {"voter_id": vids, "vote": votes}
    if prof.kind.has_points:
        data["points"] = [point_text[x] for x in group]
    if _WEIGHT_COLUMN in vcols:
        wt = [str(int(w)) for w in prof.weight]
        data[_WEIGHT_COLUMN] = [wt[x] for x in group]
    for c in vcols:
        if c not in data:
            data[c] = columns.get(c) or [""] * len(group)
    table = [data[c] for c in vcols]
    special = any(ch in "\x1f".join(col) for col in table for ch in _SPECIAL)
    if not special:
        return [";".join(row) for row in zip(*table, strict=True)]
    return [_join(row) for row in zip(*table, strict=True)]


def write_pabulib_file(election: Election, path: str | os.PathLike[str]) -> Path:
    """Write the election to ``path`` atomically; gzip it when the name ends in ``.gz``.

    The whole text is built first, written to a temporary file in the same folder,
    flushed to disk and then moved over ``path`` with :func:`os.replace`, so a
    failure leaves either the old file or the new one, never half of one.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from participa.model import Profile
    >>> e = Election(5, (Project("a", 5),),
    ...              Profile.from_ballots(BallotKind.APPROVAL, ["a"], [["a"]]))
    >>> from participa.io import load_election
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = write_pabulib_file(e, pathlib.Path(d) / "x.pb.gz")
    ...     load_election(p) == e
    True
    """
    target = Path(os.fspath(path))
    text = write_pabulib(election)
    data = text.encode("utf-8")
    if target.name.endswith(".gz"):
        data = gzip.compress(data, mtime=0)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return target
