"""Every message a person reads has English and Spanish, with the same placeholders."""

from __future__ import annotations

import ast
import string
from pathlib import Path

import pytest

from participa import i18n
from participa.i18n import (
    _,
    catalog,
    context_key,
    ngettext,
    npgettext,
    parse_po,
    pgettext,
    use_language,
)

SRC = Path(i18n.__file__).resolve().parent


def _messages() -> list[tuple[str, str, str | None]]:
    """(where, key, plural) for every literal passed to ``_``, ``N_``, ``ngettext``,
    ``pgettext`` or ``npgettext`` (the key of a text in a context is ``context_key``)."""
    found: list[tuple[str, str, str | None]] = []
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else None
            if name not in {"_", "N_", "ngettext", "pgettext", "npgettext"}:
                continue
            context = None
            if name in {"pgettext", "npgettext"}:
                ctx = node.args[0]
                if not (isinstance(ctx, ast.Constant) and isinstance(ctx.value, str)):
                    continue
                context, name = ctx.value, name[1:]
                node.args = node.args[1:]
                if not node.args:
                    continue
            first = node.args[0]
            if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
                continue
            plural = None
            if name == "ngettext" and len(node.args) > 1:
                second = node.args[1]
                if isinstance(second, ast.Constant) and isinstance(second.value, str):
                    plural = second.value
            where = f"{path.relative_to(SRC.parent)}:{node.lineno}"
            key = first.value if context is None else context_key(context, first.value)
            found.append((where, key, plural))
    return found


def _fields(text: str) -> set[str]:
    return {f for _lit, f, _spec, _conv in string.Formatter().parse(text) if f is not None}


MESSAGES = _messages()


def test_the_source_has_messages() -> None:
    assert len(MESSAGES) >= 5


def test_every_message_has_spanish() -> None:
    es = catalog("es")
    missing = sorted({f"{where}: {msgid!r}" for where, msgid, _p in MESSAGES if msgid not in es})
    assert not missing, "messages without Spanish:\n" + "\n".join(missing)


def test_placeholders_agree() -> None:
    es = catalog("es")
    wrong = []
    for where, msgid, plural in MESSAGES:
        translated = es.get(msgid)
        forms = translated if isinstance(translated, tuple) else (translated,)
        for form in forms:
            if form is None:
                continue
            expected = _fields(msgid) | (_fields(plural) if plural else set())
            if not _fields(form) <= expected or not _fields(form) >= _fields(msgid) - {"n"}:
                wrong.append(f"{where}: {msgid!r} -> {form!r}")
    assert not wrong, "\n".join(wrong)


def _entry_keys(text: str) -> list[tuple[str | None, str]]:
    """(msgctxt, msgid line) of every entry of a .po text, in order."""
    keys: list[tuple[str | None, str]] = []
    context = None
    for line in text.splitlines():
        if line.startswith("msgctxt "):
            context = line
        elif line.startswith("msgid "):
            keys.append((context, line))
            context = None
    return keys


def test_catalog_files_parse_and_have_no_duplicates() -> None:
    for po in sorted((SRC / "locale").rglob("*.po")):
        text = po.read_text(encoding="utf-8")
        keys = _entry_keys(text)
        dup = sorted({k[1] for k in keys if keys.count(k) > 1})
        assert not dup, f"duplicate msgid (in the same msgctxt) in {po.name}: {dup}"
        assert parse_po(text)


def collisions(files: dict[str, str]) -> list[str]:
    """One line per English text that two catalog files translate differently.

    ``files`` maps a file name to its ``.po`` text. Entries are compared by (msgctxt,
    msgid): the same English in different contexts is no collision.
    """
    first: dict[str, tuple[str, str | tuple[str, ...]]] = {}
    found = []
    for name in sorted(files):
        for key, text in parse_po(files[name]).items():
            if key not in first:
                first[key] = (name, text)
                continue
            other, other_text = first[key]
            if other_text != text:
                context, _sep, msgid = key.rpartition("\x04")
                where = f"msgctxt {context!r} " if _sep else ""
                found.append(
                    f"{where}msgid {msgid!r}: {other} says {other_text!r}, {name} says {text!r}"
                )
    return found


