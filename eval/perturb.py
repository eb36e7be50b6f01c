"""python -m eval.perturb [--questions FILE] [--out DIR] [--limit N] [--kinds lower,nopunct,...] [--write DIR]

A perturbation suite in the manner of CheckList (Ribeiro et al. 2020, invariance tests): every
answerable question is also asked reworded in ways that keep its meaning, and so its expected
answer: lowercased (lower), without punctuation (nopunct), with one or two keyboard slips (typo1,
typo2), with the abbreviations staff type (abbrev) and wrapped in chatter (chatter). A variant that
comes out identical to the question is not asked. Every variant is seeded by the question's id, so
a run is reproducible. One engine answers the clean and reworded questions in one process; the
table gives, per perturbation, accuracy, wrong numbers and the drop in points from the clean
accuracy on the same questions, and DIR/perturb.report.json lists every failure with what was
changed. `--write DIR` writes the variants instead (no model is loaded): DIR/<perturbation>.jsonl,
each a question set `python -m eval --questions` can score.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from functools import cache, partial
from pathlib import Path
from typing import Callable, Optional

from .score import score_line

HERE = Path(__file__).resolve().parent
DATA = HERE / "perturb.json"
DEFAULT_QUESTIONS = HERE / "questions.jsonl"
DEFAULT_OUT = Path("/tmp/fqa-perturb")
CLEAN = "clean"

# Letters only: a token holding a digit (2012, 1H, FY2012, Q2, 1H12) is never slipped, since a slip
# there would change the period or the number asked about.
SLIPPABLE = re.compile(r"\b([A-Za-z]{5,})\b")
# Punctuation that carries no meaning once dropped. Kept: % & + / - and parentheses, which name
# terms or group a formula ("SG&A", "P/E", "(A minus B) divided by C"), and a point or comma
# between digits ("JPY8.75").
LOOSE_PUNCTUATION = re.compile(r"""(?<!\d)[.,]|[.,](?!\d)|[?!;:'"‘’“”]""")


@dataclass(frozen=True)
class Edit:
    """One change a perturbation made: a word and its slip, a phrase and its abbreviation, or
    (before empty) the chatter template wrapped around the question."""

    before: str
    after: str

    def key(self) -> str:
        """What failures are grouped by: the word slipped, the phrase abbreviated, the template."""
        return self.before.lower() or self.after


@dataclass
class Variant:
    id: str  # the clean question's id
    kind: str  # a perturbation, or "clean"
    question: str
    edits: list[Edit] = field(default_factory=list)


@dataclass(frozen=True)
class Wording:
    """The data the perturbations draw on (eval/perturb.json)."""

    abbreviations: dict[str, str]
    period_abbreviations: dict[str, str]
    chatter: tuple[str, ...]
    keyboard: tuple[str, ...]

    def abbreviation(self, phrase: str) -> str:
        key = phrase.lower()
        return self.abbreviations.get(key) or self.period_abbreviations[key]


@cache
def wording() -> Wording:
    d = json.loads(DATA.read_text(encoding="utf-8"))
    return Wording(_by_lower_phrase(d["abbreviations"]), _by_lower_phrase(d["period_abbreviations"]),
                   tuple(d["chatter"]), tuple(d["keyboard"]))


def _by_lower_phrase(table: dict[str, str]) -> dict[str, str]:
    return {k.lower(): v for k, v in table.items()}  # phrases match in any case


def rng_for(qid: str, salt: str) -> random.Random:
    # sha256, not hash(): str hashes differ between processes, and a run must be reproducible.
    return random.Random(int.from_bytes(hashlib.sha256(f"{qid}/{salt}".encode()).digest()[:8], "big"))


# ---------------------------------------------------------------- perturbations: (question, id) -> (text, edits)


def lower(question: str, qid: str) -> tuple[str, list[Edit]]:
    return question.lower(), []


def no_punctuation(question: str, qid: str) -> tuple[str, list[Edit]]:
    return re.sub(r"\s{2,}", " ", LOOSE_PUNCTUATION.sub("", question)).strip(), []


def typos(question: str, qid: str, n: int) -> tuple[str, list[Edit]]:
    """n keyboard slips on different words of 5+ letters (the same word twice when it is the only one).
    The draws do not depend on n, so the two-slip variant is the one-slip variant plus one slip."""
    parts = SLIPPABLE.split(question)  # odd indices are the words a slip may touch
    words = list(range(1, len(parts), 2))
    if not words:
        return question, []
    rng = rng_for(qid, "typo")
    picks = rng.sample(words, 2) if len(words) > 1 else words * 2
    edits = []
    for i in picks[:n]:
        before = parts[i]
        parts[i] = slip(before, rng)
        edits.append(Edit(before, parts[i]))
    return "".join(parts), edits


def abbreviate(question: str, qid: str) -> tuple[str, list[Edit]]:
    """Every phrase of the data that occurs, abbreviated; a period code also takes in the 'the' before
    it and the 'of' after it, as staff write 'in 1H FY2012' for 'in the first half of FY2012'."""
    w = wording()
    edits = []

    def replace(m: re.Match) -> str:
        phrase = m.group("phrase").lower()
        edits.append(Edit(phrase, w.abbreviation(phrase)))
        if phrase in w.period_abbreviations:
            return edits[-1].after
        return (m.group("the") or "") + edits[-1].after + (m.group("of") or "")

    return abbreviation_pattern().sub(replace, question), edits


def chatter(question: str, qid: str) -> tuple[str, list[Edit]]:
    template = rng_for(qid, "chatter").choice(wording().chatter)
    return template.replace("{question}", question), [Edit("", template)]


PERTURBATIONS: dict[str, Callable[[str, str], tuple[str, list[Edit]]]] = {
    "lower": lower, "nopunct": no_punctuation, "typo1": partial(typos, n=1), "typo2": partial(typos, n=2),
    "abbrev": abbreviate, "chatter": chatter,
}


@cache
def abbreviation_pattern() -> re.Pattern:
    w = wording()
    # Longest first, so "year on year" wins over "year" and "first half" over "half".
    phrases = sorted({*w.abbreviations, *w.period_abbreviations}, key=len, reverse=True)
    alternatives = "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in phrases)
    return re.compile(rf"(?<![\w&])(?P<the>the\s+)?(?P<phrase>{alternatives})(?P<of>\s+of)?(?![\w&])", re.I)


# ---------------------------------------------------------------- keyboard slips, first letter kept
# (a slip on the first key is rare, and reads as another word rather than a misspelt one)


def _swap(word: str, rng: random.Random) -> str:
    pairs = [i for i in range(1, len(word) - 1) if word[i].lower() != word[i + 1].lower()]
    if not pairs:
        return _double(word, rng)
    i = rng.choice(pairs)
    return word[:i] + word[i + 1] + word[i] + word[i + 2:]


def _drop(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word))
    return word[:i] + word[i + 1:]


