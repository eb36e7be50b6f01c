""""What is IIJ GIO?", "What does EBITDA mean?": what the filing itself says the thing is, quoted with its
line; for a finance term also the glossary's plain words, with this filing's figure when it prints one
(the narrative reader answers it: `narrative.describe`)."""
from __future__ import annotations

from schema import Answer

from ..plan import Plan
from . import narrative


def run(q: Plan, ctx) -> Answer:
    return narrative.describe(q, ctx)
