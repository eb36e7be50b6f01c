"""The perturbation suite (eval/perturb.py): each rewording on plain strings (no model), the variant
files through the command line, and the suite on real questions with the real engine (slow)."""
from __future__ import annotations

import contextlib
import io
import json
import re
from pathlib import Path

import pytest

from eval.perturb import (PERTURBATIONS, abbreviate, chatter, main, no_punctuation, parse_kinds, run_suite,
                          typos, variants, wording)

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "eval" / "questions.jsonl"
PROTECTED = re.compile(r"\b\w*\d\w*\b")  # numbers, years and period codes: 2012, 8.75, 1H, FY2012, Q2, 1H12


def project_questions() -> list[dict]:
    return [json.loads(x) for x in QUESTIONS.read_text(encoding="utf-8").splitlines() if x.strip()]


# ---------------------------------------------------------------- typos


def test_a_typo_changes_one_word_of_five_or_more_letters_and_no_number_or_period():
    for q in project_questions():
        text, edits = typos(q["question"], q["id"], 1)
        if not re.search(r"\b[A-Za-z]{5,}\b", q["question"]):
            assert (text, edits) == (q["question"], []), q["id"]
            continue
        assert len(edits) == 1 and len(edits[0].before) >= 5 and edits[0].before.isalpha(), (q["id"], edits)
        assert edits[0].after != edits[0].before and edits[0].after[0] == edits[0].before[0], edits
        assert PROTECTED.findall(text) == PROTECTED.findall(q["question"]), (q["id"], text)


def test_a_slip_is_a_swap_a_drop_a_double_or_a_neighbouring_key():
    rows = wording().keyboard

    def neighbours(a: str, b: str) -> bool:
        return any(a in r and b in r and abs(r.index(a) - r.index(b)) == 1 for r in rows)

    for q in project_questions():
        for e in typos(q["question"], q["id"], 1)[1]:
            w, s = e.before.lower(), e.after.lower()
            swapped = len(s) == len(w) and any(s == w[:i] + w[i + 1] + w[i] + w[i + 2:] for i in range(len(w) - 1))
            dropped = any(s == w[:i] + w[i + 1:] for i in range(len(w)))
            doubled = any(s == w[:i + 1] + w[i] + w[i + 1:] for i in range(len(w)))
            slipped = len(s) == len(w) and sum(a != b for a, b in zip(w, s)) == 1 and \
                all(a == b or neighbours(a, b) for a, b in zip(w, s))
            assert swapped or dropped or doubled or slipped, e


def test_typos_are_the_same_every_run_differ_between_questions_and_two_typos_extend_one():
    question = "What was the operating income of the network services segment?"
    assert typos(question, "q-1", 2) == typos(question, "q-1", 2)
    assert len({typos(question, f"q-{i}", 1)[0] for i in range(20)}) > 5
    one, two = typos(question, "q-1", 1), typos(question, "q-1", 2)
    assert len(two[1]) == 2 and two[1][0] == one[1][0] and two[1][1].before != one[1][0].before


def test_a_question_without_a_long_word_gets_no_typo():
    assert typos("EPS in 1H FY2012 vs Q2?", "q-1", 2) == ("EPS in 1H FY2012 vs Q2?", [])


def test_the_only_long_word_takes_both_slips():
    text, edits = typos("Net income in 1H?", "q-1", 2)
    assert len(edits) == 2 and edits[1].before == edits[0].after and text == f"Net {edits[1].after} in 1H?"


# ---------------------------------------------------------------- abbreviations, punctuation, chatter


def test_abbreviations_replace_the_phrases_that_occur_and_nothing_else():
    text, edits = abbreviate("By what percentage did operating income grow year on year in the first half of FY2012?", "q")
    assert text == "By what % did op income grow yoy in 1H FY2012?"
    assert [(e.before, e.after) for e in edits] == [("percentage", "%"), ("operating income", "op income"),
                                                    ("year on year", "yoy"), ("first half", "1H")]
    assert abbreviate("How many employees did IIJ have?", "q") == ("How many employees did IIJ have?", [])