def _double(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word))
    return word[:i + 1] + word[i] + word[i + 1:]


def _neighbour(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word))
    row = next(r for r in wording().keyboard if word[i].lower() in r)
    j = row.index(word[i].lower())
    key = rng.choice([row[k] for k in (j - 1, j + 1) if 0 <= k < len(row)])
    return word[:i] + (key.upper() if word[i].isupper() else key) + word[i + 1:]


SLIPS = (_swap, _drop, _double, _neighbour)


def slip(word: str, rng: random.Random) -> str:
    return rng.choice(SLIPS)(word, rng)


# ---------------------------------------------------------------- variants and their question lines


def parse_kinds(text: str) -> list[str]:
    kinds = [k.strip() for k in text.split(",") if k.strip()]
    unknown = [k for k in kinds if k not in PERTURBATIONS]
    if unknown:
        raise ValueError(f"unknown perturbation {', '.join(unknown)}; choose from {','.join(PERTURBATIONS)}")
    return kinds


def variants(q: dict, kinds: list[str]) -> list[Variant]:
    """The clean question, then each perturbation that changes it."""
    out = [Variant(q["id"], CLEAN, q["question"])]
    for kind in kinds:
        text, edits = PERTURBATIONS[kind](q["question"], q["id"])
        if text != q["question"]:
            out.append(Variant(q["id"], kind, text, edits))
    return out


