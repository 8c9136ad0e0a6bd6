"""The base programs' truth files: every program folder loads, and a bad file is refused with a message that
names the file, the field and the reason."""

from __future__ import annotations

import textwrap

import pytest
import yaml

from grader.phases.bug_hunt.programs import (
    Program,
    function_name,
    js_name,
    load_program,
    parse_program,
    program_ids,
)
from grader.scenarios import ScenarioError

FOLDER = "bug_hunt/sample"


def _function(name: str) -> str:
    return f"def {name}(x):\n    \"\"\"Doubles.\"\"\"\n    y = x * 2\n    return y\n\n\n"


PY = "\"\"\"A sample.\"\"\"\n\n\n" + "".join(_function(f"f{i}") for i in range(1, 6)) + "# end\n" * 10
JS = "".join(f"function f{i}(x) {{\n  // doubles\n  const y = x * 2;\n  return y;\n}}\n\n" for i in range(1, 6)) \
    + "// end\n" * 12 + "module.exports = { f1, f2, f3, f4, f5 };\n"


def _tests(functions: int = 5) -> list[dict]:
    out = []
    for i in range(1, functions + 1):
        out += [{"name": f"f{i} doubles one", "call": f"f{i}", "args": [1], "expected": 2},
                {"name": f"f{i} doubles two", "call": f"f{i}", "args": [2], "expected": 4},
                {"name": f"f{i} doubles zero", "call": f"f{i}", "args": [0], "expected": 0, "hidden": True}]
    return out


def _truth(**changes) -> dict:
    data = {"id": "sample", "title": "Sample", "summary": "Doubles numbers.", "difficulty": "easy",
            "languages": {"python": "program.py", "javascript": "program.js"}, "tests": _tests()}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def _parse(data: dict, sources: dict[str, str] | None = None) -> Program:
    return parse_program(yaml.safe_dump(data), sources if sources is not None else
                         {"program.py": PY, "program.js": JS}, folder=FOLDER, expected_id="sample")


def _error(data: dict, sources: dict[str, str] | None = None) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        _parse(data, sources)
    return info.value


@pytest.mark.parametrize("program_id", program_ids())
def test_every_program_folder_loads(program_id):
    program = load_program(program_id)
    assert program.id == program_id and "python" in program.languages
    assert 5 <= len(program.functions()) <= 8
    for language in program.languages:
        assert len(program.digest(language)) == 64


def test_at_least_four_programs_have_javascript():
    with_js = [p for p in program_ids() if "javascript" in load_program(p).languages]
    assert len(with_js) >= min(4, len(program_ids())), with_js


def test_a_good_sample_loads_with_its_sources():
    program = _parse(_truth())
    assert program.languages == ("python", "javascript")
    assert program.source("javascript") == JS and program.file_name("python") == "program.py"
    assert program.functions() == ("f1", "f2", "f3", "f4", "f5")
    assert program.meta().to_dict()["languages"] == ["python", "javascript"]


def test_the_digest_follows_source_and_tests_but_not_other_languages():
    base = _parse(_truth())
    other_js = _parse(_truth(), {"program.py": PY, "program.js": JS.replace("doubles", "twice")})
    assert other_js.digest("python") == base.digest("python")
    assert other_js.digest("javascript") != base.digest("javascript")
    tests = _tests()
    tests[0]["expected"] = 2.0
    assert _parse(_truth(tests=tests)).digest("python") != base.digest("python")


def test_javascript_names_are_camel_case():
    assert js_name("line_total") == "lineTotal" and js_name("total") == "total"
    assert js_name("parse_csv_line") == "parseCsvLine"
    assert function_name("line_total", "python") == "line_total"


@pytest.mark.parametrize(("changes", "field", "words"), [
    ({"title": None}, "title", "Missing data"),
    ({"difficulty": "brutal"}, "difficulty", "Must be one of"),
    ({"id": "Sample!"}, "id", "lower-case"),
    ({"id": "other"}, "id", "does not match"),
    ({"languages": {"javascript": "program.js"}}, "languages", "python is required"),
    ({"languages": {"python": "../program.py"}}, "languages", "plain file name"),
    ({"languages": {"python": "program.js"}}, "languages", "ending in .py"),
    ({"languages": {"python": "program.py", "ruby": "program.rb"}}, "languages", "Must be one of"),
    ({"colour": "blue"}, "colour", "Unknown field"),
])
def test_a_bad_field_is_named(changes, field, words):
    error = _error(_truth(**changes))
    assert error.file == f"{FOLDER}/program.yaml"
    assert error.field.startswith(field) and words in error.reason, str(error)


