"""Generated variants: what a model may change is inferred from the stored variants, its proposal is parsed by a
marshmallow schema (types, ranges, no unknown key), a reworded story must keep every fact, and a variant is
accepted only when the three references agree on it in the real sandbox. Scripted providers play a good, a
malformed, an out-of-range, a repeating and a timing-out model; one test talks to the real small model."""

from __future__ import annotations

import json

import pytest

from grader.phases.code_crucible import load_task
from grader.phases.code_crucible.generate import (
    NotGeneratable,
    check_story,
    clock_label,
    derive_values,
    generate_variant,
    generated_exercise,
    param_specs,
    propose,
    split_need,
    stored_keys,
    variant_key,
    verify_variant,
)
from grader.phases.code_crucible.store import verified_entry
from grader.phases.code_crucible.tasks import parse_task, task_files
from tests.support.scripted_llm import ScriptedProvider

PARKING = {"hourly_rate": 5, "daily_cap": 30, "free_minutes": 25}


def values_reply(values: dict, story: str | None = None) -> str:
    return json.dumps({"values": values, **({"story": story} if story is not None else {})})


def test_derived_params_are_computed_never_proposed():
    invoice = {s.name: s for s in param_specs(load_task("seat_invoice"))}
    assert invoice["seat_price_cents"].source == "seat_price" and invoice["seat_price_cents"].rule == "times:100"
    assert [n for n, s in invoice.items() if s.free] == ["seat_price", "discount_percent", "seat_cap"]
    pickup = {s.name: s for s in param_specs(load_task("pickup_dates"))}
    assert pickup["cutoff_label"].rule == "clock" and pickup["cutoff_label"].source == "cutoff_hour"
    assert (pickup["cutoff_hour"].low, pickup["cutoff_hour"].high) == (11, 17)  # the stored 13-15, spread 2
    assert derive_values(list(pickup.values()), {"cutoff_hour": 16, "max_days_ahead": 9}) == {
        "cutoff_hour": 16, "cutoff_label": "4 pm", "max_days_ahead": 9}
    assert [clock_label(h) for h in (0, 9, 12, 13, 23)] == ["12 am", "9 am", "12 pm", "1 pm", "11 pm"]


@pytest.mark.parametrize("task_id", ["parking_fees", "pickup_dates", "seat_invoice", "shift_signup", "team_quote"])
def test_the_stored_variants_fit_their_own_specs(task_id):
    """The inference explains every stored variant: derived values recompute, free ones are within range."""
    task = load_task(task_id)
    specs = param_specs(task)
    for variant in range(task.variant_count):
        values = task.values(variant)
        assert derive_values(specs, {s.name: values[s.name] for s in specs if s.free}) == values
        for spec in specs:
            if spec.free and spec.kind == "int":
                assert spec.low <= values[spec.name] <= spec.high


def test_a_task_without_params_cannot_be_varied():
    with pytest.raises(NotGeneratable):
        propose(ScriptedProvider(values_reply({})), load_task("wrap_text"))


def test_a_good_proposal_is_parsed_and_keeps_the_derived_params_consistent():
    model = ScriptedProvider(values_reply({"seat_price": 11, "discount_percent": 25, "seat_cap": 70}))
    proposal = propose(model, load_task("seat_invoice"))
    assert proposal.outcome == "ok" and proposal.need is None
    assert proposal.values == {"seat_price": 11, "seat_price_cents": 1100, "discount_percent": 25, "seat_cap": 70}
    request = model.requests[0]
    assert request.json_schema["properties"]["values"]["required"] == ["seat_price", "discount_percent", "seat_cap"]
    assert "seat_price_cents" not in model.prompt()  # never asked for, so never contradicted


@pytest.mark.parametrize("reply, outcome", [
    ("Here are some fun new numbers: rate 5, cap 30.", "invalid"),
    (values_reply({"hourly_rate": 999, "daily_cap": 30, "free_minutes": 25}), "invalid"),  # out of range
    (values_reply({"hourly_rate": "5", "daily_cap": 30, "free_minutes": 25}), "invalid"),  # a string
    (values_reply({"hourly_rate": 5.5, "daily_cap": 30, "free_minutes": 25}), "invalid"),  # not whole
    (values_reply({"hourly_rate": 5, "daily_cap": 30}), "invalid"),  # missing
    (values_reply({**PARKING, "max_fee": 1}), "invalid"),  # unknown
    (values_reply({"hourly_rate": 4, "daily_cap": 25, "free_minutes": 10}), "not_new"),  # a stored variant
], ids=["prose", "out-of-range", "string", "float", "missing", "unknown", "stored-again"])
def test_an_unusable_proposal_is_refused(reply, outcome):
    model = ScriptedProvider(reply)
    proposal = propose(model, load_task("parking_fees"))
    assert proposal.values is None and proposal.outcome == outcome