def as_question(q: dict, v: Variant) -> dict:
    """The eval's question line for a variant: the clean line (expected kept), reworded."""
    if v.kind == CLEAN:
        return q
    return {**q, "id": f"{q['id']}:{v.kind}", "question": v.question, "clean_question": q["question"],
            "perturbation": v.kind, "edits": [asdict(e) for e in v.edits]}


def answerable(questions: list[dict]) -> list[dict]:
    return [q for q in questions if q.get("answerable", True)]


def write_variants(questions: list[dict], kinds: list[str], folder: Path) -> dict[str, int]:
    folder.mkdir(parents=True, exist_ok=True)
    lines: dict[str, list[str]] = {k: [] for k in kinds}
    for q in questions:
        for v in variants(q, kinds)[1:]:
            lines[v.kind].append(json.dumps(as_question(q, v), ensure_ascii=False))
    for kind, rows in lines.items():
        (folder / f"{kind}.jsonl").write_text("".join(r + "\n" for r in rows), encoding="utf-8")
    return {k: len(v) for k, v in lines.items()}


# ---------------------------------------------------------------- answering and scoring


@dataclass
class Outcome:
    variant: Variant
    ok: bool
    wrong_number: bool
    why: str
    stage: str
    said: str  # the answer's sentence


@dataclass
class Row:
    """One line of the table: a perturbation against the same questions asked clean."""

    perturbation: str
    n: int
    correct: int
    wrong_numbers: int
    clean_correct: int
    broke: int  # right when asked clean, wrong reworded

    def pct(self, k: int) -> float:
        return round(100.0 * k / self.n, 1) if self.n else 0.0

    def to_json(self) -> dict:
        return {**asdict(self), "pct": self.pct(self.correct), "clean_pct": self.pct(self.clean_correct),
                "drop_points": round(self.pct(self.clean_correct) - self.pct(self.correct), 1)}


def answer(engine, q: dict, v: Variant) -> Outcome:
    line = as_question(q, v)
    try:
        a = engine.answer(v.question, q.get("history") or [])
        row, said = {"id": line["id"], **a.to_json()}, a.summary
    except Exception as e:  # noqa: BLE001 (a reworded question that crashes the engine is a finding, not the end of the run)
        row, said = {"id": line["id"], "value": None, "unit": None, "answerable": False, "sources": []}, f"error: {type(e).__name__}: {e}"
    s = score_line(line, row)
    return Outcome(v, s["ok"], s["wrong_number"], s["why"], s["stage"], said[:240])


def run_suite(engine, questions: list[dict], kinds: list[str]) -> dict:
    """Answers every answerable question clean and perturbed; returns the report."""
    t0 = time.perf_counter()
    qs = answerable(questions)
    outcomes = [answer(engine, q, v) for q in qs for v in variants(q, kinds)]
    clean = {o.variant.id: o for o in outcomes if o.variant.kind == CLEAN}
    by_kind = {k: [o for o in outcomes if o.variant.kind == k] for k in (CLEAN, *kinds)}
    return {"n_questions": len(qs), "kinds": kinds, "seconds": round(time.perf_counter() - t0, 1),
            "table": [table_row(k, os, clean).to_json() for k, os in by_kind.items()],
            "broke_by_edit": {k: broke_by_edit(os, clean) for k, os in by_kind.items() if k != CLEAN},
            "failures": {k: [failure(o, clean) for o in os if not o.ok] for k, os in by_kind.items()}}


