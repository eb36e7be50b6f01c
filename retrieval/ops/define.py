""""What does EBITDA mean?": the glossary's plain words, with this filing's figure when it prints one."""
from __future__ import annotations

from dataclasses import replace

from schema import Answer

from .. import calculator as calc
from ..context import for_period
from ..plan import Plan
from ..render import money
from ..text import glossary
from . import value


def run(q: Plan, ctx) -> Answer:
    term = q.cues.term
    if not term:
        return value.run(replace(q, op="value"), ctx)
    shown = q.cues.term_said or ctx.display(term)  # the term as the question writes it ("SG&A"), else as the glossary does
    summary = f"{shown[0].upper() + shown[1:]}: {glossary()['terms'][term]}"
    p = ctx.res.pick(term, q, None)
    facts = []
    if p is not None and p.fact.unit in calc.MONEY:
        summary += f" In this filing, {ctx.display(ctx.name(p.fact).lower())} {for_period(p.fact.period.label)} was {money(p.fact.value, p.fact.unit)}."
        facts = [p.fact]
    return ctx.out.finish(q, summary, None, None, None, facts)
