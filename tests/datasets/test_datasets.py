"""The example elections shipped in the package: listed, loaded, usable from any folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from participa import ValidationError, datasets
from participa.demo import workshop_election
from participa.io import load_election, write_pabulib

DATA = Path(__file__).parents[1] / "data"

# each shipped pabulib election is a byte-for-byte copy of a corpus file
ORIGINS = {
    "lodz-2020-33": "Poland_Lodz_2020_Nr_33.pb.gz",
    "lodz-2024-teofilow": "Poland_Lodz_2024_Teofilow-Wielkopolska.pb.gz",
    "toulouse-2022-1": "France_Toulouse_2022_1_-_Capitole_Arnaud_Bernard_Carmes.pb.gz",
    "warszawa-2019-miedzeszyn": "Poland_Warszawa_2019_Miedzeszyn.pb.gz",
    "zurich-s5d10": "Switzerland_Zurich_S5D10.pb.gz",
    "wroclaw-2016-5-250": "Poland_Wroclaw_2016_Rejon_nr_5_250.pb.gz",
    "assen-2024": "Netherlands_Assen_2024.pb.gz",
    "krakow-2021-debniki": "Poland_Krakow_2021_Debniki.pb.gz",
    "warszawa-2026-brodno": "anomalies/Poland_Warszawa_2026_Brodno.pb.gz",
}


def test_names_and_descriptions() -> None:
    assert set(datasets.names()) == {*ORIGINS, "ves-2000"}
    assert list(datasets.describe()) == list(datasets.names())


@pytest.mark.parametrize("name", sorted(ORIGINS))
def test_shipped_copies_are_the_corpus_files(name: str) -> None:
    assert datasets.raw(name) == (DATA / ORIGINS[name]).read_bytes()
    assert datasets.load(name) == load_election(DATA / ORIGINS[name])
    assert datasets.load(datasets.PREFIX + name) == datasets.load(name)


def test_the_ves_dataset_is_the_demo_workshop() -> None:
    assert datasets.raw("ves-2000").decode("utf-8") == write_pabulib(workshop_election())
    assert datasets.load("ves-2000") == workshop_election()


def test_unknown_name_suggests() -> None:
    with pytest.raises(ValidationError, match="did you mean zurich-s5d10"):
        datasets.load("zurich")
    with pytest.raises(ValidationError, match="use one of"):
        datasets.load("qqqqqqqqqqqqqqqq")


def test_datasets_work_from_an_unrelated_folder(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PARTICIPA_LANG"}
    code = "from participa import datasets; print(datasets.load('ves-2000').money.format(1))"
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert proc.stdout.strip() == "S/ 0.01"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "participa",
            "tally",
            "dataset:lodz-2020-33",
            "--rule",
            "mes",
            "--completion",
            "add1",
            "--format",
            "csv",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert proc.stdout.startswith("rank,id,name,votes,cost,funding,selected\n")
    assert list(tmp_path.iterdir()) == []  # nothing written where it ran
