"""Follow-ups merge plans, not texts: "and the year before?" takes the previous question's figure
and operation with its own period. Each earlier question is understood once per conversation
(its merged plan is kept), so a follow-up costs what a plain question does."""
from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import replace
from typing import Optional

from .guard import normalized
from .narrative_question import needs_subject, subject
from .plan import Plan, Side
from .resolve import Resolver
from .text import tokens
from .understand import understand

MARGINS = ("margin", "margin_ratio", "operating_margin")
CHANGES = ("change", "pct_change")
NARRATIVE = ("narrative", "define")
PRONOUN_NOUNS = set(tokens("one ones thing things part bit figure number"))  # "the home use one": a word standing for the figure


class Conversation:
    """Merges a plan with the plans of the questions before it; merged plans are remembered by the
    conversation's questions so far."""

    def __init__(self, res: Resolver, size: int = 512):
        self.res = res
        self._memo: OrderedDict = OrderedDict()
        self._lock = threading.Lock()
        self._size = size

    def merge(self, q: Plan, history: list) -> Plan:
        asked = tuple(m.get("content", "") for m in history if isinstance(m, dict) and m.get("role") == "user")
        if not asked:
            return q
        prev = self._plan(asked)
        return self._merge(q, prev) if prev is not None else q

    def _plan(self, asked: tuple) -> Optional[Plan]:
        """The merged plan of the last question asked so far."""
        with self._lock:
            if asked in self._memo:
                self._memo.move_to_end(asked)
                return self._memo[asked]
        text = normalized(asked[-1], self.res.ctx)  # the earlier turn read as it was when asked
        if not text:
            return None
        p = understand(text)
        if len(asked) > 1:  # read as it was answered: merged with the turn before where the live question was
            before = self._plan(asked[:-1])
            p = self._merge(p, before) if before is not None else p
        with self._lock:
            self._memo[asked] = p
            while len(self._memo) > self._size:
                self._memo.popitem(last=False)
        return p

    def _merge(self, q: Plan, p: Plan) -> Plan:
        asked = q.cues.narrative
        if needs_subject(asked) or asked is not None and q.elliptical and len(asked.sides) == 1:
            return self._about_previous(q, p)
        if q.op == "narrative" or not (q.elliptical or not self.res.strong(q)):
            return q
        if q.op == "rank" and q.cues.growth and not q.elliptical and not q.cues.refers and not q.cues.which_one:
            return q  # "which part of the business is growing fastest?" is asked afresh, whatever came before
        if q.op == "rank" and q.cues.members:
            return q  # "between A and B, which brought in more?": the members named say what is ranked
        metric = self._merge_metric(q, p) if self.res.strong(q) else p.metric
        periods = q.periods or p.periods
        if q.periods and len(q.periods) == 1 and q.periods[0].relative and p.periods:
            periods = tuple(replace(s, relative=-1) for s in p.periods[-1:])
        op = q.op if q.explicit_op or p.op in NARRATIVE else p.op  # "and what about hi-ho?" after a why asks for a figure
        if op == "pct_change" and q.currency and not q.explicit_op:
            op = "change"  # "and its cost in yen?" after a percentage: the change as an amount
        if p.op in MARGINS and q.op in CHANGES:
            op = p.op  # "how did that change?" after a margin question: the margin's change
        if op in CHANGES and not q.periods and p.periods and not q.explicit_op:
            periods = p.periods
        if q.op in CHANGES and q.explicit_op and not q.periods and p.periods:
            periods = (replace(p.periods[-1], relative=-1), p.periods[-1])
        elif (op in CHANGES and q.explicit_op and len(q.periods) == 1 and len(p.periods) == 1
              and not q.periods[0].relative and q.periods[0] != p.periods[0]
              and (q.periods[0].index or q.periods[0].fy or q.periods[0].end_month)  # "that quarter" names no other
              and not q.cues.year_on_year):  # "and 2Q12 yoy?": that quarter against a year before
            periods = (q.periods[0], p.periods[0])  # "vs 2Q11 in %?" after 2Q12: between the two, in time order
        if q.parts:
            # "What share of total revenue is that?": "that" is the previous question's figure.
            parts = tuple(x if any(self.res.ctx.rows.known(t) for t in tokens(x)) else p.metric for x in q.parts)
            return replace(q, parts=parts, periods=periods, currency=q.currency or p.currency)
        if q.op == "share":
            whole = re.sub(r".*?\bof\s+", "", q.metric).strip() or "total"
            return replace(q, metric=p.metric, parts=(p.metric, whole), periods=periods)
        if q.op == "target_remaining" and p.op == "value":
            return replace(q, metric=p.metric, periods=periods)
        cues = q.cues if q.cues.rank_word or op != "rank" else p.cues  # "and the lowest?" keeps what is ranked
        if q.cues.part_of:
            cues = replace(cues, whole=p.metric)
        if q.elliptical and p.cues.counts and not q.currency:
            cues = replace(cues, counts=True, counted=cues.counted or p.cues.counted)  # "and OEM?" after "how many": still a count
        merged = replace(q, metric=metric, periods=periods, op=op, currency=q.currency or p.currency, parts=q.parts or p.parts,
                         expr=q.expr or p.expr, cues=cues)
        same = (merged.op, merged.metric, merged.periods, merged.currency, merged.parts, merged.expr) == (p.op, p.metric, p.periods, p.currency, p.parts, p.expr)
        if same and any(not self.res.ctx.rows.known(t) and t not in PRONOUN_NOUNS for t in q.metric_tokens):
            # It names what no row does ("revenue from the US"): read into the earlier question it would only
            # repeat that answer, so it is answered (or declined) on its own words.
            return q
        return merged

    @staticmethod
    def _about_previous(q: Plan, p: Plan) -> Plan:
        """ "Why?", "what drove that?", "which parts?", "what was that spending for?": the previous
        question's subject (with any words of the new one), periods and direction, asked the new way."""
        target = " target" if any(s.target for s in p.periods) else ""  # "are they raising it?" after a target asks of the target
        before = p.cues.narrative.sides[0] if p.cues.narrative and p.cues.narrative.sides else Side(subject(p.metric) + target, p.cues.direction)
        now = q.cues.narrative.sides[0]
        side = Side(f"{before.words} {now.words}".strip(), now.direction or before.direction)
        asked = replace(q.cues.narrative, sides=(side,))
        return replace(q, metric=side.words, periods=q.periods or p.periods, cues=replace(q.cues, narrative=asked))

    def _merge_metric(self, q: Plan, p: Plan) -> str:
        """An elliptical follow-up that names something ("and diluted?", "its gross margin") refines the
        previous subject: try it added to, or swapped for one word of, the previous question's words."""
        if not q.elliptical:
            return q.metric
        rows = self.res.ctx.rows
        cur = [t for t in q.metric_tokens if rows.known(t)]
        prev = p.metric_tokens
        if q.op in MARGINS or not prev:
            return f"{q.metric} {p.metric}"
        roles = self.res.ctx.roles
        if roles.intent(" ".join(cur)) and (set(cur) <= set(prev) or roles.intent(p.metric)) and not q.cues.part_of:
            # "and the tax on it?" after pre-tax or operating income: a statement line named after another (or
            # one whose words the previous name already holds) is named anew; "was it profitable?" after a
            # segment refines the segment's figure.
            return q.metric
        # Swapped for a run of the previous words ("network services" for "systems integration"), or
        # added to them ("diluted" to "EPS"); on a tie, swapping wins ("what about X?").
        swaps = [prev[:i] + cur + prev[j:] for i in range(len(prev)) for j in range(i + 1, min(len(prev), i + len(cur) + 1) + 1)]
        options = list(dict.fromkeys(" ".join(o) for o in swaps + [cur + prev]))
        if q.cues.part_of:  # "how much of that was capital leases?": the part, named in full
            options = [" ".join(cur)] + options
        elif q.cues.refers:  # "and its cost?": the previous subject stays, whatever fits the bare word alone
            options = [o for o in options if set(o.split()) - set(cur)] or options

        def fit(m: str) -> float:
            hits = rows.rank(m, m, k=1, dense=False)  # how well the words fit a row: a word test, no embedding
            return hits[0].parts.get("coverage", 0) if hits else 0.0

        return max(options, key=fit)
