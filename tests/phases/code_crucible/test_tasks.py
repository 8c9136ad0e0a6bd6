"""The task files: twelve or more, every one loads, and a malformed one is refused naming its file and field."""

from __future__ import annotations

from collections import Counter

import pytest

from grader.phases.code_crucible.tasks import (
    LANGUAGES,
    REFERENCE_FILES,
    TAGS,
    load_task,
    param_lines,
    parse_task,
    regions,
    task_files,
    task_ids,
)
from grader.phases.difficult_client.catalogue import SCENARIOS, load_scenario
from grader.scenarios import ScenarioError

IDS = task_ids()


def test_sixteen_tasks_every_client_scenario_tied_and_every_difficulty():
    tasks = [load_task(t) for t in IDS]
    assert len(tasks) >= 16
    tied = Counter(t.scenario for t in tasks if t.scenario)
    assert set(tied) == set(SCENARIOS.ids())
    for scenario_id in SCENARIOS.ids():  # the task a scenario's coding task is built from is tied to it
        assert load_task(load_scenario(scenario_id).task).scenario == scenario_id, scenario_id
    assert sum(count >= 2 for count in tied.values()) >= 4, tied  # issue 12's first four clients: two tasks each
    standalone = [t for t in tasks if not t.scenario]
    assert {t.difficulty for t in tasks} == {"easy", "medium", "hard"}
    assert standalone, "some tasks stand alone"


@pytest.mark.parametrize("task_id", IDS)
def test_every_task_is_complete(task_id):
    task = load_task(task_id)
    assert 2 <= len(task.examples) <= 4 and 8 <= len(task.hidden) <= 15
    assert all(t.tag in TAGS for t in task.hidden)
    assert {lang for lang, _ in task.references} == set(LANGUAGES)
    for language in LANGUAGES:
        assert 2 <= len(regions(task.reference(language), language)) <= 4
    if task.scenario:
        constraints = {c.id for c in load_scenario(task.scenario).constraints}
        assert task.requirement_ids and set(task.requirement_ids) <= constraints
        assert {t.requirement for t in task.hidden if t.requirement} == set(task.requirement_ids)
    args = task.large_args()
    assert isinstance(args, list) and len(str(args)) > 100_000  # a large input, built on the host


def test_at_least_five_tasks_have_variants_whose_values_reach_statement_and_code():
    with_params = [load_task(t) for t in IDS if load_task(t).params]
    assert len(with_params) >= 5
    for task in with_params:
        assert task.variant_count >= 2
        for variant in range(1, task.variant_count):
            values = task.values(variant)
            text = task.statement(variant)
            assert "{" + task.params[0][0] + "}" not in text
            for language in LANGUAGES:
                base, changed = task.reference(language, 0).split("\n"), task.reference(language, variant).split("\n")
                assert len(base) == len(changed)
                differing = [i + 1 for i, (a, b) in enumerate(zip(base, changed, strict=True)) if a != b]
                marked = {n for lines in param_lines(task.reference(language)).values() for n in lines}
                assert set(differing) <= marked
                assert differing, f"{task.id} variant {variant} changes no code in {language}"
            assert any(str(v) in text for v in values.values())


def _files(task_id: str = "pickup_dates") -> dict[str, str]:
    return dict(task_files(task_id))


def _refused(files: dict[str, str], file: str, field: str) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        parse_task(files, folder="code_crucible/t", expected_id="pickup_dates")
    assert info.value.file == f"code_crucible/t/{file}", str(info.value)
    assert info.value.field.startswith(field), str(info.value)
    return info.value


def test_a_missing_reference_is_refused_naming_the_file():
    files = _files()
    del files["reference.js"]
    _refused(files, "reference.js", "(file)")


def test_a_reference_without_markers_is_refused():
    files = _files()
    files["reference.py"] = "\n".join(line for line in files["reference.py"].split("\n")
                                      if ">>>" not in line and "<<<" not in line)
    _refused(files, "reference.py", "markers")