def test_a_variant_already_generated_is_not_new_and_a_timeout_is_a_refusal():
    task = load_task("parking_fees")
    taken = {variant_key(task, PARKING)}
    assert propose(ScriptedProvider(values_reply(PARKING)), task, taken).outcome == "not_new"
    assert propose(ScriptedProvider(error="timeout"), task).outcome == "timeout"
    assert variant_key(task, task.values(1)) in stored_keys(task)


def test_a_reworded_story_is_used_only_when_it_keeps_every_fact():
    task = load_task("parking_fees")
    story, rest = split_need(task.need)
    good = story.replace("We run a small car park and the old ticket machine just died.",
                         "Our little car park lost its ticket machine this morning.")
    proposal = propose(ScriptedProvider(values_reply(PARKING, good)), task)
    assert proposal.need == good + " " + rest and rest.startswith("Write a function")
    assert check_story(story, good) is None
    assert check_story(story, story.replace("{free_minutes}", "fifteen")) == "placeholders"
    assert check_story(story, story.replace("24 hours", "48 hours")) == "numbers"
    assert check_story(story, story.replace("never more than", "at least")) == "guard_word:never"
    assert check_story(story, story.replace("[plate, entry_minute, exit_minute]", "a list")) == "quoted_text"
    assert check_story(story, "Cheap parking.") == "length"
    dropped = propose(ScriptedProvider(values_reply(PARKING, story.replace("24 hours", "a day"))), task)
    assert dropped.values is not None and dropped.need is None  # the values still count, with the stored words
    assert dropped.notes == ["the reworded story was not used (numbers)"]


def test_an_accepted_variant_has_the_references_agreed_values(local_backend):
    task = load_task("parking_fees")
    verdict = verify_variant(local_backend, task, PARKING)
    assert verdict.accepted, verdict.reason
    assert len(verdict.variant["examples"]) == len(task.examples) and len(verdict.variant["hidden"]) == len(task.hidden)
    assert verdict.variant["hidden"] != [t.expected for t in task.hidden]  # the new prices change the answers
    exercise = generated_exercise(task, verified_entry(task), {"values": PARKING, "need": None,
                                                               "variant": verdict.variant}, "java", "mid")
    assert "$5 for every started hour" in exercise.statement and "= 30; // cr:param daily_cap" in exercise.reference
    assert [t["expected"] for t in exercise.hidden] == verdict.variant["hidden"]


def test_references_that_disagree_on_a_new_value_refuse_it_naming_the_case(local_backend):
    files = dict(task_files("parking_fees"))
    old = "Math.min(startedHours * HOURLY_RATE, DAILY_CAP)"
    assert old in files["reference.js"]
    files["reference.js"] = files["reference.js"].replace(old, "Math.min(startedHours * Math.min(HOURLY_RATE, 4), "
                                                               "DAILY_CAP)")
    task = parse_task(files, folder="code_crucible/parking_fees", expected_id="parking_fees")
    assert verify_variant(local_backend, task, {**PARKING, "hourly_rate": 4, "daily_cap": 31}).accepted
    generation = generate_variant(ScriptedProvider(values_reply(PARKING)), local_backend, task)
    assert not generation.accepted and generation.variant is None and generation.key is None
    assert "reference.js (generated variant) gives" in generation.reason and "reference.py's value" in generation.reason


@pytest.mark.llm
def test_a_real_small_model_s_variant_is_valid_and_verified_or_refused(local_backend, llama_url):
    from grader.llm import OpenAIProvider

    task = load_task("pickup_dates")
    model = OpenAIProvider(base_url=llama_url, model="smollm2", timeout=120, max_retries=0)
    generation = generate_variant(model, local_backend, task)
    specs = {s.name: s for s in param_specs(task)}
    if generation.accepted:
        values = generation.values
        assert specs["cutoff_hour"].low <= values["cutoff_hour"] <= specs["cutoff_hour"].high
        assert values["cutoff_label"] == clock_label(values["cutoff_hour"])
        assert generation.key not in stored_keys(task) and len(generation.variant["hidden"]) == len(task.hidden)
        if generation.need is not None:
            assert check_story(split_need(task.need)[0], split_need(generation.need)[0]) is None
    else:
        assert generation.reason and generation.variant is None