def test_duplicate_test_names_are_refused():
    tests = _tests()
    tests[1]["name"] = tests[0]["name"]
    error = _error(_truth(tests=tests))
    assert error.field == "tests" and "duplicate test name" in error.reason


def test_each_function_needs_two_visible_and_one_hidden_test():
    tests = [t for t in _tests() if not (t["call"] == "f3" and t.get("hidden"))]
    error = _error(_truth(tests=tests))
    assert "f3 has 2 visible and 0 hidden" in error.reason


def test_four_tested_functions_are_too_few():
    error = _error(_truth(tests=_tests(4)))
    assert "tests call 4 functions" in error.reason


@pytest.mark.parametrize(("value", "words"), [
    ("2024-05-01", "not a JSON value"),  # YAML reads an unquoted date as a date
    (".nan", "NaN"),
])
def test_test_values_must_be_plain_json(value, words):
    text = yaml.safe_dump(_truth()).replace("expected: 2\n", f"expected: {value}\n", 1)
    with pytest.raises(ScenarioError) as info:
        parse_program(text, {"program.py": PY, "program.js": JS}, folder=FOLDER)
    assert info.value.field.endswith("expected") and words in info.value.reason


def test_a_hidden_test_cannot_be_named_like_the_shown_hidden_names():
    tests = _tests()
    tests[0]["name"] = "hidden test 1"
    assert "choose another name" in _error(_truth(tests=tests)).reason


def test_a_missing_source_file_is_named():
    error = _error(_truth(), {"program.py": PY})
    assert error.file == f"{FOLDER}/program.yaml" and error.field == "languages.javascript"
    assert "program.js does not exist" in error.reason


def test_a_program_must_be_readable_in_five_minutes():
    error = _error(_truth(), {"program.py": PY + "# more\n" * 100, "program.js": JS})
    assert error.file == f"{FOLDER}/program.py" and "a program has 40 to 110" in error.reason
    error = _error(_truth(), {"program.py": "def f1(x):\n    return x\n", "program.js": JS})
    assert "2 lines" in error.reason


def test_python_that_does_not_parse_names_its_line():
    broken = PY.replace("def f2(x):", "def f2(x)")
    error = _error(_truth(), {"program.py": broken, "program.js": JS})
    assert error.file == f"{FOLDER}/program.py" and error.field.startswith("line ")


def test_a_tested_function_must_exist_in_every_language():
    error = _error(_truth(), {"program.py": PY.replace("def f5(", "def g5("), "program.js": JS})
    assert error.field == "functions" and "f5" in error.reason
    error = _error(_truth(), {"program.py": PY, "program.js": JS.replace("function f5(", "function g5(")})
    assert error.file == f"{FOLDER}/program.js" and "f5" in error.reason


def test_javascript_must_export_every_tested_function():
    error = _error(_truth(), {"program.py": PY, "program.js": JS.replace("f4, f5 }", "f4 }")})
    assert error.field == "module.exports" and "f5 is not exported" in error.reason
    no_exports = JS.replace("module.exports = { f1, f2, f3, f4, f5 };\n", "// none\n")
    assert "module.exports" in _error(_truth(), {"program.py": PY, "program.js": no_exports}).reason


def test_yaml_errors_name_the_line():
    with pytest.raises(ScenarioError) as info:
        parse_program(textwrap.dedent("""\
            id: sample
            tests: [unclosed
            """), {}, folder=FOLDER)
    assert info.value.field.startswith("line ") and "not valid YAML" in info.value.reason


def test_unknown_and_malformed_program_ids():
    with pytest.raises(ScenarioError, match="no program 'nope'"):
        load_program("nope")
    with pytest.raises(ScenarioError, match="lower-case"):
        load_program("../etc")
