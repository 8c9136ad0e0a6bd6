"""Truth files: the shipped scenarios load; malformed files are rejected naming file, field and reason."""

from __future__ import annotations

import pytest
import yaml

from grader.phases.difficult_client import list_scenarios, load_scenario, parse_scenario
from grader.phases.difficult_client.catalogue import SCENARIOS
from grader.phases.difficult_client.schema import DifficultClientSchema
from grader.scenarios import Catalogue, ScenarioError

GOOD = SCENARIOS.path("angry_bakery_owner").read_text()


def mutate(change):
    data = yaml.safe_load(GOOD)
    change(data)
    return yaml.safe_dump(data)


def test_list_scenarios_is_public_metadata_only():
    metas = list_scenarios()
    assert {m.id for m in metas} == {"angry_bakery_owner", "overwhelmed_nonprofit_director",
                                     "perfectionist_startup_founder", "impatient_restaurant_owner",
                                     "school_tablet_teacher", "clinic_privacy_receptionist", "festival_hard_date",
                                     "landlord_three_languages"}
    for m in metas:
        assert set(m.to_dict()) == {"phase", "id", "title", "persona_name", "difficulty", "summary", "languages"}



def test_a_folder_without_truth_files_lists_none(tmp_path):
    assert Catalogue("difficult_client", tmp_path, DifficultClientSchema).list() == []
    assert Catalogue("difficult_client", tmp_path / "missing", DifficultClientSchema).ids() == []


def test_scenario_ids_are_listed_again_only_when_the_folder_changes(tmp_path, monkeypatch):
    """ids() is asked on every launch: an unchanged folder is not listed again, a file added or removed is seen
    at once, and a folder changed within its mtime's coarse tick is always listed."""
    import os
    import pathlib

    listings = []
    real_glob = pathlib.Path.glob
    monkeypatch.setattr(pathlib.Path, "glob", lambda self, pattern: listings.append(self) or real_glob(self, pattern))
    catalogue = Catalogue("difficult_client", tmp_path, DifficultClientSchema)
    (tmp_path / "first.yaml").write_text(GOOD)
    assert catalogue.ids() == ["first"] and catalogue.ids() == ["first"]
    assert len(listings) == 2  # changed just now: listed each time

    def age_folder(seconds_ago: int) -> None:
        old = os.stat(tmp_path).st_mtime - seconds_ago
        os.utime(tmp_path, (old, old))

    age_folder(60)
    listings.clear()
    assert catalogue.ids() == ["first"] and catalogue.ids() == ["first"]
    assert len(listings) == 1  # unchanged since: listed once
    (tmp_path / "second.yaml").write_text(GOOD)
    assert catalogue.ids() == ["first", "second"]
    (tmp_path / "first.yaml").unlink()
    age_folder(60)
    assert catalogue.ids() == ["second"]
    returned = catalogue.ids()
    returned.append("mutated")
    assert catalogue.ids() == ["second"]  # the caller's list is its own


@pytest.mark.parametrize("meta", list_scenarios(), ids=lambda m: m.id)
def test_every_scenario_is_complete(meta):
    sc = load_scenario(meta.id)
    assert 4 <= len(sc.constraints) <= 6
    assert sc.task  # its coding task: a Code Crucible task (test_engine_coding_tasks.py checks it is served)
    assert sc.secret_strings()


def test_founder_models_a_changing_constraint():
    sc = load_scenario("perfectionist_startup_founder")
    changing = [c for c in sc.constraints if c.change]
    assert len(changing) == 1 and changing[0].change.after_turn >= 1


def _problem(text, file="x.yaml"):
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, file=file)
    return info.value


def test_broken_yaml_names_the_line():
    err = _problem("id: [unclosed\n", file="broken.yaml")
    assert err.file == "broken.yaml" and err.field.startswith("line") and "not valid YAML" in err.reason


@pytest.mark.parametrize(("change", "field", "reason"), [
    (lambda d: d["persona"].pop("greeting"), "persona.greeting", "Missing data"),
    (lambda d: d["constraints"][1].update(weight=-1), "constraints.1.weight", "greater than or equal"),
    (lambda d: d["constraints"][0].update(partial_hint="Only free hosting for me."), "constraints.0.partial_hint",
     "key fact 'free hosting' appears in the partial hint"),
    (lambda d: d["constraints"][2].update(id=d["constraints"][0]["id"]), "constraints", "duplicate constraint id"),
    (lambda d: d.update(constraints=d["constraints"][:2]), "constraints", "Length must be between 4 and 6"),
    (lambda d: d.update(schema_version=7), "schema_version", "Must be one of"),
    (lambda d: d.pop("task"), "task", "Missing data"),
    (lambda d: d.update(task="Pickup Dates"), "task", "must name a Code Crucible task id"),
    (lambda d: d.update(coding_task={"language": "python"}), "coding_task", "Unknown field"),  # the legacy key is gone
    (lambda d: d.update(surprise=True), "surprise", "Unknown field"),
])
def test_malformed_fields_are_named(change, field, reason):
    err = _problem(mutate(change))
    assert err.field == field and reason in err.reason
    assert str(err).startswith(f"x.yaml: {field}: ")


def test_unknown_scenario_and_bad_ids():
    with pytest.raises(ScenarioError, match="no scenario 'nope'"):
        load_scenario("nope")
    with pytest.raises(ScenarioError, match="identifiers"):
        load_scenario("../../etc/passwd")


def test_file_name_must_match_id():
    with pytest.raises(ScenarioError, match="does not match the file name"):
        parse_scenario(GOOD.replace("id: angry_bakery_owner", "id: someone_else"),
                       file="angry_bakery_owner.yaml", expected_id="angry_bakery_owner")
