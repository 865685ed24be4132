"""participa verify: a published outcome recomputed from its input, tampering caught."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from participa import ValidationError
from participa.cli import main
from participa.io import load_election
from participa.rules.registry import run_rule
from participa.verify import file_sha256, outcome_document, verify

DATA = Path(__file__).resolve().parents[1] / "data"
SOURCE = DATA / "Poland_Warszawa_2019_Miedzeszyn.pb.gz"
OTHER = DATA / "Poland_Lodz_2020_Nr_33.pb.gz"


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit:
        main(list(argv), out=out)
    return int(exit.value.code or 0), out.getvalue()


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    code, text = run("tally", str(SOURCE), "--rule", "mes", "--completion", "add1", "--json")
    assert code == 0
    path = tmp_path_factory.mktemp("verify") / "outcome.json"
    path.write_text(text, encoding="utf-8")
    return path, json.loads(text)


def test_tally_records_hash_rule_and_options(published: tuple[Path, dict[str, object]]) -> None:
    _, doc = published
    assert doc["source"] == {"name": SOURCE.name, "sha256": file_sha256(SOURCE)}
    assert doc["rule_name"] == "mes"
    options = doc["options"]
    assert isinstance(options, dict)
    assert options["completion"] == "add1"
    assert options["tie_break"] == "id"


def test_the_published_outcome_matches(published: tuple[Path, dict[str, object]]) -> None:
    path, _ = published
    code, text = run("verify", str(path), str(SOURCE))
    assert code == 0
    assert "matches" in text
    code, text = run("verify", str(path), str(SOURCE), "--lang", "es")
    assert code == 0
    assert "coincide" in text


def test_a_tampered_outcome_fails(
    published: tuple[Path, dict[str, object]], tmp_path: Path
) -> None:
    _, doc = published
    funding = dict(doc["funding"])  # type: ignore[call-overload]
    selected = doc["selected"]
    assert isinstance(selected, list)
    funding[selected[0]] = 0
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(dict(doc, funding=funding)), encoding="utf-8")
    code, text = run("verify", str(forged), str(SOURCE), "--json")
    assert code == 1
    report = json.loads(text)
    assert report["matches"] is False
    assert [d["project_id"] for d in report["differences"]] == [selected[0]]
    assert report["differences"][0]["published"] == 0
    code, text = run("verify", str(forged), str(SOURCE))
    assert code == 1
    assert f"project {selected[0]}: published" in text


def test_another_input_or_an_unreadable_outcome_is_status_2(
    published: tuple[Path, dict[str, object]], tmp_path: Path
) -> None:
    path, doc = published
    assert run("verify", str(path), str(OTHER))[0] == 2
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    assert run("verify", str(bad), str(SOURCE))[0] == 2
    no_rule = tmp_path / "no_rule.json"
    no_rule.write_text(json.dumps({"funding": {}}), encoding="utf-8")
    assert run("verify", str(no_rule), str(SOURCE))[0] == 2
    with pytest.raises(ValidationError, match="SHA-256"):
        verify(doc, OTHER)


def test_older_documents_without_hash_or_options_are_read() -> None:
    e = load_election(SOURCE)
    out = run_rule("greedy", e, utility="count")
    doc = outcome_document(out)  # no source, no options: as written before
    assert "source" not in doc
    report = verify(doc, SOURCE, election=e)
    assert report.matches
    assert not report.hash_checked
    assert report.recomputed.params["utility"] == "count"


def test_every_registered_rule_verifies_on_a_real_file() -> None:
    e = load_election(SOURCE)
    for rule in ("greedy", "mes", "phragmen", "max-welfare", "ordered-relax"):
        out = run_rule(rule, e)
        doc = outcome_document(out, source=SOURCE, options={"tie_break": "id"})
        assert verify(doc, SOURCE, election=e).matches, rule
