"""participa.boundary: the checks the library's public entry points run before any work."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Literal

import numpy as np
import pytest

from participa.boundary import checked, describe, matches, need_arrays
from participa.errors import ValidationError
from participa.validators import int_array


@checked
def _share(total: int, parts: Sequence[int | None], *, mode: Literal["a", "b"] = "a") -> int:
    return total


@checked
def _rest(*items: int, **named: str) -> int:
    return len(items) + len(named)


def test_binding_by_hand_and_by_signature_agree() -> None:
    assert _share(1, [1, None]) == 1
    assert _share(1, parts=[2], mode="b") == 1
    assert _share(total=1, parts=()) == 1
    with pytest.raises(ValidationError, match="missing a required argument: 'parts'"):
        _share(1)  # type: ignore[call-arg]
    with pytest.raises(ValidationError, match="too many positional arguments"):
        _share(1, [], "a")  # type: ignore[misc]
    with pytest.raises(ValidationError, match="unexpected keyword argument 'bogus'"):
        _share(1, [], bogus=1)  # type: ignore[call-arg]
    with pytest.raises(ValidationError, match="multiple values for argument 'total'"):
        _share(1, [], total=2)  # type: ignore[misc]
    assert _rest(1, 2, a="x") == 3
    with pytest.raises(ValidationError, match=r"items must be an integer, got 2\.5"):
        _rest(1, 2.5)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="named must be a string, got 3"):
        _rest(a=3)  # type: ignore[arg-type]


def test_a_wrong_item_is_named_by_its_position_or_key() -> None:
    with pytest.raises(ValidationError, match=r"_share\(\): parts\[1\] must be an integer or None"):
        _share(1, [1, 2.5])  # type: ignore[list-item]
    with pytest.raises(ValidationError, match="mode must be one of 'a', 'b', got 'c'"):
        _share(1, [], mode="c")  # type: ignore[arg-type]

    @checked
    def weights(values: Mapping[str, int]) -> int:
        return len(values)

    with pytest.raises(ValidationError, match=r"values\['b'\] must be an integer, got True"):
        weights({"a": 1, "b": True})


def test_matches_kinds() -> None:
    assert matches(np.int64(3), int)
    assert not matches(np.bool_(True), int)
    assert not matches(float("inf") - float("inf"), float)
    assert matches({"a": 1}, Mapping[str, int])
    assert not matches({"a": 1}, Iterable[int])
    assert matches(np.zeros(2), np.ndarray)
    assert not matches("ab", Sequence[str])
    assert describe(Literal["x"] | None) == "one of 'x' or None"


def test_array_kernels_refuse_anything_but_arrays() -> None:
    need_arrays("k", a=np.zeros(1))
    with pytest.raises(ValidationError, match=r"k\(\): a must be a numpy array"):
        need_arrays("k", a=[0.0])


def test_int_array_never_truncates() -> None:
    assert int_array([1, 2**70], what="v").tolist() == [1, 2**70]
    assert int_array(np.array([3], np.uint8), what="v").tolist() == [3]
    for bad in ([1.5], [True, 1], "12", None, [[1]], [1, "2"]):
        with pytest.raises(ValidationError, match="v must be a list of integers"):
            int_array(bad, what="v")


def test_trusted_skips_kind_checks_only_inside_its_block_and_thread() -> None:
    import threading

    import attrs

    from participa.boundary import trusted, typed_fields

    @attrs.frozen(field_transformer=typed_fields)
    class Amount:
        value: int = attrs.field()

        @value.validator
        def _not_negative(self, _attribute: object, value: int) -> None:
            if isinstance(value, int) and value < 0:
                raise ValidationError("negative")

    @checked
    def twice(n: int) -> int:
        return 2 * n

    with trusted():
        assert Amount("3").value == "3"  # type: ignore[arg-type]  # kinds not re-checked
        assert twice("ab") == "abab"  # type: ignore[arg-type]
        with pytest.raises(ValidationError, match="negative"):
            Amount(-1)  # the value's own validator still runs
        seen: list[BaseException] = []

        def other_thread() -> None:
            try:
                Amount("3")  # type: ignore[arg-type]
            except ValidationError as exc:
                seen.append(exc)

        t = threading.Thread(target=other_thread)
        t.start()
        t.join()
        assert len(seen) == 1  # another thread is not trusted
    with pytest.raises(ValidationError, match="must be an integer"):
        Amount("3")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="must be an integer"):
        twice("ab")  # type: ignore[arg-type]
