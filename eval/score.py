"""Scoring one answer against what the question expects."""
from __future__ import annotations

import re
from collections import defaultdict

MONEY_REL = 0.001  # money within 0.1%
POINTS_ABS = 0.06  # percentages and points within 0.06


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


def score_line(q: dict, a: dict) -> dict:
    kind = q.get("kind") or ("unanswerable" if q.get("answerable") is False else "lookup")
    answerable = q.get("answerable", True)
    why = ""
    if not answerable:
        ok = a.get("answerable") is False and a.get("value") is None
        why = "" if ok else f"expected a decline, got {a.get('value')} {a.get('unit')}"
    elif q.get("mention_any"):
        text = (a.get("answer") or "").lower()
        ok = any(m.lower() in text for m in q["mention_any"])
        why = "" if ok else "none of " + ", ".join(q["mention_any"]) + " in the answer"
    elif q.get("expected"):
        ok = bool(a.get("answerable")) and value_ok(q["expected"], a.get("value"), a.get("unit"))
        why = "" if ok else f"expected {q['expected']['value']} {q['expected']['unit']}, got {a.get('value')} {a.get('unit')}"
    else:
        ok = bool(a.get("answerable"))
    return {"id": q.get("id"), "kind": kind, "ok": ok, "why": why, "question": q.get("question", "")[:160],
            "number_on_decline": (not answerable) and a.get("value") is not None}


def summarize(scores: list[dict]) -> dict:
    by = defaultdict(lambda: {"n": 0, "correct": 0})
    for s in scores:
        by[s["kind"]]["n"] += 1
        by[s["kind"]]["correct"] += int(s["ok"])
    for k in by.values():
        k["pct"] = 100.0 * k["correct"] / k["n"] if k["n"] else 0.0
    n = len(scores)
    c = sum(int(s["ok"]) for s in scores)
    return {"n": n, "correct": c, "pct": 100.0 * c / n if n else 0.0, "by_kind": dict(by),
            "numbers_on_declines": sum(int(s["number_on_decline"]) for s in scores)}


def expected_lines(q: dict) -> set[int]:
    return {int(x) for x in re.findall(r"\bL(\d+)", q.get("cells", ""))}
