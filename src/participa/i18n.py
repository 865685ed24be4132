"""Languages: every message a person reads exists in English and in Spanish.

English is the source language: the message ids in the code *are* the English
texts. Spanish (Peruvian usage: *presupuesto participativo*, *agentes
participantes*, *expediente técnico*, *perfil*) lives in standard gettext
``.po`` catalogs under ``participa/locale/es/``, one file per area of the library
(``core.po``, ``cli.po``, ...); all the files of a language are merged when first
used. Editors such as Poedit or Weblate read and write them as they are.

How code uses it
----------------
* ``_("budget {amount} is negative", amount=...)`` translates into the current
  language, then fills the named ``{placeholders}`` with :meth:`str.format`.
* ``N_("...")`` marks a text for translation where it is defined (a table of
  labels, a constant) without translating it yet; translate it with ``_`` where
  it is shown.
* ``ngettext(singular, plural, n)`` picks the plural form.
* ``pgettext(context, "...")`` (and ``npgettext`` for plurals) translates a text whose
  English is the same as another one's but whose Spanish is not: a column ``"spent"`` of
  the budget-execution plan reads *ejecutado*, a ledger's *gastado*. The ``.po`` entry
  carries a ``msgctxt`` line; catalogs are merged by (context, English), so the two
  never overwrite each other. ``tests/test_i18n.py`` fails when two catalog files give
  the same English, without a context telling them apart, different Spanish.

The current language is a context variable: :func:`use_language` sets it for a
block (the CLI's ``--lang``, a ``lang=`` argument), :func:`set_language` for the
rest of the context; by default it comes from ``PARTICIPA_LANG``, then the
locale variables (``LC_ALL``, ``LC_MESSAGES``, ``LANG``), then English. Nothing
here is a process-wide switch that leaks across threads or asyncio tasks.

A test (``tests/test_i18n.py``) reads every ``_``, ``N_`` and ``ngettext`` call in
the source and fails when a message has no Spanish translation or when the
``{placeholders}`` of a translation differ from the English ones.

Examples
--------
>>> with use_language("es"):
...     _("{count} projects", count=3)
'3 proyectos'
>>> with use_language("en"):
...     _("{count} projects", count=3)
'3 projects'
>>> with use_language("es"):
...     (pgettext("plan", "spent"), _("spent"))
('ejecutado', 'gastado')
>>> get_language() in LANGUAGES
True
"""

from __future__ import annotations

import ast
import os
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from functools import cache
from typing import Final, Literal

from participa.errors import ValidationError

__all__ = [
    "LANGUAGES",
    "N_",
    "Language",
    "_",
    "catalog",
    "context_key",
    "default_language",
    "get_language",
    "gettext",
    "ngettext",
    "npgettext",
    "parse_po",
    "pgettext",
    "resolve_language",
    "set_language",
    "use_language",
]

Language = Literal["en", "es"]
LANGUAGES: Final[tuple[Language, ...]] = ("en", "es")

_current: ContextVar[Language | None] = ContextVar("participa_language", default=None)


def _from_tag(tag: str) -> Language | None:
    """``"es_PE.UTF-8"`` → ``"es"``; ``"C"`` or an unknown language → None."""
    code = tag.strip().split(".")[0].split("@")[0].replace("-", "_").split("_")[0].lower()
    for lang in LANGUAGES:
        if code == lang:
            return lang
    return None


