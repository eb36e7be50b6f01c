"""Why / what happened: quotes the passage that explains, never a generated sentence."""
from __future__ import annotations

import re

from schema import Answer, Source

from ..plan import Plan
from ..search import sentences
from ..text import tokens

CAUSAL = re.compile(r"\b(due to|because|mainly|as a result|driven by|reflect|owing to|along with|thanks to|resulted? (?:from|in))\b", re.I)
SAYS_DOWN = re.compile(r"\b(down|decrease|decreased|declin\w*|lower)\b")
SAYS_UP = re.compile(r"\b(up|increase|increased|grew|grow\w*|rose|higher)\b")
MOVE = r"(?:increased|decreased|rose|fell|grew|declined|went (?:up|down)|up|down)\b"


def run(q: Plan, ctx) -> Answer:
    """The sentence naming the subject, the sentence after it (where reports give the reason), and
    the best causal sentence elsewhere."""
    down = q.cues.direction in ("down", "both")
    up = q.cues.direction in ("up", "both")
    # Reports say "decreased"/"increased" where people say "went down"/"went up".
    extra = (("decreased", "decrease") if down else ()) + (("increased", "increase") if up else ())
    chunks = ctx.passages.search(q.text, k=12, extra=extra)
    if not chunks:
        return ctx.out.decline(q.text, "The filing does not say; it has no passage about that.", [], plan=q)
    qt = set(tokens(q.metric or q.text)) | set(tokens(q.text))
    subject = set(tokens(q.metric)) - set(tokens("drove caused behind pushed why growth increase decrease rise fall"))
    cands = []
    for rank, c in enumerate(chunks):
        body = c.text[len(c.section) + 2:] if c.section and c.text.startswith(c.section + ": ") else c.text
        sents = sentences(body)
        for i, sent in enumerate(sents):
            overlap = len(qt & set(tokens(sent)))
            causal = bool(CAUSAL.search(sent))
            direction = (down and bool(SAYS_DOWN.search(sent))) or (up and bool(SAYS_UP.search(sent)))
            # The sentence that opens with the subject ("Outsourcing services revenues were ...") leads.
            opens = bool(subject) and subject <= set(tokens(" ".join(sent.split()[:8])))
            moved = bool(subject) and bool(re.search(r"(?:\S+\s+){0,6}?" + MOVE, sent)) and any(
                subject <= set(tokens(m.group(0))) for m in re.finditer(r"(?:\S+\s+){1,6}" + MOVE, sent))
            cands.append((overlap + 0.8 * causal + 0.8 * direction + 1.0 * opens + 1.2 * moved - 0.05 * rank, i, sent, c, sents, overlap, causal))
    if not cands:
        return ctx.out.decline(q.text, "The filing does not say; it has no passage about that.", [], plan=q)
    _, i, sent, c, sents, _, causal = max(cands, key=lambda x: x[0])
    picked = [(sent, c)]
    if i + 1 < len(sents):
        picked.append((sents[i + 1], c))
    if not causal and not any(CAUSAL.search(x) for x, _ in picked):
        more = [x for x in cands if x[6] and x[5] >= 1 and x[2] not in {p for p, _ in picked}]
        if more:
            best = max(more, key=lambda x: x[0])
            picked.append((best[2], best[3]))
    summary = "The filing says: " + " ".join(f"\u201c{x}\u201d" for x, _ in picked)
    sources = [Source("text", ch.section, ch.line, x) for x, ch in picked]
    return ctx.out.finish(q, summary, None, None, None, [], sources=sources)