def test_collisions_name_both_files() -> None:
    files = {
        "a.po": 'msgid "spent"\nmsgstr "gastado"\n\nmsgid "same"\nmsgstr "igual"\n',
        "b.po": 'msgid "spent"\nmsgstr "ejecutado"\n\nmsgid "same"\nmsgstr "igual"\n',
        "c.po": 'msgctxt "plan"\nmsgid "spent"\nmsgstr "ejecutado"\n',
    }
    assert collisions(files) == [
        "msgid 'spent': a.po says 'gastado', b.po says 'ejecutado'",
    ]
    files["d.po"] = 'msgctxt "plan"\nmsgid "spent"\nmsgstr "gastado"\n'
    assert collisions(files)[1] == (
        "msgctxt 'plan' msgid 'spent': c.po says 'ejecutado', d.po says 'gastado'"
    )


def test_no_english_text_has_two_spanish_translations_across_catalogs() -> None:
    for folder in sorted(p for p in (SRC / "locale").iterdir() if p.is_dir()):
        files = {po.name: po.read_text(encoding="utf-8") for po in folder.glob("*.po")}
        found = collisions(files)
        assert not found, (
            f"locale/{folder.name}: the same English is translated differently by two "
            "catalogs; agree on one translation, or give each meaning a msgctxt in its "
            'catalog and call pgettext("context", "...") where it is used:\n' + "\n".join(found)
        )


def test_contexts_keep_their_own_translation() -> None:
    with use_language("es"):
        assert pgettext("plan", "spent") == "ejecutado"
        assert _("spent") == "gastado"
        assert pgettext("plan", "territory") == "zona"
        assert _("territory") == "territorio"
        assert pgettext("no such context", "spent") == "spent"
        assert npgettext("plan", "{n} thing", "{n} things", 2) == "2 things"
    with use_language("en"):
        assert pgettext("plan", "spent") == "spent"


def test_language_switch_is_scoped() -> None:
    with use_language("es"):
        assert _("{count} projects", count=2) == "2 proyectos"
        with use_language("en"):
            assert _("{count} projects", count=2) == "2 projects"
        assert ngettext("{n} voter", "{n} voters", 2) == "2 votantes"


def test_language_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("PARTICIPA_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(var, raising=False)
    assert i18n.default_language() == "en"
    monkeypatch.setenv("LANG", "es_PE.UTF-8")
    assert i18n.default_language() == "es"
    monkeypatch.setenv("PARTICIPA_LANG", "en")
    assert i18n.default_language() == "en"


def test_unknown_language_is_a_participa_error() -> None:
    from participa import ValidationError

    with pytest.raises(ValidationError, match="unknown language"):
        i18n.resolve_language("klingon")


# -- nothing a person reads is left out of the catalogs ---------------------------------

#: Keywords that carry a text a person reads, in any call (``what=``/``where=`` name the
#: value an error message is about: ``non_negative_int(x, what=_("weight of theme {t}"))``).
_MESSAGE_KEYWORDS = frozenset({"hint", "message", "msg", "reason", "detail", "what", "where"})

#: ``(path under participa/, English text)`` of literal messages deliberately left in
#: English, each with the reason. A stale entry (the text is gone) fails
#: :func:`test_no_stale_allow_list_entries`.
_LP_CONTRACT = (
    "the private exact LP solver's own calling contract: a bare ValueError raised only "
    "on a programming error inside participa, never by a user's input"
)
UNTRANSLATED_ALLOWED: dict[tuple[str, str], str] = {
    ("_lp.py", "every row needs one coefficient per variable"): _LP_CONTRACT,
    ("_lp.py", "add_column needs a solved, optimal programme"): _LP_CONTRACT,
    ("_lp.py", "a column needs one coefficient per row"): _LP_CONTRACT,
    ("_lp.py", "the column's scaled coefficients must be integers"): _LP_CONTRACT,
    ("_lp.py", "cannot add a column through a redundant row"): _LP_CONTRACT,
}


def _called_name(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else ""


def _message_args(call: ast.Call, raised: bool) -> list[ast.expr]:
    """The arguments of a call that hold a text a person reads."""
    name = _called_name(call)
    texts = [k.value for k in call.keywords if k.arg in _MESSAGE_KEYWORDS]
    if name == "TraceStep":  # TraceStep(round, action, project_id, reason, values)
        return call.args[3:4] + texts
    if name == "CheckResult":  # CheckResult(check, status, reason, values)
        return call.args[2:3] + texts
    if name == "warn":
        return call.args[:1] + texts
    if name.endswith(("Error", "Warning")) or name == "error" or raised:
        return list(call.args) + texts
    return texts


def _bare_literals(node: ast.expr) -> list[ast.expr]:
    """Literal texts in a message expression that no ``_()``/``ngettext()`` wraps.

    A constant without whitespace (``"VOTES"``, ``"well-formed"``) is a name or a code,
    not a sentence; an f-string always counts (it is a sentence with values in it).
    """
    if isinstance(node, ast.Constant):
        text = node.value
        if isinstance(text, str) and any(c.isalpha() for c in text) and " " in text.strip():
            return [node]
        return []
    if isinstance(node, ast.JoinedStr):
        return [node]
    if isinstance(node, ast.BinOp):  # "a" + b, "%s" % x
        return _bare_literals(node.left) + _bare_literals(node.right)
    if isinstance(node, ast.IfExp):
        return _bare_literals(node.body) + _bare_literals(node.orelse)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        if node.func.attr != "format":
            return []
        return _bare_literals(node.func.value)  # "...".format(...) is a message too
    return []


def untranslated(source: str) -> list[tuple[int, str]]:
    """``(line, text)`` of every literal message in ``source`` that skips the catalogs.

    Looked at: every argument of ``raise X(...)``, of any ``...Error(...)`` /
    ``...Warning(...)`` built elsewhere and of an ``.error(...)`` helper that builds one;
    the first argument of ``warnings.warn``; the reason of a ``TraceStep`` (a rule's
    trace) and of a ``CheckResult`` (a feasibility check); and ``hint=``, ``message=``,
    ``reason=``, ``detail=``, ``what=``, ``where=`` keywords in any call.
    """
    found: list[tuple[int, str]] = []
    tree = ast.parse(source)
    raised = {
        id(node.exc)
        for node in ast.walk(tree)
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)
    }
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)]
    for call in calls:
        if _called_name(call) == "warn" and ast.unparse(call.func) != "warnings.warn":
            continue
        for arg in _message_args(call, id(call) in raised):
            for lit in _bare_literals(arg):
                text = lit.value if isinstance(lit, ast.Constant) else ast.unparse(lit)
                found.append((lit.lineno, str(text)))
    return sorted(set(found))