def default_language() -> Language:
    """The language from ``PARTICIPA_LANG``, else the locale variables, else English.

    >>> default_language() in LANGUAGES
    True
    """
    for var in ("PARTICIPA_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var)
        if value:
            found = _from_tag(value)
            if found is not None or var == "PARTICIPA_LANG":
                return found or "en"
            if var == "LC_ALL":  # LC_ALL set to another language wins over LANG
                return "en"
    return "en"


def resolve_language(lang: str | None) -> Language:
    """Check a ``lang=`` argument: ``None`` means the current language.

    >>> resolve_language("es-PE")
    'es'
    >>> resolve_language("fr")
    Traceback (most recent call last):
    ...
    participa.errors.ValidationError: unknown language 'fr' (use one of: en, es)
    """
    if lang is None:
        return get_language()
    if not isinstance(lang, str) or _from_tag(lang) is None:
        raise ValidationError(
            _("unknown language {lang!r}", lang=lang)
            + " "
            + _("(use one of: {choices})", choices=", ".join(LANGUAGES))
        )
    found = _from_tag(lang)
    assert found is not None
    return found


def get_language() -> Language:
    """The language messages are translated into right now."""
    current = _current.get()
    return current if current is not None else default_language()


def set_language(lang: str | None) -> None:
    """Set the language for the rest of this context (``None``: back to the default)."""
    _current.set(None if lang is None else resolve_language(lang))


def use_language(lang: str | None) -> AbstractContextManager[Language]:
    """Translate into ``lang`` inside the ``with`` block (``None`` keeps the current one).

    An unknown language is refused when called, before the block starts.

    >>> with use_language("es") as lang:
    ...     lang
    'es'
    """
    return _using(resolve_language(lang) if lang is not None else None)


@contextmanager
def _using(lang: Language | None) -> Iterator[Language]:
    chosen = lang if lang is not None else get_language()
    token = _current.set(chosen)
    try:
        yield chosen
    finally:
        _current.reset(token)


# -- catalogs ----------------------------------------------------------------------------


def parse_po(text: str) -> dict[str, str | tuple[str, ...]]:
    """Read a gettext ``.po`` catalog: ``{msgid: msgstr}`` (a tuple for plural forms).

    Untranslated (empty) and fuzzy entries are left out, as gettext does. An entry with a
    ``msgctxt`` is keyed ``context + "\\x04" + msgid`` (see :func:`context_key`), as GNU
    gettext and Python's :mod:`gettext` key them.

    >>> parse_po('#, fuzzy\\nmsgid "a"\\nmsgstr "b"\\n\\nmsgid "c"\\nmsgstr ""\\n"d"\\n')
    {'c': 'd'}
    >>> parse_po('msgctxt "plan"\\nmsgid "spent"\\nmsgstr "ejecutado"\\n') == {
    ...     context_key("plan", "spent"): "ejecutado"}
    True
    """
    entries: dict[str, str | tuple[str, ...]] = {}
    fields: dict[str, str] = {}
    key: str | None = None
    fuzzy = False

    def flush() -> None:
        nonlocal fuzzy
        msgid = fields.get("msgid")
        if msgid and "msgctxt" in fields:
            msgid = context_key(fields["msgctxt"], msgid)
        if msgid and not fuzzy:
            if "msgid_plural" in fields:
                forms = tuple(
                    fields[k]
                    for k in sorted((k for k in fields if k.startswith("msgstr[")), key=_index)
                )
                if forms and all(forms):
                    entries[msgid] = forms
            elif fields.get("msgstr"):
                entries[msgid] = fields["msgstr"]
        fields.clear()
        fuzzy = False

    _text(text, "parse_po", "text")
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line:
            flush()
            key = None
        elif line.startswith("#"):
            if line.startswith("#,") and "fuzzy" in line:
                if fields:
                    flush()
                fuzzy = True
        elif line.startswith('"'):
            if key is not None:
                fields[key] += _po_string(line, number)
        else:
            name, _sep, rest = line.partition(" ")
            if name in ("msgctxt", "msgid") and "msgid" in fields:
                keep = fuzzy
                flush()
                fuzzy = keep
            key = name
            fields[key] = _po_string(rest.strip(), number)
    flush()
    return entries


def context_key(context: str, msgid: str) -> str:
    """The catalog key of ``msgid`` in ``context``: the two joined by ``"\\x04"`` (EOT).

    >>> context_key("plan", "spent")
    'plan\\x04spent'
    """
    _text(context, "context_key", "context")
    _text(msgid, "context_key", "msgid")
    return f"{context}\x04{msgid}"


def _po_string(text: str, number: int) -> str:
    """One quoted ``.po`` string, or a ParseError naming the line."""
    try:
        value = ast.literal_eval(text) if text.startswith('"') else None
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        value = None
    if not isinstance(value, str):
        from participa.errors import ParseError

        raise ParseError(
            _("not a quoted gettext string: {text!r}", text=text[:60]),
            line=number,
            hint=_('each entry is msgid "..." then msgstr "..."'),
        )
    return value


def _index(key: str) -> int:
    return int(key[key.index("[") + 1 : key.index("]")])


@cache
def catalog(lang: Language) -> dict[str, str | tuple[str, ...]]:
    """Every translation of ``lang``, merged from all its ``.po`` files (English: empty)."""
    merged: dict[str, str | tuple[str, ...]] = {}
    if lang == "en":
        return merged
    from importlib import resources  # (12 ms to import: only when a catalog is read)

    folder = resources.files("participa").joinpath("locale", lang)
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".po"):
            merged.update(parse_po(entry.read_text(encoding="utf-8")))
    return merged