def test_abbreviations_match_whole_words_in_any_case_and_keep_a_plain_phrase_s_the_and_of():
    assert abbreviate("Revenues of the systems integration segment?", "q")[0] == "rev of the SI segment?"
    assert abbreviate("What was the revenue of the second quarter?", "q")[0] == "What was the rev of Q2?"
    assert abbreviate("What drove the revenueless months?", "q")[1] == []  # part of a word is not the phrase


def test_no_punctuation_drops_sentence_marks_and_keeps_meaningful_symbols_and_decimals():
    q = "What was IIJ's (A minus B) / C, at JPY8.75: SG&A + R&D as a %? Apr-Jun, 1,000."
    assert no_punctuation(q, "q") == ("What was IIJs (A minus B) / C at JPY8.75 SG&A + R&D as a % Apr-Jun 1,000", [])


def test_chatter_wraps_the_question_unchanged_and_is_seeded_by_id():
    q = "What was operating income in the first half?"
    for i in range(30):
        text, (edit,) = chatter(q, f"q-{i}")
        assert q in text and text != q and edit.after in wording().chatter
        assert chatter(q, f"q-{i}") == (text, [edit])
    assert len({chatter(q, f"q-{i}")[0] for i in range(30)}) > 3


def test_a_variant_identical_to_the_question_is_not_asked_and_the_clean_one_comes_first():
    q = {"id": "x", "question": "how big is it"}
    assert [v.kind for v in variants(q, list(PERTURBATIONS))] == ["clean", "chatter"]


def test_an_unknown_perturbation_names_the_valid_ones():
    with pytest.raises(ValueError, match="unknown perturbation shout; choose from lower,nopunct,typo1"):
        parse_kinds("lower,shout")


# ---------------------------------------------------------------- the command line, without the model


def test_write_gives_one_scorable_question_set_per_perturbation(tmp_path: Path):
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert main(["--write", str(tmp_path), "--limit", "12", "--kinds", "typo1,abbrev"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["abbrev.jsonl", "typo1.jsonl"]
    clean = {q["id"]: q for q in project_questions()}
    typo = [json.loads(x) for x in (tmp_path / "typo1.jsonl").read_text().splitlines()]
    assert len(typo) == 12 and "typo1 12" in printed.getvalue()
    for line in typo:
        original = clean[line["id"].removesuffix(":typo1")]
        assert line["clean_question"] == original["question"] != line["question"]
        assert line["expected"] == original.get("expected") and line["perturbation"] == "typo1"


# ---------------------------------------------------------------- the suite on the real engine


@pytest.mark.slow
def test_the_suite_reports_every_perturbation_and_its_clean_row_matches_the_plain_eval(engine, iij_index, tmp_path: Path):
    from eval.__main__ import main as eval_main

    sample = [q for q in project_questions() if q.get("answerable", True)][::22]  # 15 questions, every kind
    report = run_suite(engine, sample, list(PERTURBATIONS))
    table = {r["perturbation"]: r for r in report["table"]}
    assert list(table) == ["clean", *PERTURBATIONS] and report["n_questions"] == len(sample) == 15
    for kind, r in table.items():
        assert 0 < r["n"] <= 15 and 0 <= r["correct"] <= r["n"] and r["wrong_numbers"] <= r["n"] - r["correct"]
        assert r["drop_points"] == round(r["clean_pct"] - r["pct"], 1)
        assert len(report["failures"][kind]) == r["n"] - r["correct"]
    assert set(report["broke_by_edit"]) == set(PERTURBATIONS)

    qfile, answers = tmp_path / "q.jsonl", tmp_path / "a.jsonl"
    qfile.write_text("".join(json.dumps(q) + "\n" for q in sample))
    with contextlib.redirect_stdout(io.StringIO()):
        assert eval_main(["--questions", str(qfile), "--answers-out", str(answers), "--index", str(iij_index[0].index_dir)]) == 0
    plain = json.loads(answers.with_suffix(".report.json").read_text())
    assert table["clean"]["correct"] == plain["correct"]
    assert {f["id"] for f in report["failures"]["clean"]} == {m["id"] for m in plain["misses"]}
