"""Ballots: the VOTES columns to a collapsed :class:`~participa.model.Profile`.

Identical ballot texts are parsed once. The fast path (:func:`_ballots_fast`)
matches every token of every distinct ballot with numpy; whenever anything needs
a closer look (an unknown id, a project twice, padded numbers, weights) it gives
up and the slow path (:func:`_ballots_slow`) parses ballot by ballot, raising the
first error with its line or reading a repeated project once (``duplicate-project``).
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping, Sequence
from itertools import repeat
from typing import Any

import numpy as np
import numpy.typing as npt

from participa.errors import ValidationError
from participa.i18n import _, ngettext
from participa.io.pabulib._common import _DIGITS, _INT, _MAX_POINTS, _WEIGHT_COLUMN, IntArray
from participa.io.pabulib._grouping import (
    Repeats,
    drop_repeats,
    group_ballots,
    group_sets,
    group_values,
)
from participa.io.pabulib._sections import _Reader, _Section
from participa.model import BallotKind, Profile, Project, TextColumn, Voters, collapse_rows
from participa.model.profile import _matrix_dtype


def _votes(
    r: _Reader,
    sec: _Section,
    kind: BallotKind,
    projects: Sequence[Project],
    synthetic_ids: bool,
) -> Profile:
    header = sec.header
    for col in ("voter_id", "vote"):
        if col not in header:
            raise r.error(
                _("the VOTES header has no {col!r} column", col=col),
                line=sec.header_line,
                hint=_("the VOTES header starts with voter_id;vote"),
            )
    pos = {h: j for j, h in enumerate(header)}
    if kind.has_points and "points" not in pos:
        raise r.error(
            _("a {value} file needs a 'points' column in VOTES", value=kind.value),
            line=sec.header_line,
            hint=_("add points aligned with vote, e.g. vote 3,7 and points 2,1"),
        )
    if sec.fill is not None:
        fast = _votes_spans(r, sec, kind, projects, synthetic_ids, pos)
        if fast is not None:
            return fast
        sec.fill()  # something needs a closer look: the column-wise reading reports it
    assert sec.cols is not None
    cols = sec.cols
    n = len(cols[pos["voter_id"]])
    m = len(projects)
    ids = cols[pos["voter_id"]]
    votes = cols[pos["vote"]]
    points: list[str] | None = None
    if kind.has_points:
        points = cols[pos["points"]]
    elif kind.is_approval and "points" in pos:
        pts = cols[pos["points"]]
        bad = next((i for i, p in enumerate(pts) if p.strip()), None)
        if bad is not None:
            raise r.error(
                _("points on a {value} ballot", value=kind.value),
                line=sec.line(bad),
                voter_id=ids[bad],
                hint=_("approval and choose-1 ballots carry no points; use vote_type cumulative"),
            )
    weights: list[str] | None = cols[pos[_WEIGHT_COLUMN]] if _WEIGHT_COLUMN in pos else None
    skip = {"voter_id", "vote", _WEIGHT_COLUMN} | ({"points"} if kind.has_points else set())
    extra = [h for h in header if h not in skip]

    if not synthetic_ids:
        if "" in ids:
            i = ids.index("")
            raise r.error(_("empty voter_id"), line=sec.line(i), hint=_("give every voter an id"))
        if len(set(ids)) != n:
            first: dict[str, int] = {}
            for i, v in enumerate(ids):
                if v in first:
                    raise r.error(
                        _("duplicate voter id (first on line {line})", line=sec.line(first[v])),
                        line=sec.line(i),
                        voter_id=v,
                    )
                first[v] = i

    # identical (vote, points, weight) strings are parsed once
    keys: Sequence[Any]
    if sec.distinct is not None and points is None and weights is None:
        uniq, inv = sec.distinct  # deduplicated by the tokenizer (file order)
        keys = votes
    else:
        if points is None and weights is None:
            keys = votes
        else:
            keys = list(zip(votes, points or votes, weights or votes, strict=True))
        index: dict[Any, int] = {k: u for u, k in enumerate(dict.fromkeys(keys))}
        inv = np.fromiter(map(index.__getitem__, keys), np.int64, n)
        uniq = list(index)
    k = len(uniq)
    vtexts: list[str] = uniq if points is None and weights is None else [u[0] for u in uniq]
    ptexts = None if points is None else [u[1] for u in uniq]
    wtexts = None if weights is None else [u[2] for u in uniq]
    del keys, votes, points, weights  # the per-voter texts: only the distinct ones are kept
    for name in ("vote", "points", _WEIGHT_COLUMN):
        if name in pos and name not in extra:
            cols[pos[name]] = []

    def where(u: int) -> tuple[int, str]:
        i = int(np.argmax(inv == u))
        return sec.line(i), ids[i]

    pidx = {p.id: j for j, p in enumerate(projects)}
    ballots = None
    if wtexts is None:
        ballots = _ballots_fast(kind, vtexts, ptexts, pidx, m)
    if ballots is None:
        ballots = _ballots_slow(r, where, kind, vtexts, ptexts, wtexts, pidx, m)
    mat, _lengths, listed_u, wt_u, dups = ballots
    mult_u = np.bincount(inv, minlength=k).astype(np.int64)
    if dups:
        first_dup = min(dups)  # distinct ballots are numbered in file order
        line, vid = where(first_dup)
        _warn_repeats(r, int(mult_u[list(dups)].sum()), line, dups[first_dup], vid)
    zero_u: npt.NDArray[np.bool_] | None = None
    if listed_u is not None:
        zero_u = (listed_u & (mat == 0)).any(axis=1)
        if not zero_u.any():
            listed_u, zero_u = None, None
    cm, mult, cw, inv2 = collapse_rows(mat, mult_u, wt_u, listed=listed_u)
    listed: npt.NDArray[np.bool_] | None = None
    if listed_u is not None:
        listed = np.zeros(cm.shape, np.bool_)
        listed[inv2] = listed_u
    group = inv2[inv] if n else np.zeros(0, np.int64)

    if zero_u is not None:
        count = int(mult_u[zero_u].sum())
        line, vid = where(int(np.flatnonzero(zero_u)[0]))
        r.warn(
            "zero-points",
            ngettext(
                "{n} ballot lists projects with 0 points (kept on the ballot: they count "
                "as approved for the cost and count utilities)",
                "{n} ballots list projects with 0 points (kept on the ballot: they count "
                "as approved for the cost and count utilities)",
                count,
            ),
            line=line,
            voter_id=vid,
        )

    voters: Voters | None = None
    try:
        if not synthetic_ids:
            columns = {h: tuple(cols[pos[h]]) for h in extra}
            voters = Voters(ids, group, columns)
        profile = Profile(kind, tuple(p.id for p in projects), cm, mult, cw, voters, listed=listed)
    except ValidationError as exc:
        raise r.error(exc.message, line=sec.header_line, voter_id=exc.voter_id) from None
    return profile


def _warn_repeats(r: _Reader, count: int, line: int, project_id: str, voter_id: str) -> None:
    """The ``duplicate-project`` anomaly: ``count`` voters' ballots name a project twice."""
    r.warn(
        "duplicate-project",
        ngettext(
            "{n} ballot names a project twice (it counts once)",
            "{n} ballots name a project twice (it counts once)",
            count,
        ),
        line=line,
        project_id=project_id,
        voter_id=voter_id,
    )


