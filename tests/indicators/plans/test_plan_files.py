"""The five seed municipalities' plan files load, validate and name their municipality."""

from __future__ import annotations

from pathlib import Path

import pytest

from pedgrowth.contracts import decode
from pedgrowth.indicators.domain.plan import COMPUTED_INDICATORS
from pedgrowth.runner.plans import PlanFileError, load_plan, plan_event, seed_files

DOCS = Path(__file__).resolve().parents[3] / "docs" / "plans.md"
SEEDS = {"michurinsk", "kizilyurt-district", "nizhnyaya-tura", "kemerovo", "izhevsk"}


def test_there_is_one_file_per_seed_municipality():
    assert {load_plan(path).municipality_id for path in seed_files()} == SEEDS


@pytest.mark.parametrize("path", seed_files(), ids=lambda p: p.name)
def test_a_plan_file_becomes_a_valid_plan_adopted_event(path):
    plan = load_plan(path)
    fact = decode(plan_event(plan).to_json())
    assert fact.data == plan.event
    assert plan.region_id and plan.region_name and plan.municipality_name
    assert all(0 <= t.value <= 1 for t in plan.event.targets), "shares are fractions"


def test_every_survey_indicator_of_the_files_is_listed_in_the_docs():
    text = DOCS.read_text(encoding="utf-8")
    surveys = {t.indicator for path in seed_files() for t in load_plan(path).event.targets
               if t.indicator not in COMPUTED_INDICATORS}
    assert surveys, "the seeds have indicators no event measures"
    assert [code for code in sorted(surveys) if f"`{code}`" not in text] == []


def test_michurinsk_has_training_targets_for_each_year_2020_to_2024():
    plan = load_plan(next(p for p in seed_files() if "michurinsk" in p.name)).event
    targets = {t.year: t.value for t in plan.targets if t.indicator == "training_coverage"}
    assert targets == {2020: 0.1, 2021: 0.2, 2022: 0.3, 2023: 0.4, 2024: 0.5}


def test_the_event_id_depends_only_on_the_content():
    path = seed_files()[0]
    assert plan_event(load_plan(path)).id == plan_event(load_plan(path)).id


def test_a_target_outside_the_period_names_the_file_and_the_field(tmp_path):
    text = seed_files()[0].read_text(encoding="utf-8").replace("2024: 0.50}", "2025: 0.50}", 1)
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(PlanFileError, match=r"bad.yaml: targets.training_coverage.2025"):
        load_plan(bad)


def test_a_missing_field_is_named(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("plan_id: x\ntitle: t\n", encoding="utf-8")
    with pytest.raises(PlanFileError, match="municipality_id: is required"):
        load_plan(bad)


def test_yearly_measures_repeat_for_each_year_of_the_period():
    plan = load_plan(next(p for p in seed_files() if "nizhnyaya" in p.name)).event
    ids = {m.measure_id for m in plan.measures}
    assert {"10-2021", "10-2022", "10-2023", "10-2024", "6-2022", "6-2024"} <= ids
    assert "6-2021" not in ids


def test_the_check_command_validates_every_seed_file(capsys):
    from pedgrowth.runner.cli import main

    assert main(["plans", "check", *map(str, seed_files())]) == 0
    assert "michurinsk-2020-2024" in capsys.readouterr().out


def test_the_import_command_says_when_the_service_does_not_answer(capsys):
    from pedgrowth.runner.cli import main

    code = main(["plans", "import", str(seed_files()[0]), "--url", "http://127.0.0.1:9", "--token", "t"])
    assert code == 1
    assert "did not answer" in capsys.readouterr().err


def test_the_import_command_refuses_a_bad_file_before_sending_anything(tmp_path, capsys):
    from pedgrowth.runner.cli import main

    bad = tmp_path / "bad.yaml"
    bad.write_text("plan_id: x\n", encoding="utf-8")
    assert main(["plans", "import", str(seed_files()[0]), str(bad), "--token", "t"]) == 2
    assert "bad.yaml: title: is required" in capsys.readouterr().err
