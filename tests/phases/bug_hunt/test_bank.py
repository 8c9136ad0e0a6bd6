"""The bank is what gets served, so CI re-verifies every entry in the real sandbox: a stale or forged bank
cannot land. Every program in every language it is written in has at least three verified exercises for
its current files. The bank keeps only each exercise's edits; an entry whose edits no longer fit the program
is refused, and so is a bank in another format."""

from __future__ import annotations

import copy
import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import pytest

from grader.phases.bug_hunt.exercise import Exercise
from grader.phases.bug_hunt.programs import load_program, program_ids
from grader.phases.bug_hunt.store import (
    BANK_COMMAND,
    BANK_PATH,
    BANK_VERSION,
    REASON_CHARS,
    BankError,
    StaleEntry,
    accepted,
    dumps_bank,
    group_key,
    read_bank,
    rebuild,
    write_bank,
)
from grader.phases.bug_hunt.verify import verify

MIN_ACCEPTED = 3
PAIRS = [(p, language) for p in program_ids() for language in load_program(p).languages]


def test_the_bank_file_is_current():
    bank = read_bank()
    assert bank["version"] == BANK_VERSION
    assert set(bank["groups"]) == {group_key(p, language) for p, language in PAIRS}, f"run: {BANK_COMMAND}"
    # Written by the command, in its layout (one exercise per line), not by hand.
    assert BANK_PATH.read_text(encoding="utf-8") == dumps_bank(bank["groups"], bank["k"]), f"run: {BANK_COMMAND}"


@pytest.mark.parametrize(("program_id", "language"), PAIRS)
def test_each_program_and_language_has_enough_exercises_for_its_current_files(program_id, language):
    program = load_program(program_id)
    group = read_bank()["groups"][group_key(program_id, language)]
    assert group["digest"] == program.digest(language), f"stale: run {BANK_COMMAND}"
    served = accepted(program_id, language)
    assert len(served) >= MIN_ACCEPTED, f"only {len(served)} verified exercises"
    assert len(served) == len(group["accepted"]), "an entry no longer fits the program"
    seeds = [e.seed for e in served]
    rejected = [r["seed"] for r in group["rejected"]]
    assert sorted(seeds + rejected) == list(range(group["seeds_tried"]))  # each seed tried is accounted for once
    assert all(0 < len(r["reason"]) <= REASON_CHARS for r in group["rejected"])


def _reverify(local_backend, exercise: Exercise) -> tuple[Exercise, str]:
    verdict = verify(local_backend, load_program(exercise.program_id), exercise)
    return exercise, ("" if verdict.accepted and verdict.exercise == exercise else
                      verdict.reason or "the targets differ from the bank's")


def test_every_bank_entry_passes_verification_again(local_backend):
    entries = [e for p, language in PAIRS for e in accepted(p, language)]
    assert len(entries) == sum(len(g["accepted"]) for g in read_bank()["groups"].values())
    with ThreadPoolExecutor(max_workers=2) as pool:  # the fixture's backend has two slots
        results = list(pool.map(lambda e: _reverify(local_backend, e), entries))
    failures = [f"{e.program_id}/{e.language} seed {e.seed}: {why}" for e, why in results if why]
    assert not failures, "\n".join(failures)


def test_an_entry_whose_edit_no_longer_matches_the_program_is_refused(tmp_path):
    program_id, language = "invoice_total", "python"
    program = load_program(program_id)
    group = copy.deepcopy(read_bank()["groups"][group_key(program_id, language)])
    stale, *fine = group["accepted"]
    edit = stale["bugs"][0]["edit"]
    shift = program.source(language).index("\n", edit["end"]) + 1 - edit["start"]  # onto the next line
    edit["start"], edit["end"] = edit["start"] + shift, edit["end"] + shift
    path = tmp_path / "bank.json"
    write_bank({group_key(program_id, language): group}, 4, path)

    served = accepted(program_id, language, path)
    assert [e.seed for e in served] == [e["seed"] for e in fine]
    with pytest.raises(StaleEntry, match=f"seed {stale['seed']}: .* no longer matches"):
        rebuild(program, language, stale)

    # The program changed where an edit goes (its digest moved too, which alone keeps the group off the menu).
    entry = fine[0]
    bug = entry["bugs"][0]
    start = bug["edit"]["start"]
    source = program.source(language)
    changed = replace(program, sources=((language, source[:start] + "\n" + source[start:]),))
    with pytest.raises(StaleEntry, match="no longer matches"):
        rebuild(changed, language, entry)


def test_a_bank_in_an_older_format_is_refused_with_the_command_to_rerun(tmp_path):
    path = tmp_path / "bank.json"
    path.write_text(json.dumps({"version": 1, "k": 4, "groups": {}}), encoding="utf-8")
    with pytest.raises(BankError, match=f"format version 1.*rerun `{BANK_COMMAND}`"):
        accepted("invoice_total", "python", path)
