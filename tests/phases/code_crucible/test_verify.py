"""Verification in the real sandbox refuses a task with the failing case: a reference that fails its own test, a
task file whose expected value is wrong, references that disagree on a variant, a starter that does not compile."""

from __future__ import annotations

from grader.phases.code_crucible.tasks import parse_task, task_files
from grader.phases.code_crucible.verify import check_starters, reference_values, verify_task


def _task(task_id: str, **changes: tuple[str, str]):
    files = dict(task_files(task_id))
    for name, (old, new) in changes.items():
        name = name.replace("_", ".") if name != "Solution_java" else "Solution.java"
        assert old in files[name], (name, old)
        files[name] = files[name].replace(old, new, 1)
    return parse_task(files, folder=f"code_crucible/{task_id}", expected_id=task_id)


def test_a_reference_failing_its_own_hidden_test_is_refused_naming_the_case(local_backend):
    task = _task("wrap_text", reference_py=("if width < 1:", "if width < 2:"))
    verdict = verify_task(local_backend, task, workers=2)
    assert not verdict.accepted
    assert "reference.py" in verdict.reason and "hidden test" in verdict.reason, verdict.reason
    assert "task file's expected value" in verdict.reason


def test_a_wrong_expected_value_in_the_task_file_is_refused(local_backend):
    files = dict(task_files("kitchen_queue"))
    text = files["task.yaml"]
    first_hidden = text.index("hidden:")
    expected = text.index("expected:", first_hidden)
    end = text.index("\n", expected)
    files["task.yaml"] = text[:expected] + 'expected: [424242]' + text[end:]
    task = parse_task(files, folder="code_crucible/kitchen_queue", expected_id="kitchen_queue")
    values, _, problem = reference_values(local_backend, task, "python", 0)
    assert not problem and values
    verdict = verify_task(local_backend, task, workers=2)
    assert not verdict.accepted and "hidden test 1" in verdict.reason and "424242" in verdict.reason, verdict.reason


def test_references_that_disagree_on_a_variant_are_refused(local_backend):
    # The JavaScript reference ignores the hourly rate param: the default still agrees, variant 1 does not.
    task = _task("parking_fees", reference_js=("startedHours * HOURLY_RATE", "startedHours * 3"))
    verdict = verify_task(local_backend, task, workers=2)
    assert not verdict.accepted
    assert "reference.js (variant 1)" in verdict.reason and "reference.py's value" in verdict.reason, verdict.reason


def test_a_starter_that_does_not_compile_is_refused(local_backend):
    # A variable declared inside a marked region and used after it: the Intern starter cannot compile.
    after = "        // <<<\n        return List.copyOf(days);"
    task = _task("pickup_dates", Solution_java=(after, after.replace("// <<<\n", "// <<<\n        closed.clear();\n")))
    _, _, problem = reference_values(local_backend, task, "java", 0)
    assert problem == ""  # the reference itself is fine
    problem = check_starters(local_backend, task, "java")
    assert "java starters do not compile" in problem and "closed" in problem, problem


def test_every_level_of_a_good_task_loads(local_backend):
    task = _task("bakery_receipt")
    for language in ("python", "javascript", "java"):
        assert check_starters(local_backend, task, language) == ""