def _votes_spans(
    r: _Reader,
    sec: _Section,
    kind: BallotKind,
    projects: Sequence[Project],
    synthetic_ids: bool,
    pos: Mapping[str, int],
) -> Profile | None:
    """The profile read straight from a plain VOTES section's byte spans (see :mod:`._spans`).

    A project named twice on a ballot counts once, as in the column-wise reading, with
    the same ``duplicate-project`` anomaly. ``None`` whenever anything needs a closer
    look (weights, an unknown project, 0 points, an empty or repeated voter id, ...):
    the column-wise reading then reports it with its line.
    """
    spans = sec.spans
    assert spans is not None
    if _WEIGHT_COLUMN in pos or (kind.is_approval and "points" in pos):
        return None  # (an ordinal file's points column is kept as a voter column)
    n = spans.n
    skip = {"voter_id", "vote", _WEIGHT_COLUMN} | ({"points"} if kind.has_points else set())
    ids: TextColumn | None = None
    columns: dict[str, TextColumn] = {}
    if not synthetic_ids:
        ids = spans.column(pos["voter_id"])  # spans of the file's bytes: no string per voter
        if n and int(np.min(ids._lengths())) == 0:
            return (
                None  # an empty id (a repeated one makes Voters refuse): the slow path says where
            )
        columns = {h: spans.column(j) for h, j in pos.items() if h not in skip}
    pidx = {p.id: j for j, p in enumerate(projects)}
    tok = spans.ballots(pos["vote"], pidx)
    if tok is None:
        return None
    values: IntArray | None = None
    if kind.has_points:
        ptok = spans.items(pos["points"])
        if ptok is None or not np.array_equal(ptok.counts, tok.counts):
            return None
        values = spans.numbers(ptok)
        del ptok
        if values is None or (values.size and int(values.min()) == 0):
            return None  # 0 points: the listed mask and its anomaly
    elif kind is BallotKind.ORDINAL:  # rank = position on the ballot
        offsets = np.cumsum(tok.counts) - tok.counts
        values = np.arange(tok.cols.size, dtype=np.int64) - np.repeat(offsets, tok.counts) + 1
    # the line offsets are done with (the column-wise reading, should it be needed, starts
    # again from the bytes): grouping and Voters' duplicate check have their memory
    sec.spans = spans = None
    # approval: a ballot's set of at most 64 projects, or its one project, is its own key
    sets = group_sets(n, tok, len(projects)) if values is None else None
    repeats: Repeats | None = None
    if sets is None:
        tok, values, repeats = drop_repeats(
            n, tok, values, len(projects), ranks=kind is BallotKind.ORDINAL
        )
    if kind is BallotKind.CHOOSE_1 and n and int(tok.counts.max()) > 1:
        return None
    if repeats is not None and ids is None:
        return None  # (the column-wise reading names the voter by the file's text)
    if sets is not None:
        grouped: tuple[npt.NDArray[Any], Any, IntArray] | None = sets
    else:
        top = int(values.max()) if values is not None and values.size else 0
        dtype = _matrix_dtype(kind, len(projects), top)  # the Profile's own: no second copy
        grouped = None
        if values is not None:  # points or ranks: exact words when the ballots fit one
            grouped = group_values(n, tok, values, len(projects), dtype)
        if grouped is None:
            grouped = group_ballots(n, tok, values, len(projects), dtype)
    del tok, values, sets
    if grouped is None:
        return None
    mat, inv32, mult = grouped
    del grouped
    inv = inv32.astype(np.int64)  # Voters.group is int64 whichever path read the file
    del inv32
    for arr in (mat, inv, mult):
        arr.setflags(write=False)  # handed over to the Profile as is (no defensive copy)
    try:
        voters: Voters | None = None
        if ids is not None:
            voters = Voters(ids, inv, columns)
        weight = np.ones(mat.shape[0], np.int64)
        profile = Profile(kind, tuple(p.id for p in projects), mat, mult, weight, voters)
    except ValidationError:
        return None
    if repeats is not None and ids is not None:
        first = repeats.first
        _warn_repeats(r, repeats.voters, sec.line(first), projects[repeats.column].id, ids[first])
    return profile