def test_the_scan_finds_untranslated_messages() -> None:
    src = (
        "raise ValidationError(f'budget {b} is negative', hint='give a positive budget')\n"
        "raise RuleError(_('fine {x}', x=1), hint=_('fine too'))\n"
        "err = ParseError('built ' + 'somewhere else')\n"
        "warnings.warn('a plain warning', stacklevel=2)\n"
        "steps.append(TraceStep(1, 'select', 'p', f'best ratio {r}'))\n"
        "steps.append(TraceStep(1, 'select', 'p', _('best ratio {r}', r=r)))\n"
        "raise self._width_error('VOTES', 3)\n"
        "raise X('one {} two'.format(3) if a else ngettext('{n} a', '{n} b', n))\n"
        "results.append(CheckResult('cost', Status.FAIL, f'cost {c} is too high', vals))\n"
        "x = to_fraction(v, what=f'weight of theme {t!r}', where=_('territory {t}', t=t))\n"
        "print('a sentence no scan looks at', hint)\n"
    )
    assert [line for line, _text in untranslated(src)] == [1, 1, 3, 4, 5, 8, 9, 10]


def test_every_raised_warned_or_traced_text_goes_through_the_catalogs() -> None:
    bare = []
    for path in sorted(SRC.rglob("*.py")):
        where = path.relative_to(SRC).as_posix()
        for line, text in untranslated(path.read_text(encoding="utf-8")):
            if (where, text) not in UNTRANSLATED_ALLOWED:
                bare.append(f"participa/{where}:{line}: {text}")
    assert not bare, (
        "messages a person reads must go through participa.i18n "
        '(_("text {x}", x=...), ngettext(...)) with Spanish in locale/es/<area>.po:\n'
        + "\n".join(bare)
    )


def test_no_stale_allow_list_entries() -> None:
    texts = {
        (path.relative_to(SRC).as_posix(), text)
        for path in SRC.rglob("*.py")
        for _line, text in untranslated(path.read_text(encoding="utf-8"))
    }
    stale = sorted(set(UNTRANSLATED_ALLOWED) - texts)
    assert not stale, f"allow-list entries whose text is gone: {stale}"