def table_row(kind: str, outcomes: list[Outcome], clean: dict[str, Outcome]) -> Row:
    right_clean = [clean[o.variant.id].ok for o in outcomes]
    return Row(kind, len(outcomes), sum(o.ok for o in outcomes), sum(o.wrong_number for o in outcomes),
               sum(right_clean), sum(c and not o.ok for o, c in zip(outcomes, right_clean)))


def broke_by_edit(outcomes: list[Outcome], clean: dict[str, Outcome]) -> list[list]:
    """How often each change (word slipped, phrase abbreviated, template) sits in a variant that broke
    an answer that was right clean: the classes of failure to fix first."""
    counts = Counter(e.key() for o in outcomes if clean[o.variant.id].ok and not o.ok for e in set(o.variant.edits))
    return [[k, n] for k, n in counts.most_common()]


def failure(o: Outcome, clean: dict[str, Outcome]) -> dict:
    return {"id": o.variant.id, "question": o.variant.question, "clean_question": clean[o.variant.id].variant.question,
            "clean_ok": clean[o.variant.id].ok, "edits": [asdict(e) for e in o.variant.edits], "why": o.why,
            "stage": o.stage, "said": o.said, "wrong_number": o.wrong_number}


def print_table(report: dict) -> None:
    print(f"{'perturbation':13s} {'n':>4s}  {'accuracy':18s} {'wrong numbers':>13s}  {'clean, same qs':18s} {'drop':>6s} {'broke':>5s}")
    for r in report["table"]:
        print(f"{r['perturbation']:13s} {r['n']:4d}  {r['correct']:4d}/{r['n']:<4d} ({r['pct']:5.1f}%) {r['wrong_numbers']:13d}  "
              f"{r['clean_correct']:4d}/{r['n']:<4d} ({r['clean_pct']:5.1f}%) {r['drop_points']:6.1f} {r['broke']:5d}")
    perturbed = [r for r in report["table"] if r["perturbation"] != CLEAN]
    n, c = sum(r["n"] for r in perturbed), sum(r["correct"] for r in perturbed)
    print(f"perturbed accuracy {c}/{n} ({100.0 * c / n if n else 0.0:.1f}%), wrong numbers {sum(r['wrong_numbers'] for r in perturbed)}")


# ---------------------------------------------------------------- command line


def run(questions_path: Path, out: Path, kinds: list[str], limit: Optional[int] = None, write: Optional[Path] = None) -> int:
    from .__main__ import load_questions

    questions = answerable(load_questions(questions_path))[:limit]
    if write:
        counts = write_variants(questions, kinds, write)
        print(", ".join(f"{k} {n}" for k, n in counts.items()) + f" variants of {len(questions)} questions in {write}")
        return 0
    from ingest.errors import IngestError
    from ingest.pipeline import ensure_index
    from retrieval.engine import Engine
    from settings import Settings

    settings = Settings.from_env()
    try:
        info = ensure_index(settings, progress=lambda m: print(m, file=sys.stderr))
    except IngestError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    report = {"questions": str(questions_path), "filing": str(settings.filing),
              **run_suite(Engine(settings, info), questions, kinds)}
    out.mkdir(parents=True, exist_ok=True)
    path = out / "perturb.report.json"
    path.write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8")
    print(f"report: {path}")
    print_table(report)
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.perturb", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS, help="questions JSONL (default: the project's own set)")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"folder for perturb.report.json (default {DEFAULT_OUT})")
    ap.add_argument("--limit", type=int, help="only the first N answerable questions")
    ap.add_argument("--kinds", default=",".join(PERTURBATIONS), help=f"perturbations to run (default {','.join(PERTURBATIONS)})")
    ap.add_argument("--write", type=Path, metavar="DIR", help="write DIR/<perturbation>.jsonl question sets and stop")
    args = ap.parse_args(argv)
    try:
        kinds = parse_kinds(args.kinds)
    except ValueError as e:
        ap.error(str(e))
    return run(args.questions, args.out, kinds, args.limit, args.write)


if __name__ == "__main__":
    sys.exit(main())
