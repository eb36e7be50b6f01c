"""How a narrative question reads: its kind (cause, event, description, list, contrast) and the sides
it asks about (the subject's words and the way it moved), decided once by understanding. The words
are data (`narrative.json`)."""
from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Optional

from .plan import Asked, Side
from .text import tokens

DATA = Path(__file__).with_name("narrative.json")
# Operations a narrative wording may replace: a plain figure, a definition, and the ones a single word
# triggers ("did X change its targets?", "what makes up other investments?").
REPLACEABLE = {"value", "define", "narrative"}
BY_WORD = {"event": {"change", "share"}, "list": {"change", "share", "pct_change", "margin", "margin_ratio", "operating_margin"}}
# "A rose but B fell, how come?": where the question turns from one side to the other.
TURN = re.compile(r"\s*(?:[,;.]\s*)?\b(?:but|yet|while|whereas|although|though|even though|so|despite)\b\s*|\s*[;.]\s+", re.I)


@lru_cache(maxsize=1)
def data() -> dict:
    d = json.loads(DATA.read_text(encoding="utf-8"))
    d["kind_re"] = {k: re.compile("|".join(f"(?:{p})" for p in pats), re.I) for k, pats in d["kinds"].items()}
    d["amount_re"] = re.compile(d["amount"], re.I)
    d["asking"] = frozenset(tokens(d["question_words"], keep_stop=True))
    d["periods"] = frozenset(tokens(d["period_words"], keep_stop=True))
    d["up_words"] = frozenset(tokens(d["up"], keep_stop=True))
    d["down_words"] = frozenset(tokens(d["down"], keep_stop=True))
    d["particles_re"] = re.compile(d["particles"], re.I)
    d["defines_re"] = re.compile(d["defines"], re.I)
    d["figure_re"] = re.compile(d["may_be_figure"], re.I)
    d["first_re"] = re.compile(d["figure_first"], re.I)
    d["list_re"] = _phrases(d["list_cues"])
    d["consequence_re"] = _phrases(d["consequences"])
    d["change_re"] = re.compile(d["change_rows"], re.I)
    d["measures"] = frozenset(tokens(d["measure_words"], keep_stop=True))
    d["plain"] = frozenset(tokens(d["plain_heads"], keep_stop=True))
    d["function"] = frozenset(tokens(d["function_words"], keep_stop=True))
    d["same"] = {t: tokens(group[0], keep_stop=True)[0] for group in d["alike"] for w in group for t in tokens(w, keep_stop=True)}
    d["whole"] = frozenset(tokens(d["whole_words"], keep_stop=True))
    d["own_lines"] = frozenset(tokens(d["own_lines"], keep_stop=True))
    d["cause_re"] = _phrases(d["cause_cues"])
    d["profile_re"] = re.compile(d["profile_heading"], re.I)
    d["performance"] = frozenset(tokens(d["performance_words"], keep_stop=True))
    d["company"] = frozenset(tokens(d["company_words"], keep_stop=True)) | d["performance"]
    return d


def _phrases(words: list[str]) -> re.Pattern:
    return re.compile(r"\b(?:" + "|".join(re.escape(c) for c in sorted(words, key=len, reverse=True)) + r")\b", re.I)


def kind_of(q: str) -> str:
    """The first kind whose wording the question has, in the data's order; "" for none."""
    d = data()
    return next((k for k in d["kind_order"] if d["kind_re"][k].search(q)), "")


def read(q: str, op: str, explicit: bool, periods: list) -> tuple[str, Optional[Asked]]:
    """The operation and the narrative reading of a question. A why or contrast question is always
    narrative; an event, list or description question only when it asks for no amount and its
    operation came from no wording of its own (a description also names no period: "what is this
    year's target?" asks for a figure)."""
    kind = kind_of(q)
    if not kind:
        return op, None
    if kind not in ("cause", "contrast"):
        if data()["amount_re"].search(q) or (kind == "description" and periods):
            return op, None
        if explicit and op not in REPLACEABLE | BY_WORD.get(kind, set()):
            return op, None
    asked = Asked(kind, sides(q, kind), kind == "description" and bool(data()["first_re"].match(q)))
    if kind == "contrast" and len(asked.sides) < 2:
        asked = Asked("cause", asked.sides)
    # "What is X?" stays a definition (a formula it names is worked out); "how is X defined?" reads the filing.
    what_is = kind == "description" and (op == "define" or bool(data()["figure_re"].match(q)))
    return ("define" if what_is else "narrative"), asked


def sides(q: str, kind: str) -> tuple[Side, ...]:
    parts = [p for p in TURN.split(q) if p and p.strip()] if kind == "contrast" else [q]
    out = [(Side(subject(p), direction(p)), p) for p in parts]
    named = [(s, p) for s, p in out if s.words]
    if kind != "contrast":
        return tuple(s for s, _ in named) or (Side("", out[0][0].direction),)
    if len(named) == 2:
        (a, pa), (b, pb) = named
        named = [(_borrow(a, b, pa), pa), (_borrow(b, a, pb), pb)]
    return tuple(s for s, _ in named[:2])


def _borrow(side: Side, other: Side, said: str) -> Side:
    """ "Home-use contracts rose but the revenue fell", "SI revenue grew but its margin fell": a side
    that names one word only, or says "its", means it of the other side's subject ("home-use
    revenue", "SI margin")."""
    alone = len(tokens(side.words)) == 1 or re.search(r"\b(?:its|their)\b", said, re.I)
    if not alone or len(other.words.split()) < 2 or set(tokens(side.words)) <= set(tokens(other.words)):
        return side
    return Side(" ".join(other.words.split()[:-1] + [side.words]), side.direction)


def subject(text: str) -> str:
    """The words of the text that name what it asks about, as written; its period only when it names
    nothing else."""
    d = data()
    said = [w.strip(".'") for w in re.findall(r"[\w][\w\-&'.]*", text)]
    kept = [w for w in said if w and not set(tokens(w, keep_stop=True)) <= d["asking"]]
    named = [w for w in kept if not (w.isdigit() or set(tokens(w, keep_stop=True)) <= d["periods"])]
    return " ".join(named or kept)


def direction(text: str) -> str:
    """ "up", "down", "both" or "": the way the text says something moved."""
    d = data()
    said = set(tokens(d["particles_re"].sub(" ", text), keep_stop=True))
    up, down = bool(said & d["up_words"]), bool(said & d["down_words"])
    return "both" if up and down else "up" if up else "down" if down else ""


def words(text: str) -> list[str]:
    """The words of a text that can match a subject: stop words kept ("plan", "quarter"), function words not."""
    d = data()
    return [d["same"].get(t, t) for t in tokens(text, keep_stop=True) if t not in d["function"]]


def needs_subject(asked: Optional[Asked]) -> bool:
    """A follow-up ("why?", "what drove that?", "which parts?") names nothing of its own."""
    return asked is not None and not any(tokens(s.words) for s in asked.sides)