_Ballots = tuple[npt.NDArray[Any], IntArray, npt.NDArray[np.bool_] | None, IntArray, dict[int, str]]
"""Distinct ballots: matrix, lengths, listed mask (points kinds), weights, and the ballots
naming a project twice (distinct ballot → the first such project)."""
_POINTS_LIST = re.compile(r"[0-9]{1,9}(?:,[0-9]{1,9})*")
_MASK64 = (1 << 64) - 1
_MULTIPLIERS = (0x9E3779B97F4A7C15, 0xBF58476D1CE4E5B9, 0x94D049BB133111EB, 0xD6E8FEB86659FD93)
"""Odd 64-bit constants tried, in order, for the collision-free hash of project ids."""


def _counts(texts: Sequence[str]) -> IntArray:
    """Number of comma-separated items in each text (0 for an empty text)."""
    commas = np.fromiter(map(str.count, texts, repeat(",")), np.int64, len(texts))
    empty = np.fromiter(map(operator.not_, texts), np.bool_, len(texts))
    out: IntArray = np.where(empty, 0, commas + 1)
    return out


def _token_columns(joined: str, total: int, pidx: Mapping[str, int]) -> IntArray | None:
    """Column of each of the ``total`` comma-separated tokens of ``joined``, matched with numpy.

    Each token and each project id of at most 8 UTF-8 bytes is read as one
    little-endian ``uint64`` (bytes zero-padded); a multiplicative hash without
    collisions among the ids points each token at one candidate id, and the token
    matches when its key *and* byte length are the candidate's, so the match is
    exact. A token that is no project id gets ``-1``. Returns ``None`` when the
    trick does not apply (an id longer than 8 bytes, text that does not encode);
    the caller then maps the tokens through ``pidx`` one by one.

    Examples
    --------
    >>> ids = {"ab": 0, "c": 1, "x\\x00": 2}
    >>> _token_columns("ab,c,ab", 3, ids).tolist()
    [0, 1, 0]
    >>> _token_columns("ab,x,,abc,x\\x00", 5, ids).tolist()
    [0, -1, -1, -1, 2]
    >>> _token_columns("ab", 1, {"a-very-long-id": 0}) is None
    True
    """
    if not total or not pidx:
        return None
    try:
        raw = joined.encode("utf-8")
        id_bytes = [p.encode("utf-8") for p in pidx]
    except UnicodeEncodeError:
        return None
    if max(map(len, id_bytes)) > 8:
        return None
    size = len(raw) + 1
    buf = np.frombuffer(raw + b"," + bytes(8), np.uint8)  # 8 spare bytes: every word is inside
    comma = buf[:size] == 44  # ord(",")
    width = raw.find(b",") + 1 if total > 1 else size
    fixed: int | None = None
    lengths: IntArray | None = None
    if (
        1 < width <= 9
        and size == total * width
        and int(np.count_nonzero(comma)) == total
        and bool((buf[width - 1 : size : width] == 44).all())
    ):
        # every token has width - 1 bytes: token i is the word at byte i * width
        fixed = width - 1
        words: npt.NDArray[np.uint64] = np.ndarray(
            (total,), dtype="<u8", buffer=buf, strides=(width,)
        )
        keys = words & np.uint64((1 << (8 * fixed)) - 1)
    else:
        ends = np.flatnonzero(comma)
        if ends.size != total:
            return None
        starts = np.empty(total, np.int64)
        starts[0] = 0
        starts[1:] = ends[:-1] + 1
        lengths = ends - starts
        packed = np.zeros((total, 8), np.uint8)
        for p in range(min(int(lengths.max()), 8)):
            packed[:, p] = np.where(lengths > p, buf[starts + p], 0)
        keys = packed.view("<u8").reshape(total)
    m = len(id_bytes)
    id_key = [int.from_bytes(b, "little") for b in id_bytes]
    rows = [j for j, b in enumerate(id_bytes) if fixed is None or len(b) == fixed]
    found: tuple[int, int, list[int]] | None = None
    for bits in range(max(4, len(rows).bit_length() + 1), 21):
        for mul in _MULTIPLIERS:
            slots = [((id_key[j] * mul) & _MASK64) >> (64 - bits) for j in rows]
            if len(set(slots)) == len(rows):
                found = bits, mul, slots
                break
        if found is not None:
            break
    if found is None:
        return None
    bits, mul, slots = found
    lookup = np.full(1 << bits, m, np.int32)  # row m: no id
    lookup[slots] = rows
    id_keys = np.array([*id_key, _MASK64], np.uint64)  # 0xFF bytes never occur in UTF-8
    id_col = np.array([*pidx.values(), -1], np.int64)
    at = lookup[(keys * np.uint64(mul)) >> np.uint64(64 - bits)]
    ok = id_keys[at] == keys
    if lengths is not None:
        ok &= np.array([*map(len, id_bytes), -1], np.int64)[at] == lengths
    out: IntArray = np.where(ok, id_col[at], -1)
    return out


