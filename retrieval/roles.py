"""What rows are in the statements: the top line, the operating result, the bottom line, the part
attributable to the company, reconciling lines. Read once from labels and headings (data in
roles.json), so that everyday words ("sales", "profit") name the company's own figure on any
filing, never one line item that happens to share a word."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Optional

from .search import RowDoc
from .text import tokens

DATA = Path(__file__).with_name("roles.json")
LEGAL = {"inc", "ltd", "limited", "corp", "corporation", "co", "plc", "ag", "gmbh", "se", "sa", "nv", "the", "llc", "of"}


@lru_cache(maxsize=1)
def _data() -> dict:
    d = json.loads(DATA.read_text(encoding="utf-8"))
    d["label_re"] = {role: re.compile(r"^(?:" + "|".join(pats) + r")$") for role, pats in d["labels"].items()}
    d["parent_re"] = re.compile(d["parents"])
    d["filler_tokens"] = frozenset(t for w in d["filler"] for t in tokens(w))  # compared as the question's words are, stemmed
    d["intent_sets"] = [(role, frozenset(tokens(p))) for role, phrases in d["intents"].items() for p in phrases]
    d["vocab"] = {role: frozenset(t for p in phrases for t in tokens(p)) for role, phrases in d["intents"].items()
                  if role not in d["exact_only"]}
    return d


def label_of(r: RowDoc) -> str:
    s = re.sub(r"\s*\([A-Z]{3}\s*/[^)]*\)", "", r.first.metric).lower().strip(" .:*")
    return re.sub(r"\s+", " ", s)


def role_of(r: RowDoc) -> str:
    """The row's role, or "" for an ordinary line item. A row under a heading that is not a
    statement's ("Network service and SI business > Operating income") is that part's figure."""
    d = _data()
    if r.key[0].startswith("text:"):
        return ""
    label = label_of(r)
    for role, pat in d["label_re"].items():
        if pat.match(label):
            parents = r.first.row_path[:-1]
            if role == "reconciling" or all(p.isupper() or d["parent_re"].search(p.lower()) for p in parents):
                return role
    return ""


@dataclass(frozen=True)
class Roles:
    rows: dict  # role -> [RowDoc], in the index's order
    company: frozenset  # the words naming the company itself ("iij", "internet", "initiative", "japan")

    def intent(self, words: str) -> Optional[str]:
        """The role everyday figure words name ("our total sales" -> "top line"), or None."""
        d = _data()
        said = set(tokens(words)) - d["filler_tokens"] - self.company
        exact = next((role for role, names in d["intent_sets"] if said and said == names), None)
        if exact or not said:
            return exact
        # Words all from one role's everyday words ("sales revenue", "net income attributable"): that role.
        fits = [role for role, vocab in d["vocab"].items() if said <= vocab]
        return fits[0] if len(fits) == 1 else None

    def rows_for(self, words: str) -> list[tuple[RowDoc, float]]:
        """The rows such words name, best role first ("profit": attributable, then the bottom line)."""
        role = self.intent(words)
        if role is None:
            return []
        order = _data()["prefer"].get(role, [role])
        return [(r, 1.0 - 0.05 * i) for i, name in enumerate(order) for r in self.rows.get(name, [])]

    def is_reconciling(self, r: RowDoc) -> bool:
        return any(r is x for x in self.rows.get("reconciling", []))


def read_roles(rows: list[RowDoc]) -> Roles:
    by: dict = {}
    for r in rows:
        role = role_of(r)
        if role:
            by.setdefault(role, []).append(r)
    return Roles(by, _company_words(by.get("attributable", [])))


def _company_words(rows: list[RowDoc]) -> frozenset:
    """From "Net income attributable to Internet Initiative Japan Inc.": its words and initials."""
    out: set = set()
    for r in rows:
        m = re.search(r"attributable to (.+)$", label_of(r))
        if m:
            words = [w for w in re.findall(r"[a-z]+", m.group(1)) if w not in LEGAL]
            out |= set(tokens(" ".join(words))) | ({"".join(w[0] for w in words)} if len(words) > 1 else set())
    return frozenset(out)
