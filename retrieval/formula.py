"""Formulas in words ("X over Y", "(A - B) / C") and the glossary's standard formulas, as expressions."""
from __future__ import annotations

from typing import Optional

from .plan import Expr


def composed(question: str, metric: str, op: str) -> tuple[Optional[Expr], str]:
    return None, op