def _ballots_fast(
    kind: BallotKind,
    vtexts: Sequence[str],
    ptexts: Sequence[str] | None,
    pidx: Mapping[str, int],
    m: int,
) -> _Ballots | None:
    """Parse distinct ballot texts with numpy; ``None`` when anything needs a closer look.

    The slow path (:func:`_ballots_slow`) then finds and reports the first problem,
    or handles what this one leaves to it (padded numbers, weights).
    """
    k = len(vtexts)
    counts = _counts(vtexts)
    total = int(counts.sum())
    if k and kind is BallotKind.CHOOSE_1 and int(counts.max()) > 1:
        return None
    joined = ",".join(filter(None, vtexts)) if total else ""
    cols = _token_columns(joined, total, pidx)
    if cols is None:
        tokens = joined.split(",") if total else []
        try:
            cols = np.fromiter(map(pidx.__getitem__, tokens), np.int64, total)
        except KeyError:
            return None
    elif cols.size and int(cols.min()) < 0:
        return None  # a token that is no project id
    rows = np.repeat(np.arange(k, dtype=np.int64), counts)
    seen = np.zeros((k, m), np.bool_)
    seen[rows, cols] = True
    if k and not np.array_equal(np.count_nonzero(seen, axis=1), counts):
        return None  # a project twice on one ballot
    if kind.is_approval:
        return seen, counts, None, np.ones(k, np.int64), {}
    if ptexts is None:  # ordinal: rank = position on the ballot
        mat = np.zeros((k, m), _matrix_dtype(kind, m))
        starts = np.repeat(np.cumsum(counts) - counts, counts)
        mat[rows, cols] = np.arange(total, dtype=np.int64) - starts + 1
        return mat, counts, None, np.ones(k, np.int64), {}
    if not np.array_equal(_counts(ptexts), counts):
        return None
    joined = ",".join(filter(None, ptexts))
    if total and _POINTS_LIST.fullmatch(joined) is None:
        return None
    vals = np.fromiter(map(int, joined.split(",")), np.int64, total) if total else cols
    mat = np.zeros((k, m), _matrix_dtype(kind, m, int(vals.max()) if total else 0))
    mat[rows, cols] = vals
    return mat, counts, seen, np.ones(k, np.int64), {}


