""""What is IIJ GIO?", "What does EBITDA mean?": what the filing itself says the thing is, quoted with its
line; for a finance term also the glossary's plain words, with this filing's figure when it prints one.
A name the filing prints as a row and never describes ("what is total revenue?") gets its figure."""
from __future__ import annotations

from dataclasses import replace

from schema import Answer

from .. import calculator as calc
from ..context import for_period
from ..narrative_question import data
from ..plan import Asked, Plan, Side
from ..render import money
from ..sentences import evidence
from ..text import canonical, glossary, tokens
from . import narrative, value


def run(q: Plan, ctx) -> Answer:
    asked = q.cues.narrative or Asked("description", (Side(q.metric),), figure=True)
    ev = evidence(ctx)
    r = narrative.read(ev, asked.sides[0], "description", narrative.near(q, asked, ctx, ev))
    # The best sentences, where they say what the subject is (a footnote may say it again).
    described = [s for _, _, s in r.ranked[:2] if narrative.defines(s, r.want)]
    if q.cues.term and set(r.want) <= set(tokens(q.cues.term)) | set(tokens(canonical(q.cues.term))):
        return _term(q, ctx, described)
    if described:
        return narrative.quoting(q, ctx, data()["openings"]["description"], described)
    plain = replace(q, op="value")
    if asked.figure and ctx.res.strong(replace(plain, metric=asked.sides[0].words)):
        return value.run(plain, ctx)
    quotes = narrative.about(ev, r, "description")
    if quotes:
        return narrative.quoting(q, ctx, data()["openings"]["description"], quotes)
    return ctx.out.decline(q.text, "The filing does not say what that is.", [], plan=q)


def _term(q: Plan, ctx, described: list) -> Answer:
    """A glossary term: its plain words, the filing's figure for it when one is printed, and the
    filing's own description of it when it gives one."""
    term = q.cues.term
    shown = q.cues.term_said or ctx.display(term)  # the term as the question writes it ("SG&A"), else as the glossary does
    summary = f"{shown[0].upper() + shown[1:]}: {glossary()['terms'][term]}"
    p = ctx.res.pick(term, q, None)
    facts = []
    if p is not None and p.fact.unit in calc.MONEY:
        summary += f" In this filing, {ctx.display(ctx.name(p.fact).lower())} {for_period(p.fact.period.label)} was {money(p.fact.value, p.fact.unit)}."
        facts = [p.fact]
    if described:
        summary += " The filing describes it this way:"
    return narrative.quoting(q, ctx, summary, described, facts)
