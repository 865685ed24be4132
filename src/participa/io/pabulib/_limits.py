"""Getting a file's text, bounded: what is read, how much, and how it is decoded.

Before any parsing the reader takes the bytes of a file (refusing devices, FIFOs,
sockets and directories up front, without blocking on them), gunzips them when
they start with the gzip magic bytes, and checks them against a :class:`Limits`:
the decompressed size, the number of lines and the longest line. Decompression
stops as soon as the output passes the size limit, so a small gzip bomb costs
only what the limit allows. Every refusal is a :class:`~participa.ParseError`
naming the limit and how to raise it.

The defaults sit far above every real file: the largest of the public pabulib
snapshot is about 4 MB with 91,000 lines of at most 351 characters.

Examples
--------
>>> Limits().max_bytes >= 16 * 4_000_000
True
>>> text, anomalies = _decode(b"META\\n" * 3, None, Limits(max_lines=2))
Traceback (most recent call last):
...
participa.errors.ParseError: the file has more than 2 lines ...
"""

from __future__ import annotations

import os
import stat
import zlib

import attrs
import numpy as np

from participa.boundary import typed_fields
from participa.errors import ParseError
from participa.i18n import _
from participa.io.pabulib._anomalies import Anomaly

__all__ = ["Limits"]

_CHUNK = 1 << 20


