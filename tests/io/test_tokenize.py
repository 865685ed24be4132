"""The numpy VOTES tokenizer agrees with splitting line by line, or steps aside."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from participa.io.pabulib._tokenize import vote_columns

FIELD = st.text(st.sampled_from(["a", "b", "1", "2", ",", "ł", "é", " ", "€"]), max_size=4)


@st.composite
def bodies(draw: st.DrawFn) -> tuple[list[list[str]], int, bool, int]:
    width = draw(st.integers(1, 5))
    rows = draw(st.lists(st.lists(FIELD, min_size=width, max_size=width), max_size=30))
    return rows, width, draw(st.booleans()), draw(st.integers(-1, width - 1))


@given(bodies())
def test_columns_match_a_plain_split(case: tuple[list[list[str]], int, bool, int]) -> None:
    rows, width, crlf, distinct = case
    sep = "\r\n" if crlf else "\n"
    head = "voter_id;vote" + sep
    body = "".join(";".join(r) + sep for r in rows)
    data = (head + body).encode()
    start = len(head.encode())
    found: list[tuple[list[str], np.ndarray]] = []
    cols = vote_columns(
        data, start, width, crlf=crlf, share=[0], distinct=distinct, distinct_out=found, small=0
    )
    if any(r == [""] * width and width == 1 for r in rows):
        assert cols is None  # a blank line: the line-by-line reader reports it
        return
    assert cols is not None
    want = [[r[c] for r in rows] for c in range(width)]
    if found:
        texts, inv = found[0]
        assert cols[distinct] == []
        assert [texts[int(u)] for u in inv] == want[distinct]
        assert texts == list(dict.fromkeys(want[distinct]))  # first appearance order
        cols[distinct] = want[distinct]
    assert cols == want


@given(bodies(), st.sampled_from(["\n", "x;y;z;w;v;u\n", ";\n", '"q"\n', "a\rb\n"]))
def test_odd_lines_make_it_step_aside(
    case: tuple[list[list[str]], int, bool, int], odd: str
) -> None:
    rows, width, _crlf, _distinct = case
    body = "".join(";".join(r) + "\n" for r in rows) + odd
    cols = vote_columns(body.encode(), 0, width, crlf=False, small=0)
    lines = body.split("\n")[:-1]
    fits = all(
        ln and '"' not in ln and "\r" not in ln and ln.count(";") == width - 1 for ln in lines
    )
    if cols is not None:
        assert fits
        assert cols == [[ln.split(";")[c] for ln in lines] for c in range(width)]
    else:
        assert not fits
