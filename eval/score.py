"""Scoring one answer against what the question expects."""
from __future__ import annotations

import html
import re
from collections import defaultdict

SOURCES = re.compile(r"<details><summary>Sources</summary>.*?</details>", re.S)
MD_ESCAPE = re.compile(r"\\([\\`*_\[\]~|#+=.)-])")
MONEY_REL = 0.001  # money within 0.1%
POINTS_ABS = 0.06  # percentages and points within 0.06


PER_ITEM = re.compile(r"/(share|ADS|unit)$")


def same_unit(a, b) -> bool:
    """A per-share amount is in its currency: "JPY/share" and "JPY" name one unit, as the corpus
    scorer reads them; JPY and USD, or % and pp, never do."""
    return PER_ITEM.sub("", a or "") == PER_ITEM.sub("", b or "")


def value_ok(expected: dict, value, unit) -> bool:
    if value is None or unit != expected.get("unit"):
        return False
    e = float(expected["value"])
    v = float(value)
    u = expected["unit"]
    if u in ("%", "pp"):
        return abs(v - e) <= POINTS_ABS
    if u == "count":
        return abs(v - e) < 0.5
    return abs(v - e) <= MONEY_REL * max(abs(e), 1e-9)


def shown(answer: str) -> str:
    """The answer as the chat shows it, without its sources list: HTML entities and Markdown escapes
    rendered ("SG&amp;A" is shown "SG&A"), so a required phrase is looked for in what a reader sees."""
    return html.unescape(MD_ESCAPE.sub(r"\1", SOURCES.sub(" ", answer)))


def score_line(q: dict, a: dict) -> dict:
    kind = q.get("kind") or q.get("intent") or ("unanswerable" if q.get("answerable") is False else "lookup")
    answerable = q.get("answerable", True)
    why = ""
    if not answerable:
        ok = a.get("answerable") is False and a.get("value") is None
        why = "" if ok else f"expected a decline, got {a.get('value')} {a.get('unit')}"
    elif q.get("mention_any") or q.get("mention_all"):
        # Phrases the shown answer must carry (a figure as written, a quoted reason), not the sources.
        text = shown(a.get("answer") or "").lower()
        missing = [m for m in q.get("mention_all") or [] if m.lower() not in text]
        any_ok = not q.get("mention_any") or any(m.lower() in text for m in q["mention_any"])
        ok = not missing and any_ok
        why = "" if ok else ("missing " + ", ".join(missing) if missing else "none of " + ", ".join(q["mention_any"]) + " in the answer")
    elif q.get("expected"):
        unit = q["expected"]["unit"] if same_unit(a.get("unit"), q["expected"]["unit"]) else a.get("unit")
        ok = bool(a.get("answerable")) and value_ok(q["expected"], a.get("value"), unit)
        why = "" if ok else f"expected {q['expected']['value']} {q['expected']['unit']}, got {a.get('value')} {a.get('unit')}"
    else:
        ok = bool(a.get("answerable"))
    plan_ok = None if not q.get("expected_program") else a.get("program") == q["expected_program"]
    return {"id": q.get("id"), "kind": kind, "ok": ok, "why": why, "question": q.get("question", "")[:160],
            "number_on_decline": (not answerable) and a.get("value") is not None,
            "wrong_number": answerable and not ok and a.get("value") is not None,
            "stage": "" if ok else stage(q, a, plan_ok), "plan_ok": plan_ok}


def stage(q: dict, a: dict, plan_ok) -> str:
    """Where a miss went wrong, as FinQA separates program from execution accuracy: the plan (read
    as the wrong operation), the figures (none found, or other rows), or the arithmetic on them."""
    if plan_ok is False:
        return "plan"
    if not q.get("answerable", True):
        return "plan"  # a figure given where the filing says nothing: the question was misread
    if a.get("value") is None:
        return "figures (none found)"
    cited = {s.get("line") for s in a.get("sources") or []}
    want = expected_lines(q)
    if want and not want & cited:
        return "figures (other rows)"
    return "arithmetic or period" if a.get("calculation") else "figures (other rows)"


def summarize(scores: list[dict]) -> dict:
    by = defaultdict(lambda: {"n": 0, "correct": 0})
    for s in scores:
        by[s["kind"]]["n"] += 1
        by[s["kind"]]["correct"] += int(s["ok"])
    for k in by.values():
        k["pct"] = 100.0 * k["correct"] / k["n"] if k["n"] else 0.0
    n = len(scores)
    c = sum(int(s["ok"]) for s in scores)
    planned = [s for s in scores if s.get("plan_ok") is not None]
    stages: dict = defaultdict(int)
    for s in scores:
        if not s["ok"]:
            stages[s["stage"]] += 1
    return {"n": n, "correct": c, "pct": 100.0 * c / n if n else 0.0, "by_kind": dict(by),
            "numbers_on_declines": sum(int(s["number_on_decline"]) for s in scores),
            "wrong_numbers": sum(int(s.get("wrong_number", False)) for s in scores),
            "misses_by_stage": dict(stages),
            "plan_accuracy": {"n": len(planned), "correct": sum(int(s["plan_ok"]) for s in planned)}}


def expected_lines(q: dict) -> set[int]:
    return {int(x) for x in re.findall(r"\bL(\d+)", q.get("cells", ""))}
