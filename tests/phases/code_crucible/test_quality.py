"""Quality from real tools: ruff on the host, ESLint and javac -Xlint inside the sandbox, and measured rubric items.
Every reference is clean (full quality points); messy code is found out; a comment cannot hide a finding."""

from __future__ import annotations

import pytest

from grader.phases.code_crucible.quality import code_lines, duplicate_blocks, measure_quality
from grader.phases.code_crucible.scoring import QUALITY_POINTS, quality_items
from grader.phases.code_crucible.tasks import LANGUAGES, STUDENT_FILES, load_task, task_ids

pytestmark = pytest.mark.usefixtures("linters")


def _measure(backend, language: str, source: str, task_id: str = "bakery_receipt") -> dict:
    task = load_task(task_id)
    return measure_quality(backend, language, source, STUDENT_FILES[language], task.function_name(language),
                           task.reference(language))


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_reference_is_clean_and_earns_every_quality_point(local_backend, language):
    for task_id in task_ids():
        task = load_task(task_id)
        data = _measure(local_backend, language, task.reference(language), task_id)
        assert data["available"] and not data["parse_error"], (task_id, data)
        assert data["finding_count"] == 0, (task_id, data["findings"])
        items = quality_items("mid", data, None, 1.0)
        assert sum(i.points for i in items) == QUALITY_POINTS, (task_id, [(i.item, i.evidence) for i in items
                                                                           if i.points < i.max_points])


MESSY_PYTHON = '''
import os
def format_receipt(items):
    # noqa: everything
    X = 0
    out = []
    for it in items:
        if it[1] > 0:
            if it[2] >= 0:
                if len(it) > 3:
                    if it[0]:
                        X = X + it[1]*it[2]  # noqa
    l = ""
    print(X)
    return "TOTAL %d.%02d" % (X // 100, X % 100)
'''


def test_python_messy_code_is_found_out_and_noqa_hides_nothing(local_backend):
    data = _measure(local_backend, "python", MESSY_PYTHON)
    rules = {f["rule"] for f in data["findings"]}
    assert data["tool"] == "ruff" and data["finding_count"] >= 4
    assert {"F401", "T201", "F841"} <= rules, rules  # unused import, print left in, unused name (noqa ignored)
    metrics = data["metrics"]
    assert metrics["max_depth"] >= 5 and "X" in metrics["bad_names"] and "l" in metrics["bad_names"]
    items = {i.item: i for i in quality_items("mid", data, None, 1.0)}
    assert items["quality_linter"].points < items["quality_linter"].max_points
    assert items["quality_naming"].points < 4 and items["quality_complexity"].points < 4


def test_javascript_lint_runs_in_the_sandbox_and_ignores_inline_directives(local_backend):
    source = ("/* eslint-disable */\nvar total = 0;\nfunction formatReceipt(items) {\n  // eslint-disable-next-line\n"
              "  if (items.length == 0) { console.log('empty'); }\n  return 'TOTAL ' + total;\n}\n"
              "module.exports = { formatReceipt };\n")
    data = _measure(local_backend, "javascript", source)
    rules = {f["rule"] for f in data["findings"]}
    assert data["available"] and {"no-var", "eqeqeq", "no-console"} <= rules, data["findings"]


def test_javascript_that_does_not_parse_earns_no_quality(local_backend):
    data = _measure(local_backend, "javascript", "function formatReceipt(items {\n")
    assert data["parse_error"]
    assert sum(i.points for i in quality_items("mid", data, None, 1.0)) == 0


def test_java_lint_counts_javac_warnings_suppressions_and_prints(local_backend):
    source = ("import java.util.*;\n\npublic class Solution {\n    @SuppressWarnings(\"all\")\n"
              "    public static String formatReceipt(List<List<Object>> items) {\n"
              "        List raw = new ArrayList(items);\n        System.out.println(raw);\n"
              "        return \"TOTAL 0.00\";\n    }\n}\n")
    data = _measure(local_backend, "java", source)
    rules = [f["rule"] for f in data["findings"]]
    assert data["available"] and "suppress" in rules and "print" in rules, data["findings"]
    plain = source.replace('    @SuppressWarnings("all")\n', "")
    data = _measure(local_backend, "java", plain)
    assert "rawtypes" in [f["rule"] for f in data["findings"]], data["findings"]


def test_duplication_and_size_are_measured_on_the_text():
    block = "    total = total + price * quantity\n    count = count + quantity\n    seen.append(name)\n"
    source = "def f(items):\n" + block + "    x = 1\n" + block + "    return total\n"
    assert duplicate_blocks(source, "python") == [6]
    assert duplicate_blocks(block, "python") == []
    assert code_lines("// c\n\nint a;\n/* x\n y */\nint b;\n", "java") == 2


def test_the_entry_point_is_found_in_each_language_and_only_there():
    """Printing from the program's entry point (how Run tries the function) is not a finding; elsewhere it is."""
    from grader.phases.code_crucible.entry_point import entry_point_lines, without_entry_point_prints

    python = ("def f(x):\n    if __name__ == '__main__':\n        print(x)\n    return x\n\n\n"
              "if '__main__' == __name__:\n    print(f(1))\n")
    assert entry_point_lines(python, "python") == {7, 8}  # the guard inside a function is that function's code
    assert entry_point_lines("def f(:\n", "python") == set()
    javascript = ("function f(x) {\n  console.log(x);\n  return x;\n}\n"
                  "if (module === require.main) {\n  console.log(f(1));\n}\n")
    assert entry_point_lines(javascript, "javascript") == {5, 6, 7}
    java = ("public class Solution {\n    static int f(int x) { System.out.println(x); return x; }\n"
            "    public static void main(final String... args) throws Exception {\n"
            "        System.out.println(f(1));\n    }\n    static void main2(String[] args) { }\n}\n")
    assert entry_point_lines(java, "java") == {3, 4, 5}
    findings = [{"line": 2, "rule": "print"}, {"line": 4, "rule": "print"}, {"line": 4, "rule": "rawtypes"}]
    kept, dropped = without_entry_point_prints(findings, java, "java")
    assert dropped == 1 and kept == [{"line": 2, "rule": "print"}, {"line": 4, "rule": "rawtypes"}]