def _positive(instance: object, attribute: attrs.Attribute[int], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        from participa.errors import ValidationError

        raise ValidationError(
            _(
                "Limits.{name} must be a positive whole number, got {value!r}",
                name=attribute.name,
                value=value,
            )
        )


@attrs.frozen(slots=True, field_transformer=typed_fields)
class Limits:
    """Bounds on what the pabulib reader accepts, so no file can exhaust memory or time.

    Parameters
    ----------
    max_bytes
        Most bytes of (decompressed) file content: 64 MiB by default, 16 times the
        largest real file (a gzip bomb costs at most about this much).
    max_lines
        Most lines: 5 million by default (the largest real file has 91,000).
    max_line_length
        Most bytes on one line: 1 MiB by default (real lines have at most a few hundred).

    Examples
    --------
    >>> Limits(max_lines=10).max_lines
    10
    >>> Limits(max_bytes=0)
    Traceback (most recent call last):
    ...
    participa.errors.ValidationError: Limits.max_bytes must be a positive whole number, got 0
    """

    max_bytes: int = attrs.field(default=64 << 20, validator=_positive)
    max_lines: int = attrs.field(default=5_000_000, validator=_positive)
    max_line_length: int = attrs.field(default=1 << 20, validator=_positive)


def _too_big(file: str | None, limit: int) -> ParseError:
    return ParseError(
        _("the file holds more than {limit} bytes", limit=limit),
        file=file,
        hint=_("raise the limit with limits=Limits(max_bytes=...) if the file is genuine"),
    )


def read_source(path: str | os.PathLike[str], file: str | None, limits: Limits) -> bytes:
    """The bytes of ``path``: a regular file only, read up to ``limits.max_bytes``.

    The file is opened without blocking and checked with ``fstat`` before any read,
    so ``/dev/zero``, a FIFO or a directory is refused at once.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except IsADirectoryError:
        raise ParseError(
            _("this is a folder, not a file"), file=file, hint=_("name a .pb or .pb.gz file")
        ) from None
    try:
        st = os.fstat(fd)
        mode = st.st_mode
        if stat.S_ISDIR(mode):
            raise ParseError(
                _("this is a folder, not a file"), file=file, hint=_("name a .pb or .pb.gz file")
            )
        if not stat.S_ISREG(mode):
            raise ParseError(
                _("not a regular file (a device, FIFO or socket)"),
                file=file,
                hint=_("copy the data into a regular .pb file first"),
            )
        chunks: list[bytes] = []
        size = 0
        # the whole file in one read of its size (+1 to see it grow): no 1 MiB buffer for a
        # small file, no copy to join for a large one; then chunks, if it did grow
        want = st.st_size + 1
        while True:
            chunk = os.read(fd, min(want, limits.max_bytes + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            want = _CHUNK if size > st.st_size else 1  # 1 byte: the end, as fstat said
            if size > limits.max_bytes:
                raise _too_big(file, limits.max_bytes)
        return b"".join(chunks)
    finally:
        os.close(fd)


def _gunzip(data: bytes, file: str | None, limit: int) -> bytes:
    """Decompress every gzip member of ``data``, stopping once the output passes ``limit``."""
    out: list[bytes] = []
    size = 0
    rest = data
    while rest:
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        buf = rest
        try:
            while not d.eof:
                piece = d.decompress(buf, limit + 1 - size)
                out.append(piece)
                size += len(piece)
                if size > limit:
                    raise _too_big(file, limit)
                buf = d.unconsumed_tail
                if not piece and not buf:
                    break
        except zlib.error as exc:
            raise ParseError(
                _("the gzip data is damaged: {error}", error=exc),
                file=file,
                hint=_("re-download the file or gunzip it to check"),
            ) from None
        if not d.eof:
            raise ParseError(
                _("the gzip data is damaged: {error}", error=_("it ends too early")),
                file=file,
                hint=_("re-download the file or gunzip it to check"),
            )
        rest = d.unused_data
        if rest[:2] != b"\x1f\x8b":
            if rest.strip(b"\x00"):
                raise ParseError(
                    _("the gzip data is damaged: {error}", error=_("bytes after the end")),
                    file=file,
                    hint=_("re-download the file or gunzip it to check"),
                )
            break
    return b"".join(out)


_COUNT = 1 << 19
"""Bytes compared at a time when counting line ends."""


def _lines(data: bytes) -> int:
    """The number of lines of ``data`` (a last line without a line end counts).

    Only worth counting when there are more bytes than lines allowed: a line holds at
    least one byte (its line end, or the last line's text).
    """
    if len(data) < 1 << 16:
        ends = data.count(b"\n")
    else:  # numpy counts megabytes several times faster; 512 KiB at a time (memory)
        buf = np.frombuffer(data, np.uint8)
        ends = sum(
            int(np.count_nonzero(buf[a : a + _COUNT] == 10)) for a in range(0, buf.size, _COUNT)
        )
    return ends + (not data.endswith(b"\n") and bool(data))


def check_lines(data: bytes, file: str | None, limits: Limits) -> None:
    """Refuse more lines, or a longer line, than ``limits`` allows (counted on the bytes)."""
    if len(data) > limits.max_lines and _lines(data) > limits.max_lines:
        raise ParseError(
            _("the file has more than {limit} lines", limit=limits.max_lines),
            file=file,
            hint=_("raise the limit with limits=Limits(max_lines=...) if the file is genuine"),
        )
    if len(data) <= limits.max_line_length:
        return
    half = max(limits.max_line_length // 2, 1)
    if all(data.find(b"\n", a, a + half) >= 0 for a in range(0, len(data) - half + 1, half)):
        # a line longer than the limit would hold a whole aligned stretch of half of it
        return
    at = np.flatnonzero(np.frombuffer(data, np.uint8) == 10)
    starts = np.empty(at.size + 1, np.int64)
    starts[0] = 0
    starts[1:] = at + 1
    stops = np.append(at, len(data))
    widths = stops - starts
    longest = int(np.argmax(widths))
    if int(widths[longest]) > limits.max_line_length:
        raise ParseError(
            _("a line is longer than {limit} bytes", limit=limits.max_line_length),
            file=file,
            line=longest + 1,
            hint=_(
                "raise the limit with limits=Limits(max_line_length=...) if the file is genuine"
            ),
        )


def _decode(data: bytes, file: str | None, limits: Limits) -> tuple[str, list[Anomaly]]:
    """The file's text (gunzipped, checked against ``limits``, BOM removed) and its anomalies."""
    text, anomalies, _raw = decode_bytes(data, file, limits)
    return text, anomalies


_LAZY_FROM = 1 << 16
"""Texts from this many bytes on may leave their VOTES undecoded (:func:`decode_head`)."""


def decode_head(
    data: bytes, file: str | None, limits: Limits
) -> tuple[str, list[Anomaly], bytes, int]:
    """:func:`decode_bytes`, but a large text's VOTES data lines are not decoded.

    Returns ``(head, anomalies, data, rest)``: ``head`` is the text of ``data[:rest]``
    and ``data[rest:]`` is ASCII (so the whole is valid UTF-8, and its text is
    ``head + data[rest:].decode("ascii")``); ``rest == len(data)`` when the whole was
    decoded. A large file's VOTES section is read from its bytes: decoding it too builds
    a str (of 2 or 4 bytes a character once a project name is not ASCII) for nothing.
    Errors are those of :func:`decode_bytes`, on the same bytes.

    >>> head, _a, data, rest = decode_head(
    ...     "META\\nname;Łódź\\n".encode() + b"VOTES\\n" + b"1;2\\n" * 20_000, None, Limits())
    >>> head, rest, data[rest:rest + 8]
    ('META\\nname;Łódź\\nVOTES\\n1;2\\n', 28, b'1;2\\n1;2\\n')
    """
    data, anomalies = _checked(data, file, limits)
    rest = 0
    if len(data) >= _LAZY_FROM:  # from the line after the VOTES marker and header lines
        marker = data.find(b"\nVOTES") + 1
        header = data.find(b"\n", marker) + 1 if marker else 0
        rest = data.find(b"\n", header) + 1 if header else 0
    # a line start (a line feed is never inside a character); the end from there ASCII
    if 0 < rest < len(data) and int(np.frombuffer(data, np.uint8, offset=rest).max()) < 0x80:
        return _text(data[:rest], file), anomalies, data, rest
    return _text(data, file), anomalies, data, len(data)


def _checked(data: bytes, file: str | None, limits: Limits) -> tuple[bytes, list[Anomaly]]:
    """The file's bytes gunzipped, checked against ``limits``, without a BOM (an anomaly)."""
    anomalies: list[Anomaly] = []
    if len(data) > limits.max_bytes:
        raise _too_big(file, limits.max_bytes)
    if data[:2] == b"\x1f\x8b":
        data = _gunzip(data, file, limits.max_bytes)
    check_lines(data, file, limits)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
        anomalies.append(Anomaly("bom", _("the file starts with a byte-order mark"), line=1))
    return data, anomalies


def _text(data: bytes, file: str | None) -> str:
    """``data`` decoded as UTF-8; a :class:`~participa.ParseError` with its line if it is not."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ParseError(
            _("bytes that are not UTF-8 ({data!r})", data=data[exc.start : exc.start + 4]),
            file=file,
            line=line,
            hint=_("pabulib files are UTF-8; re-encode the file"),
        ) from None


def decode_bytes(data: bytes, file: str | None, limits: Limits) -> tuple[str, list[Anomaly], bytes]:
    """:func:`_decode`, and the UTF-8 bytes of the text (gunzipped, without the BOM)."""
    data, anomalies = _checked(data, file, limits)
    return _text(data, file), anomalies, data
