"""Scripted submissions in the real sandbox, ranked as the issue ranks them: correct-and-clean > correct-but-messy >
correct-but-slow > partially correct > wrong > hostile (0, contained); a forged pass (printed markers, fake result
records, patched builtins, early exits) earns no hidden points. Python and JavaScript play every student; Java,
whose every run compiles, a few (the same code paths)."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.phases.code_crucible import grade, start_state
from tests.phases.code_crucible.conftest import exercise

pytestmark = pytest.mark.usefixtures("linters")

STUDENTS = Path(__file__).resolve().parent / "students"
RANKED = ["clean", "messy", "slow", "partial", "wrong", "hostile"]
EXTENSIONS = {"python": "py", "javascript": "js"}


def source(name: str, language: str) -> str:
    """A student's file (stored as .txt: the repository's own linters must not judge them)."""
    if language == "java":
        return (STUDENTS / f"{name.capitalize()}.java.txt").read_text(encoding="utf-8")
    return (STUDENTS / f"{name}.{EXTENSIONS[language]}.txt").read_text(encoding="utf-8")


def submit(backend, language: str, name: str, level: str = "mid") -> dict:
    return exercise("bakery_receipt", language, level).execute(backend, "submit", source(name, language))


@pytest.mark.parametrize("language", ["python", "javascript"])
def test_scripted_students_rank_as_the_issue_says(local_backend, language):
    results = {name: submit(local_backend, language, name) for name in RANKED}
    scores = [results[name]["points"]["total"] for name in RANKED]
    assert scores == sorted(scores, reverse=True) and len(set(scores)) == len(scores), dict(zip(RANKED, scores,
                                                                                              strict=True))
    assert scores[0] == 100.0 and scores[-1] == 0.0
    clean, messy, slow = results["clean"], results["messy"], results["slow"]
    assert clean["hidden"] == messy["hidden"] == slow["hidden"] == {"passed": 13, "total": 13}
    assert messy["points"]["quality"] < clean["points"]["quality"] and messy["quality"]["finding_count"] > 0
    assert slow["efficiency"]["band"] in ("within_5x", "over_5x") and clean["efficiency"]["band"] == "within_2x"
    assert 0 < results["partial"]["hidden"]["passed"] < 13 and "requirement" in results["partial"]["tags_failed"]
    hostile = results["hostile"]
    assert hostile["hidden"]["passed"] == 0 and hostile["report"]["load_error"]
    # The grade is the counting Submit's points, recomputed from the stored results (best Submit counts).
    state = start_state(exercise("bakery_receipt", language))
    submits = [{"id": i, "source": "", "result": results[name]} for i, name in enumerate(["wrong", "clean", "messy"])]
    result, inputs, feedback = grade(state, submits, policy="best")
    assert result.score == 100.0 and inputs["submission_id"] == 1
    assert grade(state, submits, policy="latest")[0].score == results["messy"]["points"]["total"]


@pytest.mark.parametrize("language", ["python", "javascript", "java"])
def test_a_forged_pass_earns_no_hidden_points(local_backend, language):
    result = submit(local_backend, language, "forged")
    assert result["hidden"] == {"passed": 0, "total": 13}
    assert result["examples"]["passed"] == 0
    assert result["points"]["total"] == 0.0


def test_java_students_rank_and_a_hostile_one_is_contained(local_backend):
    scores = {name: submit(local_backend, "java", name)["points"]["total"] for name in ("clean", "partial", "hostile")}
    assert scores["clean"] == 100.0 > scores["partial"] > scores["hostile"] == 0.0, scores


SENIOR_PYTHON = '''
def format_receipt(items):
    """Only the empty sale, and three tests of it (one of them checks nothing)."""
    return "TOTAL 0.00"


def test_empty():
    assert format_receipt([]) == "TOTAL 0.00"


def test_still_empty():
    assert format_receipt([]).startswith("TOTAL")


def test_nothing():
    format_receipt([])


def test_fails():
    assert format_receipt([["bread", 1, 100, []]]) != "TOTAL 0.00"
'''

SENIOR_JAVA = '''import java.util.List;

public class Solution {
    public static String formatReceipt(List<List<Object>> items) {
        return "TOTAL 0.00";
    }

    static void testEmpty() {
        if (!formatReceipt(List.of()).equals("TOTAL 0.00")) {
            throw new AssertionError("empty");
        }
    }

    static void testPrefix() {
        if (!formatReceipt(List.of()).startsWith("TOTAL")) {
            throw new AssertionError("prefix");
        }
    }

    static void testAssertOnly() {
        assert false;
    }

    static void testFails() {
        throw new AssertionError("this one fails");
    }
}
'''


@pytest.mark.parametrize(("language", "code"), [("python", SENIOR_PYTHON), ("java", SENIOR_JAVA)])
def test_senior_own_tests_run_and_count_toward_quality(local_backend, language, code):
    ex = exercise("bakery_receipt", language, "senior")
    result = ex.execute(local_backend, "submit", code)
    own = result["own_tests"]
    assert own["found"] == 4 and own["passed"] == 3 and own["passed_with_checks"] == 2, own
    ran = {c["name"]: c["passed"] for c in result["report"]["cases"] if c["group"] == "own"}
    assert len(ran) == 4 and sum(ran.values()) == 3
    item = next(i for i in grade(start_state(ex), [{"id": 1, "result": result}])[0].items
                if i.item == "quality_own_tests")
    assert item.max_points == 5 and "2 with checks" in item.evidence