def _text(value: object, func: str, arg: str) -> None:
    """Refuse a message id that is not a string (it would be looked up or formatted)."""
    if not isinstance(value, str):
        raise ValidationError(
            _(
                "{func}(): {arg} must be a string, got {value!r}",
                func=func,
                arg=arg,
                value=value,
            )
        )


def _count(n: object, func: str) -> None:
    """Refuse a plural count that is not an integer."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise ValidationError(
            _("{func}(): {arg} must be an integer, got {value!r}", func=func, arg="n", value=n)
        )


def gettext(msgid: str, lang: str | None = None) -> str:
    """``msgid`` in ``lang`` (default: the current language); the id itself when missing."""
    _text(msgid, "gettext", "msgid")
    found = catalog(resolve_language(lang) if lang is not None else get_language()).get(msgid)
    return found if isinstance(found, str) else msgid


def _plural_index(lang: Language, n: int) -> int:
    return 0 if n == 1 else 1  # English and Spanish: one, other


def ngettext(singular: str, plural: str, n: int, lang: str | None = None, **kwargs: object) -> str:
    """The singular or plural form for ``n``, translated and filled (``n`` is ``{n}``).

    >>> ngettext("{n} voter", "{n} voters", 1, lang="es")
    '1 votante'
    >>> ngettext("{n} voter", "{n} voters", 1_000, lang="es")
    '1000 votantes'
    """
    _text(singular, "ngettext", "singular")
    _text(plural, "ngettext", "plural")
    _count(n, "ngettext")
    return _plural_form(singular, singular, plural, n, lang).format(n=n, **kwargs)


def pgettext(context: str, msgid: str, /, **kwargs: object) -> str:
    """Translate ``msgid`` as meant in ``context`` and fill its ``{placeholders}``.

    Without a translation in that context the English ``msgid`` is used (the context is
    there to tell translations apart, never shown).

    >>> with use_language("es"):
    ...     pgettext("plan", "promised"), _("promised")
    ('priorizado', 'prometido')
    >>> with use_language("en"):
    ...     pgettext("plan", "spent {amount}", amount=3)
    'spent 3'
    """
    _text(context, "pgettext", "context")
    _text(msgid, "pgettext", "msgid")
    found = catalog(get_language()).get(context_key(context, msgid))
    text = found if isinstance(found, str) else msgid
    return text.format(**kwargs) if kwargs else text


def npgettext(
    context: str, singular: str, plural: str, n: int, lang: str | None = None, **kwargs: object
) -> str:
    """:func:`ngettext` for a text meant in ``context`` (its entry has a ``msgctxt``)."""
    _text(context, "npgettext", "context")
    _text(singular, "npgettext", "singular")
    _text(plural, "npgettext", "plural")
    _count(n, "npgettext")
    key = context_key(context, singular)
    return _plural_form(key, singular, plural, n, lang).format(n=n, **kwargs)


def _plural_form(key: str, singular: str, plural: str, n: int, lang: str | None) -> str:
    """The catalog's form of entry ``key`` for ``n`` in ``lang`` (else the current
    language), or the English ``singular``/``plural`` when it has none."""
    chosen = resolve_language(lang) if lang is not None else get_language()
    forms = catalog(chosen).get(key)
    index = _plural_index(chosen, n)
    if isinstance(forms, tuple) and len(forms) > index:
        return forms[index]
    return singular if index == 0 else plural


def _(msgid: str, /, **kwargs: object) -> str:
    """Translate ``msgid`` into the current language and fill its ``{placeholders}``."""
    if type(msgid) is not str:  # a str subclass is checked there too
        _text(msgid, "_", "msgid")
    lang = _current.get()
    found = catalog(lang if lang is not None else default_language()).get(msgid)
    text = found if isinstance(found, str) else msgid
    return text.format(**kwargs) if kwargs else text


def N_(msgid: str, /) -> str:  # noqa: N802 - the gettext convention
    """Mark ``msgid`` for translation without translating it now."""
    _text(msgid, "N_", "msgid")
    return msgid
