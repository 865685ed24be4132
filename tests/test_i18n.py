"""Every message a person reads has English and Spanish, with the same placeholders."""

from __future__ import annotations

import ast
import string
from pathlib import Path

import pytest

from participa import i18n
from participa.i18n import _, catalog, ngettext, parse_po, use_language

SRC = Path(i18n.__file__).resolve().parent


def _messages() -> list[tuple[str, str, str | None]]:
    """(where, msgid, plural) for every literal passed to ``_``, ``N_`` or ``ngettext``."""
    found: list[tuple[str, str, str | None]] = []
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else None
            if name not in {"_", "N_", "ngettext"}:
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
            found.append((where, first.value, plural))
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


def test_catalog_files_parse_and_have_no_duplicates() -> None:
    for po in sorted((SRC / "locale").rglob("*.po")):
        text = po.read_text(encoding="utf-8")
        ids = [line for line in text.splitlines() if line.startswith("msgid ")]
        assert len(ids) == len(set(ids)), f"duplicate msgid in {po.name}"
        assert parse_po(text)


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
