"""A composed question: runs its expression tree on the calculator (filled in below)."""
from __future__ import annotations

from schema import Answer

from ..plan import Plan
from .value import as_value


def run(q: Plan, ctx) -> Answer:
    return as_value(q, ctx)