def _ballots_slow(
    r: _Reader,
    where: Callable[[int], tuple[int, str]],
    kind: BallotKind,
    vtexts: Sequence[str],
    ptexts: Sequence[str] | None,
    wtexts: Sequence[str] | None,
    pidx: Mapping[str, int],
    m: int,
) -> _Ballots:
    """Parse distinct ballot texts one by one, raising the first problem with its line."""
    k = len(vtexts)
    rr: list[int] = []
    cc: list[int] = []
    vv: list[int] = []
    wt_u = np.ones(k, np.int64)
    lengths = np.zeros(k, np.int64)
    dups: dict[int, str] = {}
    for u, vtext in enumerate(vtexts):
        ptext = None if ptexts is None else ptexts[u]
        wtext = None if wtexts is None else wtexts[u]
        pids = vtext.split(",") if vtext else []
        try:
            js = [pidx[p] for p in pids]
        except KeyError:
            bad = next(p for p in pids if p not in pidx)
            line, vid = where(u)
            raise r.error(
                _("the ballot names an unknown project"),
                line=line,
                project_id=bad,
                voter_id=vid,
                hint=_("every project in a vote must be listed in PROJECTS (check for spaces)"),
            ) from None
        repeated = len(set(js)) != len(js)
        if repeated:
            dups[u] = next(p for p in pids if pids.count(p) > 1)
        if kind is BallotKind.CHOOSE_1 and len(set(js)) > 1:
            line, vid = where(u)
            raise r.error(
                _("a choose-1 ballot names {js_count} projects", js_count=len(js)),
                line=line,
                voter_id=vid,
            )
        if wtext is not None:
            if not _DIGITS.fullmatch(wtext) or not 1 <= int(wtext) < _MAX_POINTS:
                line, vid = where(u)
                raise r.error(_("bad voter weight {wtext!r}", wtext=wtext), line=line, voter_id=vid)
            wt_u[u] = int(wtext)
        if ptext is not None:
            items = ptext.split(",") if ptext else []
            if len(items) != len(js):
                line, vid = where(u)
                raise r.error(
                    _(
                        "{items_count} points for {js_count} projects",
                        items_count=len(items),
                        js_count=len(js),
                    ),
                    line=line,
                    voter_id=vid,
                    hint=_("points must be aligned with vote: one number per project"),
                )
            vals: list[int] = []
            for t in items:
                s = t.strip()
                if not _INT.fullmatch(s) or abs(int(s)) >= _MAX_POINTS:
                    line, vid = where(u)
                    raise r.error(
                        _("points are not whole numbers: {ptext!r}", ptext=ptext),
                        line=line,
                        voter_id=vid,
                    )
                vals.append(int(s))
            if min(vals, default=0) < 0:
                line, vid = where(u)
                raise r.error(_("negative points: {ptext!r}", ptext=ptext), line=line, voter_id=vid)
        elif kind is BallotKind.ORDINAL:
            vals = list(range(1, len(js) + 1))
        else:
            vals = [1] * len(js)
        if repeated:  # counts once: first position (ordinal), last points, a set otherwise
            keep: dict[int, int] = {}
            for j, v in zip(js, vals, strict=True):
                if kind.has_points or j not in keep:
                    keep[j] = v
            js = list(keep)
            vals = (
                list(range(1, len(js) + 1)) if kind is BallotKind.ORDINAL else list(keep.values())
            )
        lengths[u] = len(js)
        rr.extend([u] * len(js))
        cc.extend(js)
        vv.extend(vals)

    # the Profile's dtype: ranks are at most m (one per project), points at most max(vv)
    mat = np.zeros((k, m), _matrix_dtype(kind, m, max(vv, default=0)))
    listed = np.zeros((k, m), np.bool_) if kind.has_points else None
    if rr:
        rows, cols = np.asarray(rr, np.int64), np.asarray(cc, np.int64)
        mat[rows, cols] = np.asarray(vv, np.int64)
        if listed is not None:
            listed[rows, cols] = True
    return mat, lengths, listed, wt_u, dups