def test_an_unclosed_or_nested_region_is_refused_with_its_line():
    files = _files()
    files["Solution.java"] = files["Solution.java"].replace("        // <<<\n", "", 1)
    error = _refused(files, "Solution.java", "line")
    assert "nest" in error.reason or "never closed" in error.reason


def test_a_hidden_test_without_a_known_tag_is_refused():
    files = _files()
    files["task.yaml"] = files["task.yaml"].replace("tag: boundary", "tag: tricky", 1)
    _refused(files, "task.yaml", "hidden")


def test_a_requirement_that_is_not_a_constraint_of_the_scenario_is_refused():
    files = _files()
    files["task.yaml"] = files["task.yaml"].replace("order_cutoff", "free_delivery")
    _refused(files, "task.yaml", "requirements")


def test_a_param_marked_in_one_reference_only_is_refused():
    files = _files()
    files["reference.js"] = files["reference.js"].replace(" // cr:param max_days_ahead", "")
    error = _refused(files, "task.yaml", "params")
    assert "reference.js" in error.reason


def test_a_placeholder_that_is_not_a_param_is_refused():
    files = _files()
    files["task.yaml"] = files["task.yaml"].replace("{cutoff_label}", "{cutoff_time}")
    _refused(files, "task.yaml", "params")


def test_markers_are_whole_comment_lines_only():
    source = ("import java.util.List;\n\npublic class Solution {\n"
              "    static List<List<List<Integer>>> grid() { return List.of(); }  // >>> not a marker\n"
              "    // >>> TODO: real one\n    static int a() { return 1; }\n    // <<<\n"
              "    // >>> TODO: second\n    static int b() { return 2; }\n    // <<<\n}\n")
    found = regions(source, "java")
    assert [r.todo for r in found] == ["real one", "second"]
    assert regions("x = 1  # >>> TODO: not a marker\n", "python") == []


def test_every_reference_marks_params_once_and_only_declared_ones():
    for task_id in IDS:
        task = load_task(task_id)
        names = {name for name, _ in task.params}
        for language in LANGUAGES:
            marks = param_lines(task.reference(language))
            assert set(marks) <= names, (task_id, REFERENCE_FILES[language])
            assert all(len(lines) == 1 for lines in marks.values())


def test_the_large_input_generator_cannot_import_or_reach_dunders():
    files = _files()
    files["task.yaml"] = files["task.yaml"].replace("  python: \"[1, 9,", "  python: \"[__import__('os'), 9,", 1)
    _refused(files, "task.yaml", "large")


def test_a_task_edited_on_disk_is_served_once_its_files_are_looked_at_again(tmp_path, monkeypatch):
    """load_task looks at a task's files at most every RECHECK_SECONDS (a launch asks for its task on every draw):
    an edit is not seen before, and is seen after."""
    import os
    import shutil

    from grader.phases.code_crucible import tasks

    task_id = IDS[0]
    shutil.copytree(tasks.TASKS_DIR / task_id, tmp_path / task_id)
    monkeypatch.setattr(tasks, "TASKS_DIR", tmp_path)
    monkeypatch.setattr(tasks, "_checked", {})
    monkeypatch.setattr(tasks, "RECHECK_SECONDS", 3600.0)
    before = load_task(task_id)
    yaml_file = tmp_path / task_id / "task.yaml"
    yaml_file.write_text(yaml_file.read_text().replace(f"title: {before.title}", "title: An Edited Title", 1))
    later = os.stat(yaml_file).st_mtime + 10
    os.utime(yaml_file, (later, later))
    assert load_task(task_id).title == before.title  # not looked at again within the interval

    monkeypatch.setattr(tasks, "RECHECK_SECONDS", 0.0)
    assert load_task(task_id).title == "An Edited Title"
    shutil.rmtree(tmp_path / task_id)
    with pytest.raises(ScenarioError, match="no task"):
        load_task(task_id)
