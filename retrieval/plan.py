"""The typed plan a question becomes: understanding writes it once, every later stage reads only it.

A plan names an operation (the module in `retrieval/ops` that runs it), the words naming each
figure, the periods, the currency, and the cues its wording gives (a count, a balance, a base
period, a direction). A composed question carries an expression tree (`Expr`), FinQA-style:
leaves are figure references, inner nodes are calculator operations.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Optional

from .text import tokens


@dataclass(frozen=True)
class PeriodSpec:
    """What a question says about time; resolved against the filing's periods later."""

    months: Optional[int] = None  # 12, 6, 3, or 0 for a date
    index: Optional[int] = None  # which half / quarter of the fiscal year
    fy: Optional[int] = None
    end_month: Optional[int] = None
    end_year: Optional[int] = None
    relative: int = 0  # -1: the year before
    target: bool = False
    start_of_fy: bool = False
    year_end: bool = False  # "at year end": the latest fiscal year end the filing has reached
    start: bool = False  # the balance at the start of the named period ("at the start of the second quarter")
    end: bool = False  # the balance at the end of the named period ("at the end of the first half")

    def empty(self) -> bool:
        return self == PeriodSpec()


@dataclass(frozen=True)
class Ref:
    """A figure named in the question: the words a table row must answer to."""

    words: str

    def __str__(self) -> str:
        return self.words


# The operations an expression may use; each maps to one calculator function (see ops/expr.py).
EXPR_OPS = ("add", "subtract", "multiply", "divide", "percent_of", "change", "pct_change", "pp_change", "mean", "median", "cagr", "count_if")


@dataclass(frozen=True)
class Expr:
    """One step of a program: `op(args...)`, or a figure (`op == "fig"`, `ref` set)."""

    op: str
    args: tuple["Expr", ...] = ()
    ref: Optional[Ref] = None
    unit: str = ""  # the result's unit where the formula fixes it ("%", "x")
    name: str = ""  # the standard formula this step came from ("quick ratio")
    subject: str = ""  # whose formula it is, where the question says ("network services")
    than: tuple = ()  # for "count_if": (">" or "<", threshold in whole units or percent, "%" or "") and the period length (0 for rows)

    @staticmethod
    def fig(words: str) -> "Expr":
        return Expr("fig", ref=Ref(" ".join(words.split())))

    def leaves(self) -> list[Ref]:
        return [self.ref] if self.ref else [r for a in self.args for r in a.leaves()]

    def __str__(self) -> str:
        if self.ref is not None:
            return f"[{self.ref}]"
        body = f"{self.op}({', '.join([str(a) for a in self.args] + [' '.join(str(t) for t in self.than)] if self.than else [str(a) for a in self.args])})"
        return f"{self.name}={body}" if self.name else body


@dataclass(frozen=True)
class Side:
    """What a narrative question asks about: the subject's words and the way it moved ("up", "down" or "")."""

    words: str
    direction: str = ""


@dataclass(frozen=True)
class Asked:
    """How a narrative question reads: its kind ("cause", "event", "description", "list", "contrast") and
    its sides (two for a contrast: "A rose but B fell, how come?")."""

    kind: str
    sides: tuple[Side, ...] = ()
    figure: bool = False  # the wording asks for the figure first where a row names it ("what is the revenue?")


@dataclass(frozen=True)
class Cues:
    """What the wording says beyond the figure and the period; read off once by understanding."""

    counts: bool = False  # "how many", "number of": a count, not an amount
    counted: tuple[str, ...] = ()  # the thing counted ("data centers" in "how many data centers")
    holding: bool = False  # "have", "hold", "balance": a balance
    base_first: bool = False  # "since March", "change from fiscal 2018": the named period is the base
    moved: bool = False  # "change", "improve", "compared": a margin question asks how it moved
    high: bool = True  # highest / fastest (False: lowest / slowest)
    faster: bool = False  # "grew faster" rather than "grew more"
    rank_word: str = ""  # the word of a ranking ("highest", "fastest")
    rank_group: str = ""  # what is ranked ("segment", "quarter")
    members: tuple[str, ...] = ()  # the rows a ranking lists ("network services, SI, equipment or ATM")
    within: str = ""  # the heading a ranking is within ("among the corporate internet services")
    growth: bool = False  # a ranking by growth
    quarterly: bool = False  # "average quarterly revenue"
    percent: bool = False  # "the average X as a percentage of Y", "the change in the % of Y": a printed percentage, moved or averaged
    over_rows: str = ""  # "add", "mean", "count_if" or "count" across the rows of one table ("the sum of all expenses", "how many obligations exceeded ...", "how many components ...")
    top: int = 0  # with over_rows: only the N largest rows ("the top 3 revenues", "the three highest")
    span: tuple = ()  # ("from 2017 to 2019", "2017-2019"): the first and last fiscal year of a run of years
    direction: str = ""  # "up", "down", "both" for narrative questions
    term: str = ""  # the glossary term the question names, if any
    term_said: str = ""  # that term as the question writes it ("SG&A")
    yes_no: bool = False  # "did we make money?", "is revenue up?": the answer opens with yes or no
    asked_loss: bool = False  # "did we lose money?": the question expects a loss
    refers: bool = False  # "its cost", "the tax on it": the figure belongs to what was asked before
    which_one: bool = False  # "which one grew fastest?": one of the things asked about before
    year_on_year: bool = False  # "yoy", "a year earlier": against the same period a year before
    part_of: bool = False  # "how much of that was X": X is a part of what was asked before
    whole: str = ""  # the words of that earlier figure, set when a follow-up is merged
    narrative: Optional[Asked] = None  # a why / what happened / what is / which question (retrieval/narrative_question.py)


@dataclass(frozen=True)
class Plan:
    text: str  # the question as read (for retrieval by words and to echo back), never re-parsed
    op: str = "value"
    metric: str = ""  # the words naming the figure, synonyms applied, period/op words removed
    periods: tuple[PeriodSpec, ...] = ()
    currency: str = ""
    parts: tuple[str, ...] = ()  # operands named separately (share, sum, compare, ratio)
    expr: Optional[Expr] = None  # a composed question's program
    cues: Cues = field(default_factory=Cues)
    words: tuple[str, ...] = ()  # the question's word tokens, stop words kept (to match a sub-column)
    elliptical: bool = False
    explicit_op: bool = False

    def __hash__(self) -> int:
        # A plan keys the resolver's per-answer memo once for each period and each term it looks up; it
        # never changes, so its hash (over every field, as the generated one) is worked out once.
        h = self.__dict__.get("_hash")
        if h is None:
            h = hash(tuple(getattr(self, f.name) for f in fields(self)))
            object.__setattr__(self, "_hash", h)
        return h

    def __getstate__(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "_hash"}  # a string's hash holds in its own process only

    @property
    def metric_tokens(self) -> list[str]:
        return tokens(self.metric)

    def program(self) -> str:
        """The plan as a program, for the answer's record and the eval report."""
        body = str(self.expr) if self.expr is not None else f"{self.op}({', '.join(self.parts) or self.metric.strip()})"
        return body
