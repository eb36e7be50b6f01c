"""The engine behind the chat and the eval: answer(question, history) -> Answer.

Numbers come only from the fact table or the calculator; text around them is templated.
"""
from __future__ import annotations

import json
import re
import threading
import unicodedata
from collections import Counter
from dataclasses import dataclass, replace
from functools import lru_cache
from datetime import date
from typing import Optional

from ingest.cells import FiscalCalendar, add_months
from schema import Answer, Fact, Source
from settings import Settings

from . import calculator as calc
from .calculator import CalcError, Quantity
from .periods import Key, Periods, key_of
from .phrasing import build_chat_model, phrase
from .search import GENERIC_LABELS, Dense, Hit, PassageIndex, RowDoc, RowIndex, acronyms, sentences
from .text import canonical, glossary, tokens
from .understand import HIGH, MONTH_NUM, MONTH_RE, RANK, PeriodSpec, Query, not_covered, understand

MIN_SCORE = 0.55
MIN_QCOV = 0.5  # at least half of what the question names (by weight) must be in the row
CAUSAL = re.compile(r"\b(due to|because|mainly|as a result|driven by|reflect|owing to|along with|thanks to|resulted? (?:from|in))\b", re.I)
CHANGE_ROW = re.compile(r"\b(net )?(increase|decrease|change)s?\b(?! in (?:accounts|inventor|net investment|income taxes|deferred|accrued|short-term))", re.I)
CLOSING = re.compile(r"\bend of (?:the )?(?:period|year|quarter|half)\b|\bclosing balance\b", re.I)
OUTFLOW = re.compile(r"\b(paid|payments?|purchases?|repayments?|used in|acquisition of|investment in|principal payments|expenditures?)\b", re.I)
HOLDING = re.compile(r"\b(have|had|has|hold|holds|held|on hand|balance|owe|owed|owes)\b", re.I)
COST = re.compile(r"\b(expenses?|losses?|costs?)\b", re.I)
DECREASE = re.compile(r"\bdecrease\b", re.I)
BOTH_WAYS = re.compile(r"\b(income|gains?|profit|increase|benefit)\b", re.I)  # "Other income (expense)": the sign carries meaning
INJECTION = re.compile(
    r"(ignore|disregard|forget|override)\b[^.?!]*\b(rules?|instructions?|previous|above|prompt|system)"
    r"|\b(pretend|act as|you are now|from now on|system prompt|jailbreak)\b"
    r"|\b(say|repeat|answer|reply|tell (?:me|them))\b[^.?!]*\b(that|back|was|is|=)\b[^.?!]*\d"
    r"|\balready confirmed\b|\bjust repeat\b",
    re.I,
)
EXAMPLES = "What were total revenues in the latest period?"
GREETING = re.compile(r"^\s*(hi|hello|hey|good (?:morning|afternoon|evening)|thanks|thank you|ok|okay)\b[\s!.?]*$", re.I)


class AnswerError(Exception):
    """The engine could not start (index missing or unreadable); the message names the fix."""


@dataclass
class Pick:
    row: RowDoc
    fact: Fact
    score: float


class Engine:
    def __init__(self, settings: Settings, info=None, embedder=None, chat_model=None):
        self.settings = settings
        self.info = info
        self._embedder = embedder
        self._chat_model = chat_model
        self._lock = threading.Lock()
        self._ready = False
        self._sibling_groups: Optional[dict] = None

    # ------------------------------------------------------------ loading

    def _load(self) -> None:
        if self._ready:
            return
        with self._lock:
            if self._ready:
                return
            from ingest.embedding import Embedder
            from ingest.pipeline import chroma_client, current_info, load_records, open_collections

            info = self.info or current_info(self.settings)
            if info is None:
                raise AnswerError(f"no index in {self.settings.index_dir}: run `python -m ingest` first.")
            self.info = info
            self.facts, self.chunks, self.conflicts, self.lines = load_records(info)
            cal = json.loads((info.path / "calendar.json").read_text())
            self.cal = FiscalCalendar(**cal)
            self.periods = Periods(self.facts, self.cal)
            self.embedder = self._embedder or Embedder(self.settings.model)
            def connect():
                return open_collections(chroma_client(self.settings, info.path / "chroma"), info)

            try:
                collections = connect()
            except Exception as e:  # lexical search still answers when the vector store is away
                self.dense_error, collections = str(e), None
            server = self.settings.chroma_mode == "server"
            # In server mode the store may come back later: Dense reconnects by itself.
            dense = Dense(collections, self.embedder, connect=connect if server else None) if (collections is not None or server) else None
            vocab = frozenset(t for c in self.chunks for t in tokens(c.text))
            self.dense = dense
            self.rows = RowIndex(self.facts, self.chunks, dense, vocab, acronyms("\n".join(self.lines)))
            self.passages = PassageIndex(self.chunks, dense)
            self.by_id = {f.id: f for f in self.facts}
            self.conflict_by_fact = {v["fact_id"]: c for c in self.conflicts for v in c["values"]}
            text = "\n".join(self.lines)
            self.filing_words = set(re.findall(r"[a-z0-9]+", text.lower()))
            # Acronyms: words the filing only ever writes in capitals ("EBITDA", not "NET" of "NET INCOME").
            self.acronym_words = ({w.lower() for w in re.findall(r"\b[A-Z][A-Z&]{1,6}\b", text)}
                                  - {w.lower() for w in re.findall(r"\b[A-Za-z]*[a-z][A-Za-z]*\b", text)})
            currencies = [f.unit for f in self.facts if f.unit in calc.MONEY]
            self.main_currency = max(set(currencies), key=currencies.count) if currencies else ""
            if self._chat_model is None:
                self._chat_model = build_chat_model(self.settings)
            self.rate = next((f for f in self.facts if "/" in f.unit and f.unit.split("/")[1] in calc.MONEY and f.unit.split("/")[0] in calc.MONEY), None)
            self._ready = True

    def warm(self) -> None:
        self._load()
        if hasattr(self.embedder, "for_queries"):
            self.embedder.for_queries()
        self.embedder.warm()
        self.answer("What were total revenues?")

    def example(self) -> str:
        """An example question this filing can answer: its first table's first figure, main period."""
        self._load()
        cur = self.periods.current
        f = next((f for f in self.facts if cur and key_of(f.period) == cur and not f.qualifier and f.unit in calc.MONEY), None)
        return f"What was {_tidy_label(f.metric).lower()} for {f.period.label}?" if f else EXAMPLES

    def coverage(self) -> str:
        """What the filing does cover, from its own table titles."""
        self._load()
        titles = list(dict.fromkeys(f.table_title for f in self.facts if not f.table_id.startswith(("text:", "note"))))
        periods = sorted({f.period.label for f in self.facts if f.period.end and not f.period.is_target and f.period.months})
        shown = "; ".join(_tidy_label(t) for t in titles[:8]) + ("; and more" if len(titles) > 8 else "")
        return f"It covers: {shown}. Periods: {', '.join(periods[:6])}." if titles else "It covers the tables and narrative of this filing only."

    def filing_lines(self) -> list[str]:
        self._load()
        return self.lines

    def glossary(self) -> list[tuple[str, str]]:
        return sorted(glossary()["terms"].items())

    # ------------------------------------------------------------ entry point

    def answer(self, question: str, history: Optional[list] = None) -> Answer:
        self._load()
        if self.dense is not None:
            self.dense.begin()
        try:
            return self._answer(question, history)
        finally:
            if self.dense is not None:
                self.dense.end()

    def _answer(self, question: str, history: Optional[list] = None) -> Answer:
        cleaned, problem = clean_question(question, self.settings.max_question_chars)
        if problem:
            problem = problem.replace(EXAMPLES, self.example())
            return Answer(question or "", problem, False, summary=problem)
        notes = []
        if INJECTION.search(cleaned):
            kept = " ".join(s for s in re.split(r"(?<=[.!?])\s+", cleaned) if not INJECTION.search(s))
            if not kept.strip():
                return self._decline(question, "The filing does not say anything I could check here: I answer only from the filing "
                                     "and do not repeat figures given in a question. Ask, for example: " + self.example(), [])
            notes.append("I ignored instructions inside the question: every figure here comes from the filing.")
            cleaned = kept.strip()
        if GREETING.match(cleaned):
            return self._decline(question, "Hello! Ask me about a figure in the filing, for example: " + self.example(), [])
        topic = not_covered(cleaned)
        if topic and not self._has_row_for(topic[1]):
            return self._decline(cleaned, f"The filing does not say: it does not cover {topic[0]}.", notes)
        stranger = self._unknown_name(cleaned)
        if stranger:
            return self._decline(cleaned, f"The filing does not say anything about {stranger}; it reports only this company's own results.", notes)
        q = understand(cleaned)
        q = self._with_history(q, history or [])
        try:
            ans = self._dispatch(q)
        except CalcError as e:
            ans = self._decline(cleaned, f"That calculation is not possible with these figures ({e}).", [])
        ans.question = question
        ans = phrase(ans, self._chat_model)
        if notes:
            ans.text = "\n\n".join(notes + [ans.text])
        return ans

    def _has_row_for(self, words: str) -> bool:
        """A table row whose name or table holds every one of these words ("Employees", "Employees by Region")."""
        want = set(tokens(words))
        return bool(want) and any(want <= r.label | r.context for r in self.rows.rows if not r.key[0].startswith("text:"))

    def _dispatch(self, q: Query) -> Answer:
        if q.op == "narrative":
            return self._narrative(q)
        if q.op == "define":
            term = self._term(q.text)
            # Only "what is <term>?" is a definition; "what is this year's revenue target?" and "what's the
            # revenue?" ask for a figure.
            figure = re.search(r"^\s*what(?:'s| is| are| was| were)\s+(?:the|our|its|their|this|that|\w+'s)\s", q.text, re.I) and not re.search(
                r"\b(mean|means|meaning|stand for|stands for|definition|define|explain)\b", q.text, re.I)
            asked = set(q.metric_tokens) - set(tokens("mean meaning stand definition define explain"))
            if term and not q.periods and not figure and asked <= set(tokens(term)) | set(tokens(canonical(term))):
                d = self._definition(q)
                if d is not None:
                    return d
            q = replace(q, op="value")
        if q.op == "value" and EXCLUDING.search(q.metric):
            return self._excluding(q)
        handler = {
            "value": self._value,
            "change": self._change,
            "pct_change": self._change,
            "margin": self._margin,
            "margin_ratio": self._margin,
            "operating_margin": self._formula_ratio,
            "share": self._share,
            "ratio": self._share,
            "sum": self._sum,
            "average": self._average,
            "compare": self._compare,
            "compare_growth": self._compare_growth,
            "rank": self._rank,
            "target_remaining": self._target,
            "target_progress": self._target,
        }.get(q.op, self._value)
        return handler(q)

    # ------------------------------------------------------------ guards

    def _unknown_name(self, q: str) -> Optional[str]:
        """A proper name the filing never mentions (another company, a place) means it cannot answer."""
        words = re.findall(r"\b([A-Z][A-Za-z0-9&\-]+(?:\s+[A-Z][A-Za-z0-9&\-]+)*)", q)
        for i, w in enumerate(words):
            parts = [p for p in re.findall(r"[A-Za-z0-9]+", w)]
            first_word = q.strip().startswith(w)
            for p in parts:
                pl = p.lower()
                if first_word and p == parts[0]:
                    continue
                if pl in self.filing_words or pl in _COMMON or pl in MONTH_NUM or canonical(p).lower() != p.lower():
                    continue
                if re.fullmatch(r"(?:FY|CY|H|Q)?\d{2,4}|[1-4][HQ]\d{0,4}|(?:FY|H|Q)\d(?:FY)?\d{0,4}", p, re.I):
                    continue  # a period ("FY2013", "1H13"): not a name; the period check says whether it is covered
                if len(p) >= 2 and (p.isupper() or p[0].isupper()):
                    return w
        return None

    def _with_history(self, q: Query, history: list) -> Query:
        prev = [m.get("content", "") for m in history if isinstance(m, dict) and m.get("role") == "user"]
        if not prev:
            return q
        if q.op not in ("narrative",) and (q.elliptical or not self._strong(q)):
            p = understand(clean_question(prev[-1], 10_000)[0])
            p = self._with_history(p, [{"role": "user", "content": t} for t in prev[:-1]]) if not self._strong(p) and len(prev) > 1 else p
            metric = self._merge_metric(q, p) if self._strong(q) else p.metric
            periods = q.periods or p.periods
            if q.periods and len(q.periods) == 1 and q.periods[0].relative and p.periods:
                periods = [replace(s, relative=-1) for s in p.periods[-1:]]
            op = q.op if q.explicit_op else p.op
            if p.op in ("margin", "margin_ratio", "operating_margin") and q.op in ("change", "pct_change"):
                op = p.op  # "how did that change?" after a margin question: the margin's change
            if op in ("change", "pct_change") and not q.periods and p.periods and not q.explicit_op:
                periods = p.periods
            if q.op in ("change", "pct_change") and q.explicit_op and not q.periods and p.periods:
                periods = [replace(p.periods[-1], relative=-1), p.periods[-1]]
            if q.parts:
                # "What share of total revenue is that?": "that" is the previous question's figure.
                parts = [x if any(self.rows.known(t) for t in tokens(x)) else p.metric for x in q.parts]
                return replace(q, parts=parts, periods=periods, currency=q.currency or p.currency)
            if q.op == "share" and not q.parts:
                whole = re.sub(r".*?\bof\s+", "", q.metric).strip() or "total"
                return replace(q, metric=p.metric, parts=[p.metric, whole], periods=periods)
            if q.op == "target_remaining" and p.op == "value":
                return replace(q, metric=p.metric, periods=periods)
            return replace(q, metric=metric, periods=periods, op=op, currency=q.currency or p.currency, parts=q.parts or p.parts)
        return q

    def _merge_metric(self, q: Query, p: Query) -> str:
        """An elliptical follow-up that names something ("and diluted?", "its gross margin") refines the
        previous subject: try it added to, or swapped for one word of, the previous question's words."""
        if not q.elliptical:
            return q.metric
        cur = [t for t in q.metric_tokens if self.rows.known(t)]
        prev = p.metric_tokens
        if q.op in ("margin", "margin_ratio", "operating_margin") or not prev or len(cur) > 2:
            return f"{q.metric} {p.metric}"
        # Swapped for a run of the previous words ("network services" for "systems integration"), or
        # added to them ("diluted" to "EPS"); on a tie, swapping wins ("what about X?").
        swaps = [prev[:i] + cur + prev[j:] for i in range(len(prev)) for j in range(i + 1, min(len(prev), i + len(cur) + 1) + 1)]
        options = list(dict.fromkeys(" ".join(o) for o in swaps + [cur + prev]))

        def fit(m: str) -> float:
            hits = self.rows.rank(m, m, k=1)
            return hits[0].parts.get("coverage", 0) if hits else 0.0

        return max(options, key=fit)

    def _strong(self, q: Query) -> bool:
        toks = [t for t in q.metric_tokens if self.rows.known(t)]
        if not toks:
            return False
        hits = self.rows.rank(q.metric, q.metric, k=1)
        return bool(hits) and hits[0].parts.get("coverage", 0) >= MIN_SCORE

    # ------------------------------------------------------------ picking facts

    def _specs(self, q: Query, n: int) -> list[Optional[PeriodSpec]]:
        specs = list(q.periods)
        if n == 2:
            if len(specs) >= 2:
                return specs[-2:] if not specs[0].empty() else [specs[0], specs[1]]
            if len(specs) == 1:
                s = specs[0]
                if s.relative:
                    return [s, replace(s, relative=0)]
                if re.search(r"\bsince\b|\b(?:from|compared (?:with|to)|versus|vs\.?|than)\s+(?:the\s+)?(?:(?:fiscal\s+(?:year\s+)?|fy\s*|financial\s+year\s+)?'?\d{2,4}\b|(?:end\s+of\s+)?" + MONTH_RE + ")", q.text, re.I):
                    return [s, None]  # "change from fiscal 2018", "since March", "since the start of the year": that one is the base, the latest the end
                return [replace(s, relative=-1), s]
            return [PeriodSpec(relative=-1), None]
        return [specs[-1] if specs else None]

    def _candidates(self, metric: str, question: str, unit: Optional[str] = None, target: Optional[bool] = None) -> list[Hit]:
        def ok(r: RowDoc) -> bool:
            if unit and not any(_unit_ok(f.unit, unit) for f in r.facts):
                return False
            if target is not None and not any(f.period.is_target == target for f in r.facts):
                return False
            return True

        return self.rows.rank(metric, question, k=30, where=ok)

    def _fact_for(self, row: RowDoc, key: Optional[Key], q: Query, want_unit: Optional[str] = None, qualifier: str = "") -> Optional[Fact]:
        fs = [f for f in row.facts if (f.qualifier == qualifier if not qualifier else qualifier.lower() in f.qualifier.lower()) and f.period.end]
        if not fs and not qualifier:
            fs = self._sub_column(row, q)
        if want_unit:
            fs = [f for f in fs if _unit_ok(f.unit, want_unit)]
        if not fs:
            return None
        if key is None:
            fs_nt = [f for f in fs if not f.period.is_target] or fs
            cur = self.periods.current
            same = [f for f in fs_nt if cur and key_of(f.period) == cur]
            pool = same or fs_nt
            latest = max(f.period.end for f in pool)
            fs = [f for f in pool if f.period.end == latest]
        else:
            exact = [f for f in fs if key_of(f.period) == key]
            if not exact and key[1] == 0:
                exact = [f for f in fs if f.period.end == key[0] and not f.period.is_target and (_is_stock(f) or CLOSING.search(f.metric))]
            if not exact and key[1] == 0:
                exact = self._opening_balance(fs, key)
            fs = exact
        if not fs:
            return None
        cur = q.currency or self.main_currency
        fs.sort(key=lambda f: (f.unit.split("/")[0] != cur, f.scale or 1e18))
        return fs[0]

    def _sub_column(self, row: RowDoc, q: Query) -> list[Fact]:
        """Rows whose columns are sub-columns of a period (dividends: 2Q-end, Year-end, Total):
        the one the question names, else the total."""
        subs = [f for f in row.facts if f.qualifier and not re.search(r"change|yoy|%", f.qualifier, re.I) and f.period.end]
        if not subs:
            return []
        text = " " + " ".join(tokens(q.text, keep_stop=True)) + " "
        named = [f for f in subs if f" {' '.join(tokens(f.qualifier, keep_stop=True))} " in text]
        if named:
            return named
        total = [f for f in subs if re.search(r"total|annual|full", f.qualifier, re.I)]
        return total or subs

    def _opening_balance(self, fs: list[Fact], key: Key) -> list[Fact]:
        """A balance at a date can be printed as the opening line of a period starting then."""
        out = []
        for f in fs:
            if f.period.months and re.search(r"\bbeginning of\b|\bopening\b|\bat start\b", f.metric, re.I):
                start = _start_of(f.period.end, f.period.months)
                if start == key[0]:
                    out.append(f)
        return out

    def pick(self, metric: str, q: Query, key: Optional[Key], want_unit: Optional[str] = None, target: Optional[bool] = None,
             qualifier: str = "", prefer_scale: float = 0, exclude: tuple = ()) -> Optional[Pick]:
        picks = self.picks(metric, q, key, want_unit, target, qualifier, exclude)
        if not picks and "(" in metric:
            # A parenthetical often only clarifies ("(including capital leases)"); try without it.
            picks = self.picks(re.sub(r"\([^)]*\)", " ", metric), q, key, want_unit, target, qualifier, exclude)
        if not picks:
            return None
        majority = [p for p in picks if not self._minority(p.fact)]
        picks = majority or picks
        if target is None:
            # A plan is not a result: targets answer only when the question asks for one.
            picks = [p for p in picks if not p.fact.period.is_target] or picks
        # The same figure printed in several tables: take the finer one (thousands over millions),
        # or the one in the scale asked for, so that working and ratios stay exact.
        same = self.same_figure(picks)
        want_scale = prefer_scale or 0
        same.sort(key=lambda p: (p.fact.scale != want_scale if want_scale else False, p.fact.scale or 1e18, -p.score))
        return same[0]

    def _minority(self, f: Fact) -> bool:
        """A figure the filing prints differently elsewhere, where most tables agree on the other value."""
        c = self.conflict_by_fact.get(f.id)
        if not c:
            return False
        tol = max(v.get("scale", 0) or 0 for v in c["values"]) or max(abs(f.value) * 1e-3, 1)
        agree = sum(1 for v in c["values"] if abs(v["value"] - f.value) <= tol * 1.01 or abs(v["value"] - f.value) <= abs(f.value) * 1e-3)
        return agree * 2 < len(c["values"])

    @staticmethod
    def same_figure(picks: list[Pick]) -> list[Pick]:
        best = picks[0]
        return [p for p in picks if p.score >= best.score - 0.2 and abs(p.fact.value - best.fact.value) <= max(p.fact.scale, best.fact.scale, 1) * 1.01]

    def picks(self, metric: str, q: Query, key: Optional[Key], want_unit: Optional[str] = None, target: Optional[bool] = None,
              qualifier: str = "", exclude: tuple = ()) -> list[Pick]:
        hits = self._candidates(metric, q.text, want_unit, target)
        if not hits:
            return []
        needed = self._measures(metric)
        asked = set(tokens(metric)) & MEASURE_WORDS
        out: list[Pick] = []
        for h in hits:
            # A row that names its own measure ("Total Revenues > SI", "EBIT > Consumer Optics") cannot borrow
            # another from its table's title ("Revenue and EBIT by Segment").
            own = h.row.label | h.row.parents
            words = own if own & MEASURE_WORDS else h.row.label | h.row.context
            if h.row.key in exclude or not all(any(name <= words for name in names) for names in needed):
                continue  # "SI operating income" is not answered by SI revenue
            if own & MEASURE_WORDS and (asked - own) & h.row.context:
                continue
            if h.parts.get("coverage", 0) < MIN_SCORE or h.parts.get("q_cov", 1) < MIN_QCOV:
                continue
            f = self._fact_for(h.row, key, q, want_unit, qualifier)
            if f is not None:
                out.append(Pick(h.row, f, h.score))
        if key is None and self.periods.current and out:
            # No period named: among close matches, rows that report the filing's main period come first.
            top = out[0].score
            out.sort(key=lambda p: (p.score < top - 0.05, key_of(p.fact.period) != self.periods.current))
        # Only rows that report the period compete; among them, the close ones.
        return [p for p in out if p.score >= out[0].score - 0.2] if out else []

    @staticmethod
    def _measures(metric: str) -> list[list[set]]:
        """The measures a metric names ("operating income", "free cash flow"), each as the word sets a row
        may name it by ("segment profit" for operating income): a row must name each measure to answer."""
        said = " " + " ".join(tokens(metric)) + " "
        return [names for phrase, names in _measure_terms() if phrase in said]

    def _best_row(self, metric: str, q: Query) -> Optional[Hit]:
        hits = self.rows.rank(metric, q.text, k=1)
        return hits[0] if hits else None

    # ------------------------------------------------------------ operations

    def _value(self, q: Query) -> Answer:
        spec = self._specs(q, 1)[0]
        key = self.periods.resolve(spec) if spec else None
        target = True if spec and spec.target else None
        p = None
        if re.search(r"\bhow many\b|\bnumber of\b", q.text, re.I):
            p = self.pick(q.metric, q, key, "count", target)  # "how many" asks for a count, not an amount
        if p is None and spec is None and HOLDING.search(q.text):
            # "How much cash do we have?": a balance, at the balance date the filing reports most.
            p = self.pick(q.metric, q, self.periods.balance_date_after(""), None, target)
        p = p or self._pick_in(q.metric, q, spec, key, target=target)
        if p is None and key and key[1] in (3, 6):
            return self._implied_period(q, key)
        if p is not None and q.currency and p.fact.unit != q.currency:
            # The best row in the asked currency when it prints one (a convenience column), else converted.
            same = [x for x in self.picks(q.metric, q, key_of(p.fact.period), q.currency, target) if x.row.key == p.row.key]
            same = same or [x for x in self.same_figure(self.picks(q.metric, q, key, None, target) or [p])
                            for x in [Pick(x.row, f, x.score) for f in x.row.facts
                                      if key_of(f.period) == key_of(p.fact.period) and f.unit == q.currency and f.qualifier == p.fact.qualifier]]
            if same:
                p = same[0]
            elif self.rate is not None and p.fact.unit == self.rate.unit.split("/")[0] and q.currency == self.rate.unit.split("/")[1]:
                res = calc.convert(Quantity.of(p.fact), Quantity.of(self.rate), q.currency)
                return self._compose(q, res, f"{self._name(p.fact)} {self._for(p.fact)} ({money(p.fact.value, p.fact.unit)}) converted to US dollars at the filing's rate of {money(self.rate.value, self.rate.unit)}", [p, Pick(p.row, self.rate, 1.0)])
        if p is None:
            return self._not_found(q, key)
        if not self._counts_the_same_thing(q, p):
            return self._not_found(q, key)
        return self._answer_fact(q, p, self._yoy_note(p))

    def _counts_the_same_thing(self, q: Query, p: Pick) -> bool:
        """"How many data centers" is not answered by a count of data-center contracts: the thing the
        question counts must be the thing the table counts ("Number of Contracts ...", "(shares)")."""
        m = re.search(r"\bhow many\s+(.+?)\s+(?:did|do|does|were|was|are|is|had|has|have|in|at|for)\b", canonical(q.text), re.I)
        if not m or p.fact.unit != "count":
            return True
        asked = set(tokens(m.group(1)))
        f = p.fact
        counted = re.search(r"\bnumber of\s+(?:the\s+)?([A-Za-z][\w\-]*)", f.metric + " " + f.table_title, re.I)
        nouns = set(tokens(counted.group(1))) if counted else set()
        if re.search(r"\((?:shares|ADSs?)\)|\bshares\b", f.metric, re.I):
            nouns |= {"share", "ad"}
        return not nouns or bool(asked & nouns) or not asked

    def _answer_fact(self, q: Query, p: Pick, extra: str = "") -> Answer:
        f = p.fact
        when = self._plabel(f)
        value = f.value
        direction = _named_direction(f.metric) if value < 0 else ""
        if direction:
            # The label already says which way the money went; the brackets only mark the direction.
            value = -value
            shown = "printed in brackets" if f.cell_text.strip().startswith("(") else "printed as a negative number"
            extra += f" ({direction}, {shown} in the table)"
        summary = f"{self._name(f)} {_for(when)} was {money(value, f.unit)}{extra}."
        alternatives = self._alternatives(q, p)
        return self._finish(q, summary, value, f.unit, None, [f], alternatives)

    def _yoy_note(self, p: Pick) -> str:
        """Adds the printed or computed year-on-year change when the row has the year before."""
        f = p.fact
        if f.unit not in calc.MONEY and f.unit != "count":
            return ""
        prev_key = self.periods.shift(key_of(f.period), -1)
        prev = next((g for g in p.row.facts if key_of(g.period) == prev_key and g.unit == f.unit and not g.qualifier), None)
        if prev is None or prev.value <= 0 or f.value < 0:
            return ""  # a percentage change across a loss or an outflow misleads more than it says
        pct = (f.value - prev.value) / abs(prev.value) * 100
        if f.value == prev.value:
            return ", unchanged from a year earlier"
        word = "up" if pct >= 0 else "down"
        return f", {word} {abs(pct):.1f}% from {money(prev.value, prev.unit)} a year earlier"

    def _from_others(self, metric: str, q: Query, key: Key, unit: Optional[str] = None) -> Optional[tuple[Quantity, list, str]]:
        """A period the filing does not print, from two it does: a quarter as its half minus the other
        quarter; a half as the year minus the other half, or as its two quarters. Returns the result,
        the two picks and how it was worked out."""
        for ka, kb, op in self.periods.implied(key):
            pa = self.pick(metric, q, ka, unit)
            if pa is None:
                continue
            other = next((f for f in pa.row.facts if key_of(f.period) == kb and f.unit == pa.fact.unit and not f.qualifier), None)
            pb = Pick(pa.row, other, pa.score) if other else self.pick(metric, q, kb, pa.fact.unit)
            if pb is None:
                continue
            qa, qb = Quantity.of(pa.fact), Quantity.of(pb.fact)
            res = calc.subtract(qa, qb) if op == "-" else calc.add(qa, qb)
            return res, [pa, pb], f"{self._plabel(pa.fact)} {'minus' if op == '-' else 'plus'} {self._plabel(pb.fact)}"
        return None

    def _figure_for(self, metric: str, q: Query, key: Key) -> Optional[tuple[Quantity, list, str]]:
        """(figure, picks, period label) for one period: as printed, or worked out from others."""
        p = self.pick(metric, q, key)
        if p is not None:
            return Quantity.of(p.fact), [p], self._plabel(p.fact)
        got = self._from_others(metric, q, key)
        return (got[0], got[1], self.periods.label(key)) if got else None

    def _implied_period(self, q: Query, key: Key) -> Answer:
        got = self._from_others(q.metric, q, key)
        if got is None:
            return self._not_found(q, key)
        res, picks, how = got
        what = f"{self._name(picks[0].fact)} for {self.periods.label(key)} (not printed: {how})"
        return self._compose(q, res, what, picks)

    def _change(self, q: Query) -> Answer:
        s1, s2 = self._specs(q, 2)
        if s1 and s2 and not s1.relative and not s2.relative:
            r1, r2 = self.periods.resolve(s1), self.periods.resolve(s2)
            if r1 and r2 and r1[0] > r2[0]:
                s1, s2 = s2, s1  # "September 2012 than September 2011": from the earlier to the later
        k2 = self.periods.resolve(s2) if s2 else None
        base = self.periods.resolve(s1) if s2 is None and s1 and not s1.relative else None
        if base and base[1] == 0:
            k2 = self.periods.balance_date_after(base[0])  # "since March": from that balance to the next one reported
        unit = "USD" if q.currency == "USD" else None
        p2 = self.pick(q.metric, q, k2, unit)
        if p2 is None:
            return self._not_found(q, k2)
        k2 = key_of(p2.fact.period)
        if CHANGE_ROW.search(p2.fact.metric) and len([s for s in q.periods if not s.relative]) <= 1 and not any(s.relative for s in q.periods):
            # The row is itself a change ("Net increase (decrease) in cash"): its figure is the answer.
            return self._answer_fact(q, p2)
        k1 = self.periods.resolve(s1, None) if s1 and not (s1.relative and s2 is None) else self.periods.shift(k2, -1)
        if s1 and s1.relative and s2 is not None:
            k1 = self.periods.shift(k2, s1.relative)
        if k1 and k1[0] > k2[0]:
            # "2Q12 versus 2Q11": the change runs from the earlier period to the later one.
            k1, k2 = k2, k1
            p2 = self.pick(q.metric, q, k2, unit) or p2
        printed = None
        for cand in self.same_figure(self.picks(q.metric, q, k2, unit) or [p2]):
            printed = self._printed_change(cand, k1, k2, "%" if q.op == "pct_change" else p2.fact.unit)
            if printed is not None:
                break
        if printed is not None and printed.unit != "%":
            return self._finish(q, f"{self._name(p2.fact)} changed by {money(printed.value, printed.unit, signed=True)} from {self.periods.label(k1)} to {self._plabel(printed)}, as the filing prints it.", printed.value, printed.unit, None, [printed])
        if q.op == "pct_change":
            if printed is not None:
                summary = f"{self._name(p2.fact)} went {pct_words(printed.value)} in {self._plabel(printed)} compared with {self.periods.label(k1)}, as the filing prints it."
                return self._finish(q, summary, printed.value, "%", None, [printed])
        p1f = self._fact_for(p2.row, k1, q, p2.fact.unit)
        if p1f is None and k1:
            other_row = self.pick(q.metric, q, k1, p2.fact.unit)
            p1f = other_row.fact if other_row else None
        if p1f is None and k1 and k1[1] == 0:
            # For a balance, "the change" is against the other date the table gives.
            others = [f for f in p2.row.facts if f.period.end < k2[0] and f.unit == p2.fact.unit and not f.qualifier]
            p1f = max(others, key=lambda f: f.period.end) if others else None
        if p1f is None:
            pct = self._printed_change(p2, k1, k2, "%") or next(
                (x for c in self.same_figure(self.picks(q.metric, q, k2, unit) or [p2]) for x in [self._printed_change(c, k1, k2, "%")] if x), None)
            if pct is not None:
                # The filing gives only the percentage for this comparison.
                summary = f"The filing gives this change only as a percentage: {self._name(p2.fact).lower()} {pct_words(pct.value)} in {self._plabel(pct)} compared with a year earlier."
                return self._finish(q, summary, pct.value, "%", None, [pct])
            return self._not_found(q, k1)
        a, b = Quantity.of(p1f), Quantity.of(p2.fact)
        if q.op == "pct_change" and a.unit != "%":
            res = calc.pct_change(a, b)
            what = f"Percentage change in {self._name(p2.fact).lower()} from {_bare(self._plabel(p1f))} to {_bare(self._plabel(p2.fact))}"
        else:
            res = calc.change(a, b)
            return self._compose(q, res, self._change_what(p1f, p2.fact), [Pick(p2.row, p1f, p2.score), p2], base=a.value)
        return self._compose(q, res, what, [Pick(p2.row, p1f, p2.score), p2])

    def _change_what(self, before: Fact, after: Fact) -> str:
        return (f"Change in {self._name(after).lower()} from {_bare(self._plabel(before))} ({money(before.value, before.unit)}) "
                f"to {_bare(self._plabel(after))} ({money(after.value, after.unit)})")

    def _printed_change(self, p: Pick, k1: Optional[Key], k2: Key, unit: str) -> Optional[Fact]:
        """The change column the table prints itself (YoY % change, YoY change), when it is the one asked."""
        if k1 is None or self.periods.shift(k2, -1) != k1:
            return None
        return next((f for f in p.row.facts if key_of(f.period) == k2 and f.unit == unit and f.qualifier
                     and re.search(r"change|yoy|increase|growth", f.qualifier, re.I) and (unit == "%") == ("%" in f.qualifier)), None)

    def _segment_words(self, metric: str) -> str:
        metric = re.sub(r"\([^)]*\)", " ", metric)
        t = re.sub(r"\b(minus|company-wide|companywide|overall|whole company|entire company|gross|margin|ratio|rate|percentage|percent|cost|costs|revenues?|sales|on|for|of|as a|share|what|was|the|overall|profit|make|did|a|its|it)\b", " ", metric, flags=re.I)
        return " ".join(w for w in t.split() if tokens(w))  # words that can name a segment, not "in" or "?"

    def _margin_parts(self, q: Query, key: Optional[Key]) -> tuple[Pick, Pick]:
        seg = self._segment_words(q.metric)
        rev = self.pick((seg + " revenues") if seg else "total revenues", q, key)
        if rev is None:
            raise CalcError(f"no revenue figure found for '{seg or 'the company'}'")
        cost = self.pick((seg + " cost") if seg else "total cost", q, key_of(rev.fact.period), rev.fact.unit, prefer_scale=rev.fact.scale)
        if cost is None:
            raise CalcError(f"no cost figure found for '{seg or 'the company'}'")
        # Both sides from the same precision where the table offers it.
        if cost.fact.scale != rev.fact.scale:
            alt = self.pick((seg + " revenues") if seg else "total revenues", q, key_of(rev.fact.period), rev.fact.unit)
            if alt and alt.fact.scale == cost.fact.scale:
                rev = alt
        return rev, cost

    def _margin(self, q: Query) -> Answer:
        wants_change = bool(re.search(r"\b(change|changed|grow|grew|increase|decrease|improve|improved|rise|rose|fall|fell|compared|versus|from last year|points)\b", q.text, re.I)) or len(q.periods) >= 2
        ratio = q.op == "margin_ratio"
        if wants_change:
            s1, s2 = self._specs(q, 2)
            k2 = self.periods.resolve(s2) if s2 else None
            p2 = self._printed_margin(q, k2, ratio)
            if p2 is not None:
                k1 = self.periods.resolve(s1) if s1 and not s1.relative else self.periods.shift(key_of(p2.fact.period), -1)
                f1 = self._fact_for(p2.row, k1, q, p2.fact.unit)
                if f1 is not None:
                    res = calc.change(Quantity.of(f1), Quantity.of(p2.fact))
                    return self._compose(q, res, self._change_what(f1, p2.fact), [Pick(p2.row, f1, p2.score), p2], term="gross margin ratio" if ratio else "gross margin",
                                         base=None if ratio else f1.value)
            r2, c2 = self._margin_parts(q, k2)
            k2 = key_of(r2.fact.period)
            k1 = self.periods.resolve(s1) if s1 and not s1.relative else self.periods.shift(k2, -1)
            r1, c1 = self._margin_parts(q, k1)
            m1 = calc.subtract(Quantity.of(r1.fact), Quantity.of(c1.fact))
            m2 = calc.subtract(Quantity.of(r2.fact), Quantity.of(c2.fact))
            if ratio:
                res = calc.subtract(calc.ratio_pct(m2, Quantity.of(r2.fact)), calc.ratio_pct(m1, Quantity.of(r1.fact)))
                what = f"Change in the {self._seg_name(r2)}gross margin ratio from {self._plabel(r1.fact)} ({m1.value / r1.fact.value * 100:.1f}%) to {self._plabel(r2.fact)} ({m2.value / r2.fact.value * 100:.1f}%)"
            else:
                res = calc.change(m1, m2)
                what = f"Change in {self._seg_name(r2)}gross margin from {self._plabel(r1.fact)} ({money(m1.value, m1.unit)}) to {self._plabel(r2.fact)} ({money(m2.value, m2.unit)})"
            return self._compose(q, res, what, [r1, c1, r2, c2], term="gross margin ratio" if ratio else "gross margin",
                                 base=None if ratio else m1.value)
        spec = self._specs(q, 1)[0]
        key = self.periods.resolve(spec) if spec else None
        printed = self._printed_margin(q, key, ratio)
        if printed is not None:
            return self._answer_fact(q, printed, self._yoy_note(printed))
        if key and key[1] in (3, 6) and self._printed_margin(q, None, ratio) is not None:
            return self._implied_period(q, key)  # printed for other periods that make this one up
        r, c = self._margin_parts(q, key)
        m = calc.subtract(Quantity.of(r.fact), Quantity.of(c.fact))
        if ratio:
            res = calc.ratio_pct(m, Quantity.of(r.fact))
            what = f"{self._seg_name(r).capitalize()}gross margin ratio {self._for(r.fact)} (gross margin {money(m.value, m.unit)} on revenue of {money(r.fact.value, r.fact.unit)})"
        else:
            res = m
            what = f"{self._seg_name(r).capitalize()}gross margin {self._for(r.fact)} (revenue {money(r.fact.value, r.fact.unit)} minus cost {money(c.fact.value, c.fact.unit)})"
        return self._compose(q, res, what, [r, c], term="gross margin ratio" if ratio else "gross margin")

    def _printed_margin(self, q: Query, key: Optional[Key], ratio: bool) -> Optional[Pick]:
        """A gross margin a table prints (often as "Gross profit"): used as printed rather than worked out."""
        seg = self._segment_words(q.metric)
        p = self.pick(f"{seg} gross margin".strip(), q, key, want_unit="%" if ratio else self.main_currency or None)
        if p is None or p.row.key[0].startswith("text:") or not {"gross", "margin"} <= p.row.label:
            return None
        if seg and not set(tokens(seg)) <= p.row.label | p.row.context:
            return None  # the company's figure, when the question names a segment
        return p

    def _seg_name(self, rev: Pick) -> str:
        name = rev.fact.metric if rev.fact.metric.lower() not in ("total", "total revenues", "revenues") else ""
        if rev.fact.metric.lower() == "total" and len(rev.fact.row_path) > 1:
            name = rev.fact.row_path[-2]
        return f"{name} " if name else ""

    def _formula_ratio(self, q: Query) -> Answer:
        """A margin from its glossary formula ("operating margin" = operating income / total revenues),
        unless a table prints it as a percentage."""
        said = canonical(q.metric).lower()
        name = max((n for n in glossary()["formulas"] if n in said), key=len, default="operating margin")
        num, den = glossary()["formulas"][name]["ratio"]
        seg = self._segment_words(re.sub(re.escape(name) + "|" + re.escape(num), " ", said))
        wants_change = bool(re.search(r"\b(change|improve|improved|grow|grew|rise|rose|fall|fell|compared|points)\b", q.text, re.I))
        specs = self._specs(q, 2) if wants_change else self._specs(q, 1)
        if not wants_change:
            key = self.periods.resolve(specs[0]) if specs[0] else None
            printed = self.pick(f"{seg} {name}".strip(), q, key, "%")
            if (printed is not None and set(tokens(name)) <= printed.row.label <= set(tokens(q.metric))
                    and not printed.row.key[0].startswith("text:")):  # "Adjusted EBITDA margin" does not answer "EBITDA margin"
                return self._answer_fact(q, printed)

        def one(spec):
            key = self.periods.resolve(spec) if spec else None
            a = self.pick(f"{seg} {num}".strip(), q, key)
            if a is None:
                raise CalcError(f"no {num} figure for that period")
            b = self.pick(f"{seg} {den}".strip(), q, key_of(a.fact.period), a.fact.unit)
            if b is None:
                raise CalcError(f"no {den} figure for that period")
            return a, b, calc.ratio_pct(Quantity.of(a.fact), Quantity.of(b.fact))

        if wants_change:
            s1, s2 = specs
            a2, b2, r2 = one(s2)
            k1 = self.periods.shift(key_of(a2.fact.period), -1) if (s1 is None or s1.relative) else self.periods.resolve(s1)
            a1 = self.pick(num, q, k1)
            b1 = self.pick(den, q, k1, a2.fact.unit)
            if a1 is None or b1 is None:
                return self._not_found(q, k1)
            r1 = calc.ratio_pct(Quantity.of(a1.fact), Quantity.of(b1.fact))
            res = calc.subtract(r2, r1)
            what = f"Change in {self._display(name)} from {self._plabel(a1.fact)} ({r1.value:.2f}%) to {self._plabel(a2.fact)} ({r2.value:.2f}%)"
            return self._compose(q, res, what, [a1, b1, a2, b2], term=name)
        a, b, res = one(specs[0])
        label = self._display(name)
        what = f"{label[:1].upper()}{label[1:]} {self._for(a.fact)} ({money(a.fact.value, a.fact.unit)} of {self._display(self._name(a.fact).lower())} on {money(b.fact.value, b.fact.unit)} of revenue)"
        return self._compose(q, res, what, [a, b], term=name)

    def _display(self, words: str) -> str:
        """Words as the filing writes them: its acronyms in capitals ("adjusted EBITDA margin")."""
        return " ".join(w.upper() if w in self.acronym_words else w for w in words.split())

    def _pick_in(self, metric: str, q: Query, spec: Optional[PeriodSpec], key: Optional[Key], target: Optional[bool] = None) -> Optional[Pick]:
        """The figure for the period asked; for a year named with no length ("in 2018"), any period of
        that year the row reports: durations most reported first, then balances, latest date first."""
        year_only = bool(spec and spec.fy and spec.months is None)
        keys = self.periods.of_year(spec.fy, bool(target)) if year_only else []
        if year_only and HOLDING.search(q.text):
            keys = [k for k in keys if not k[1]] + [k for k in keys if k[1]]  # "how much cash did we have": a balance first
        else:
            p = self.pick(metric, q, key, None, target)
            if p is not None:
                return p
        for k in keys:
            p = self.pick(metric, q, k, None, target)
            if p is not None:
                return p
        return None

    def _two(self, q: Query, n1: str, n2: str) -> tuple[Pick, Pick]:
        spec = self._specs(q, 1)[0]
        key = self.periods.resolve(spec) if spec else None
        a = self._pick_in(n1, q, spec, key)
        if a is None:
            raise CalcError(f"no figure found for '{n1}'")
        b = self.pick(n2, q, key_of(a.fact.period), a.fact.unit, prefer_scale=a.fact.scale, exclude=(a.row.key,))
        if b is None:
            b = self.pick(n2, q, key, exclude=(a.row.key,))
            if b is None:
                raise CalcError(f"no figure found for '{n2}' in the same unit and period")
            a2 = self.pick(n1, q, key_of(b.fact.period), b.fact.unit, exclude=(b.row.key,))
            a = a2 or a
        if a.row.key == b.row.key or a.fact.value == b.fact.value and a.fact.metric == b.fact.metric:
            # Two names for one row: the narrower name gets the next-best row.
            b2 = self.pick(n2, q, key_of(a.fact.period), a.fact.unit, exclude=tuple(p.row.key for p in self.same_figure(self.picks(n1, q, key_of(a.fact.period)) or [a])))
            if b2 is not None:
                b = b2
        return a, b

    def _share(self, q: Query) -> Answer:
        if len(q.parts) != 2:
            return self._value(replace(q, op="value"))
        part, whole = q.parts
        if q.op == "share" and not tokens(whole):
            whole = "total " + part
        if q.op == "share":
            a, b = self._part_of(q, part, whole)
        else:
            a, b = self._two(q, part, whole)
        if q.op == "ratio":
            res = calc.ratio(Quantity.of(a.fact), Quantity.of(b.fact))
            what = f"Ratio of {self._name(a.fact).lower()} to {self._name(b.fact).lower()} {self._for(a.fact)}"
        else:
            res = calc.ratio_pct(Quantity.of(a.fact), Quantity.of(b.fact))
            what = f"{self._name(a.fact)} as a share of {self._name(b.fact).lower()} {self._for(a.fact)}"
        return self._compose(q, res, what, [a, b])

    def _part_of(self, q: Query, part: str, whole: str) -> tuple[Pick, Pick]:
        """The whole first (it names the context), then the part in its unit, from its table if it can."""
        spec = self._specs(q, 1)[0]
        key = self.periods.resolve(spec) if spec else None
        b = self.pick(whole, q, key)
        if b is None:
            raise CalcError(f"no figure found for '{whole}'")
        cands = self.picks(part, q, key_of(b.fact.period), b.fact.unit, exclude=(b.row.key,))
        if not cands:
            return self._two(q, part, whole)
        same_table = [c for c in cands if c.fact.table_id == b.fact.table_id and c.score >= cands[0].score - 0.1]
        a = same_table[0] if same_table else cands[0]
        if not same_table and a.fact.scale != b.fact.scale:
            alt = self.pick(whole, q, key_of(b.fact.period), b.fact.unit, prefer_scale=a.fact.scale, exclude=(a.row.key,))
            b = alt or b
        return a, b

    def _sum(self, q: Query) -> Answer:
        if len(q.parts) != 2:
            return self._value(replace(q, op="value"))
        a, b = self._two(q, *q.parts)
        res = calc.add(Quantity.of(a.fact), Quantity.of(b.fact))
        what = f"{self._name(a.fact)} plus {self._name(b.fact).lower()} {self._for(a.fact)}"
        return self._compose(q, res, what, [a, b])

    def _excluding(self, q: Query) -> Answer:
        """"CAPEX excluding leases": a row that says so, else the whole minus the part left out."""
        m = EXCLUDING.search(q.metric)
        whole, part = m["a"], m["b"]
        best = self._best_row(q.metric, q)
        if best is not None and {"exclud", "excluding", "excl"} & (best.row.label | set(re.findall(r"\w+", best.row.first.metric.lower()))):
            return self._value(q)
        # The part left out is measured like the whole: "revenue excluding Consumer Optics" leaves out
        # Consumer Optics' revenue, not its EBIT.
        measure = " ".join(t for t in whole.split() if set(tokens(t)) & MEASURE_WORDS and not set(tokens(t)) & set(tokens(part)))
        try:
            a, b = self._two(q, whole, f"{part} {measure}".strip())
        except CalcError:
            return self._value(q)
        res = calc.subtract(Quantity.of(a.fact), Quantity.of(b.fact))
        what = f"{self._name(a.fact)} excluding {self._name(b.fact).lower()} {self._for(a.fact)}"
        return self._compose(q, res, what, [a, b])

    def _rank(self, q: Query) -> Answer:
        """The highest or lowest of a group: the rows under one heading ("Operating income (loss):" over
        the segments), or the rows of a table ("Revenue by Region"), in one period; or one row across
        periods when the group is a time ("which quarter")."""
        m = RANK.search(q.text)
        high = m["word"].lower() in HIGH
        growth = m["word"].lower() in ("fastest", "slowest") or bool(re.search(r"\bgr[eo]w|\bgrowth\b|\bincrease", q.text, re.I))
        group = set(tokens(m["group"])) - GENERIC_GROUP
        want = [t for t in tokens(q.metric) if t not in group and t not in tokens(m["word"]) and self.rows.known(t)]
        spec = self._specs(q, 1)[0]
        key = self.periods.resolve(spec) if spec else None
        length = {"quarter": 3, "half": 6, "year": 12}
        said = set(m["group"].lower().split())
        if said & PERIOD_WORDS:
            return self._rank_periods(q, high, want, next((length[w] for w in said if w in length), None))
        # No measure named ("which segment grew fastest?"): revenue, where a breakdown of it exists.
        groups = self._groups_for(want, group) if want else (self._groups_for(tokens("revenues"), group) or self._groups_for([], group))
        for rows in groups:
            scored = self._rank_rows(q, rows, key, growth)
            if len(scored) >= 2:
                break
        else:
            return self._not_found(q, key)
        scored.sort(key=lambda x: x[0].value, reverse=high)
        best, row, facts = scored[0]
        f = facts[-1]
        what = "grew fastest" if growth and high else "grew slowest" if growth else m["word"].lower()
        measure = "" if growth else f" {self._name(row.first).lower()}" if not want else " " + " ".join(
            w for w in re.sub(r"[^\w\s&-]", " ", q.metric).split() if set(tokens(w)) & set(want))
        head = f"{self._row_name(row)} {what}" if growth else f"{self._row_name(row)} had the {what}{measure}"
        others = "; ".join(f"{self._row_name(r)} {money(v.value, v.unit)}" for v, r, _ in scored[1:])
        summary = f"{head} {_for(self._plabel(f))}: {money(best.value, best.unit)}. The others: {others}."
        working = "; ".join(f"{self._row_name(r)}: {v.working() if growth else money(v.value, v.unit)}" for v, r, _ in scored)
        return self._finish(q, summary, best.value, best.unit, working, [x for _, _, fs in scored for x in fs])

    def _rank_rows(self, q: Query, rows: list[RowDoc], key: Optional[Key], growth: bool) -> list[tuple]:
        """(value or growth, row, facts used) for each row of a group that reports the period."""
        key = key or self._group_period(rows)
        # One measure for all: the group's amounts, not its printed % change column.
        units = Counter(f.unit for r in rows for f in r.facts if f.unit != "%")
        unit = units.most_common(1)[0][0] if units else None
        scored = []
        for r in rows:
            f = self._fact_for(r, key, q, unit)
            if f is None:
                continue
            if growth:
                f0 = self._fact_for(r, self.periods.shift(key_of(f.period), -1), q, f.unit)
                if f0 is not None and f0.value > 0:
                    scored.append((calc.pct_change(Quantity.of(f0), Quantity.of(f)), r, [f0, f]))
            else:
                scored.append((Quantity.of(f), r, [f]))
        return scored

    def _row_name(self, r: RowDoc) -> str:
        return _tidy_label(r.first.metric)

    def _siblings(self) -> dict[tuple, list[RowDoc]]:
        """Rows by (table, heading path): the members of each breakdown, without totals, reconciling
        lines or rows that head others. Built once, on the first ranking question."""
        with self._lock:
            if self._sibling_groups is None:
                heads = {(r.key[0], r.key[1][:i]) for r in self.rows.rows for i in range(1, len(r.key[1]))}
                groups: dict[tuple, list[RowDoc]] = {}
                for r in self.rows.rows:
                    name = r.first.metric.lower().strip()
                    if (r.key[0].startswith("text:") or name in GENERIC_LABELS or name.startswith(("total", "subtotal"))
                            or NOT_A_MEMBER.match(name) or (r.key[0], r.key[1]) in heads):
                        continue
                    groups.setdefault((r.key[0], r.key[1][:-1]), []).append(r)
                self._sibling_groups = groups
            return self._sibling_groups

    def _groups_for(self, want: list[str], group: set) -> list[list[RowDoc]]:
        """Groups of sibling rows whose heading or table names the measure asked for and the kind of
        group ("segment", "region"), best first."""
        ranked = []
        for (table, parent), rows in self._siblings().items():
            if len(rows) < 2:
                continue
            where = set(tokens(" ".join(parent) + " " + rows[0].first.table_title))
            named = len(group & (where | set(tokens(rows[0].first.section))))
            if (want and not set(want) <= where) or (group and not named) or not (want or named):
                continue  # the heading or table must name the measure and the kind of group asked for
            ranked.append(((named, -len(parent), len(rows)), rows))
        ranked.sort(key=lambda x: x[0], reverse=True)
        return [rows for _, rows in ranked]

    def _group_period(self, rows: list[RowDoc]) -> Optional[Key]:
        """The filing's main period when the group reports it, else the group's latest."""
        keys = {key_of(f.period) for r in rows for f in r.facts if f.period.end and not f.period.is_target}
        if self.periods.current in keys:
            return self.periods.current
        return max(keys, key=lambda k: (k[0], k[1])) if keys else None

    def _rank_periods(self, q: Query, high: bool, want: list[str], months: Optional[int]) -> Answer:
        """"Which quarter had the highest revenue": one figure across the periods of one length."""
        sides = self._period_sides(q, " ".join(want) or q.metric, months)
        if len(sides) < 2:
            return self._not_found(q, None)
        sides.sort(key=lambda x: x[0].value, reverse=high)
        best, picks, label = sides[0]
        others = "; ".join(f"{lab} {money(v.value, v.unit)}" for v, _, lab in sides[1:])
        summary = (f"{self._name(picks[0].fact)} was {'highest' if high else 'lowest'} {_for(label)}: "
                   f"{money(best.value, best.unit)}. The others: {others}.")
        working = "; ".join(f"{lab}: {v.working() if len(ps) > 1 else fmt_plain(ps[0].fact)}" for v, ps, lab in sides)
        return self._finish(q, summary, best.value, best.unit, working, [p.fact for _, ps, _ in sides for p in ps])

    def _period_sides(self, q: Query, metric: str, months: Optional[int], fy: Optional[int] = None) -> list[tuple[Quantity, list, str]]:
        """(figure, picks, period label) for the quarters (or halves) of fiscal year `fy` (default: the latest),
        printed or worked out; with no length named, or too few of them in the latest year, one row's
        figures across the periods it prints."""
        sides: list[tuple[Quantity, list, str]] = []
        cur = self.periods.current
        if months in (3, 6) and cur:
            year_start = self.periods.cal.fy_end((fy or self.periods.fy(cur)) - 1)
            for i in range(1, 12 // months + 1):
                end = add_months(year_start, i * months)
                if end.isoformat() > cur[0]:
                    break
                got = self._figure_for(metric, q, (end.isoformat(), months, False))
                if got:
                    sides.append(got)
        if len(sides) >= 2 or fy:
            return sides
        for p in self.picks(metric, q, None):
            n = months or p.fact.period.months
            fs = [f for f in p.row.facts if f.unit == p.fact.unit and not f.qualifier and f.period.end and not f.period.is_target
                  and f.period.months == n]
            if len(fs) >= 2:
                return [(Quantity.of(f), [Pick(p.row, f, p.score)], self._plabel(f)) for f in fs]
        return []

    def _average(self, q: Query) -> Answer:
        """The average of one figure over the periods named ("1H11 and 1H12"), of two figures named
        ("SI and network services revenue"), or over the quarters of the latest year ("average quarterly")."""
        metric = re.sub(r"\b(?:average|mean|quarterly|per quarter|a quarter)\b", " ", q.metric, flags=re.I)
        picks: list[Pick] = []
        if len(q.periods) >= 2:
            for spec in q.periods[:4]:
                p = self.pick(metric, q, self.periods.resolve(spec))
                if p is None:
                    return self._not_found(q, self.periods.resolve(spec))
                picks.append(p)
        elif len(q.parts) == 2:
            picks = list(self._two(q, *q.parts))
        elif re.search(r"\bquarter(?:ly)?\b", q.text, re.I):
            sides = self._period_sides(q, metric, 3, next((sp.fy for sp in q.periods if sp.fy), None))
            if len(sides) < 2:
                return self._not_found(q, None)
            res = calc.mean(*(v for v, _, _ in sides))
            what = f"Average quarterly {self._name(sides[0][1][0].fact).lower()} over {', '.join(lab for _, _, lab in sides)}"
            return self._compose(q, res, what, [p for _, ps, _ in sides for p in ps])
        if len(picks) < 2:
            return self._value(replace(q, op="value"))
        res = calc.mean(*(Quantity.of(p.fact) for p in picks))
        what = f"Average of {self._name(picks[0].fact).lower()} over {', '.join(self._plabel(p.fact) for p in picks)}" if len(q.periods) >= 2 else \
            f"Average of {' and '.join(self._name(p.fact).lower() for p in picks)} {self._for(picks[0].fact)}"
        return self._compose(q, res, what, picks)

    def _compare_growth(self, q: Query) -> Answer:
        """Which of two figures grew faster: each one's % change from the year before, side by side."""
        if len(q.parts) != 2:
            return self._change(replace(q, op="pct_change"))
        spec = self._specs(q, 1)[0]
        key = self.periods.resolve(spec) if spec else None
        sides = []
        for part in q.parts:
            p = self.pick(part, replace(q, text=part), key)  # each side searched by its own words only
            if p is None:
                return self._not_found(replace(q, metric=part), key)
            f0 = self._fact_for(p.row, self.periods.shift(key_of(p.fact.period), -1), q, p.fact.unit)
            if f0 is None or f0.value <= 0:
                return self._not_found(replace(q, metric=part), self.periods.shift(key_of(p.fact.period), -1))
            sides.append((calc.pct_change(Quantity.of(f0), Quantity.of(p.fact)), p, f0))
        faster = re.search(r"\b(?:faster|more|most|quicker)\b", q.text, re.I) is not None
        sides.sort(key=lambda x: x[0].value, reverse=True)
        (g1, p1, a1), (g2, p2, a2) = sides
        summary = (f"{self._name(p1.fact)} grew {'faster' if faster else 'more'} {_for(self._plabel(p1.fact))}: {pct_words(g1.value)} "
                   f"({money(a1.value, a1.unit)} to {money(p1.fact.value, p1.fact.unit)}), against {pct_words(g2.value)} for "
                   f"{self._name(p2.fact).lower()} ({money(a2.value, a2.unit)} to {money(p2.fact.value, p2.fact.unit)}).")
        working = f"{self._name(p1.fact)}: {g1.working()}; {self._name(p2.fact)}: {g2.working()}"
        return self._finish(q, summary, g1.value, "%", working, [a1, p1.fact, a2, p2.fact])

    def _compare(self, q: Query) -> Answer:
        specs = q.periods
        if len(q.parts) != 2 and len(specs) < 2:
            return self._value(replace(q, op="value"))
        n1, n2 = q.parts or ("", "")  # no parts: one figure in two periods ("compare SI revenue in Q1 and Q2")
        if len(specs) >= 2 and q.parts and not tokens(n1 + " " + n2):
            return self._value(q)
        if len(specs) >= 2:
            # The same figure in two periods ("first or second quarter"); an unprinted quarter is derived.
            sides = []
            for spec in specs[:2]:
                k = self.periods.resolve(spec)
                got = self._figure_for(q.metric, q, k) if k is not None else None
                if got is None:
                    return self._not_found(q, k)
                sides.append((*got, self._name(got[1][0].fact)))
        else:
            a, b = self._two(q, n1, n2)
            sides = [(Quantity.of(p.fact), [p], self._plabel(p.fact), self._name(p.fact)) for p in (a, b)]
        (qa, pa, la, na), (qb, pb, lb, nb) = sides
        res = calc.larger(qa, qb)
        win, lose = (sides[0], sides[1]) if res is qa else (sides[1], sides[0])
        summary = (
            f"{win[3]} ({win[2]}) was larger: {money(win[0].value, win[0].unit)} "
            f"against {money(lose[0].value, lose[0].unit)} for {lose[3].lower()} ({lose[2]})."
        )
        def shown(side) -> str:  # a worked-out side shows its working, a printed one its cell
            return side[0].working() if len(side[1]) > 1 else fmt_plain(side[1][0].fact)

        calc_text = f"{shown(win)} > {shown(lose)}"
        return self._finish(q, summary, win[0].value, win[0].unit, calc_text, [p.fact for p in win[1] + lose[1]])

    def _target(self, q: Query) -> Answer:
        metric = re.sub(r"\b(income|profit)\b(?! (?:before|attributable|tax))", r"\1", q.metric)
        spec = next((s for s in q.periods if s.target), PeriodSpec(12, target=True))
        tkey = self.periods.resolve(spec)
        t = self.pick(metric, q, tkey, target=True)
        if t is None:
            return self._not_found(q, tkey)
        fy = t.fact.period.fiscal_year or self.periods.fy(key_of(t.fact.period))
        asked = [s for s in q.periods if not s.target and s.months]
        akey = self.periods.resolve(replace(asked[-1], fy=asked[-1].fy or fy)) if asked else None
        if akey not in self.periods.known:
            # "needed in the second half": the actual is what the filing reports so far this year.
            akey = self.periods.resolve(PeriodSpec(fy=fy))
        a = self.pick(t.fact.metric, q, akey, t.fact.unit, target=False) or self.pick(metric, q, akey, t.fact.unit, target=False)
        if a is None:
            return self._not_found(q, akey)
        if q.op == "target_remaining":
            res = calc.subtract(Quantity.of(t.fact), Quantity.of(a.fact))
            what = f"Still needed to reach the {self._plabel(t.fact)} for {self._name(t.fact).lower()} ({money(t.fact.value, t.fact.unit)}) after {self._plabel(a.fact)} ({money(a.fact.value, a.fact.unit)})"
        else:
            res = calc.ratio_pct(Quantity.of(a.fact), Quantity.of(t.fact))
            what = f"Share of the {self._plabel(t.fact)} for {self._name(t.fact).lower()} reached in {self._plabel(a.fact)}"
        return self._compose(q, res, what, [t, a])

    # ------------------------------------------------------------ text answers

    def _narrative(self, q: Query) -> Answer:
        """Quotes the passage that explains: the sentence naming the subject, the sentence after it
        (where reports give the reason), and the best causal sentence elsewhere."""
        down = bool(re.search(r"\b(down|decrease|decreased|fall|fell|drop|dropped|decline|declined|lower|shrink|shrank)\b", q.text, re.I))
        up = bool(re.search(r"\b(up|increase|increased|rise|rose|grow|grew|growth|higher|double|doubled|jump|jumped)\b", q.text, re.I))
        # Reports say "decreased"/"increased" where people say "went down"/"went up".
        extra = (("decreased", "decrease") if down else ()) + (("increased", "increase") if up else ())
        chunks = self.passages.search(q.text, k=12, extra=extra)
        if not chunks:
            return self._decline(q.text, "The filing does not say; it has no passage about that.", [])
        qt = set(tokens(q.metric or q.text)) | set(tokens(q.text))
        subject = set(tokens(q.metric)) - set(tokens("drove caused behind pushed why growth increase decrease rise fall"))
        cands = []
        for rank, c in enumerate(chunks):
            body = c.text[len(c.section) + 2:] if c.section and c.text.startswith(c.section + ": ") else c.text
            sents = sentences(body)
            for i, sent in enumerate(sents):
                overlap = len(qt & set(tokens(sent)))
                causal = bool(CAUSAL.search(sent))
                direction = (down and bool(re.search(r"\b(down|decrease|decreased|declin\w*|lower)\b", sent))) or (
                    up and bool(re.search(r"\b(up|increase|increased|grew|grow\w*|rose|higher)\b", sent)))
                # The sentence that opens with the subject ("Outsourcing services revenues were ...") leads.
                opens = bool(subject) and subject <= set(tokens(" ".join(sent.split()[:8])))
                moved = bool(subject) and bool(re.search(r"(?:\S+\s+){0,6}?(?:increased|decreased|rose|fell|grew|declined|went (?:up|down)|up|down)\b", sent)) and any(
                    subject <= set(tokens(m.group(0))) for m in re.finditer(r"(?:\S+\s+){1,6}(?:increased|decreased|rose|fell|grew|declined|went (?:up|down)|up|down)\b", sent))
                cands.append((overlap + 0.8 * causal + 0.8 * direction + 1.0 * opens + 1.2 * moved - 0.05 * rank, i, sent, c, sents, overlap, causal))
        if not cands:
            return self._decline(q.text, "The filing does not say; it has no passage about that.", [])
        anchor = max(cands, key=lambda x: x[0])
        _, i, sent, c, sents, _, causal = anchor
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
        return self._finish(q, summary, None, None, None, [], sources=sources)

    def _definition(self, q: Query) -> Optional[Answer]:
        term = self._term(q.text)
        if term is None:
            return None
        expl = glossary()["terms"][term]
        # The term as the question writes it ("SG&A", "EBITDA"), else as the glossary does.
        said = re.search(r"&?".join(re.escape(c) for c in term.replace(" ", "")), re.sub(r"\s+", "", q.text), re.I) if " " not in term else None
        shown = said.group(0) if said else self._display(term)
        summary = f"{shown[0].upper() + shown[1:]}: {expl}"
        p = self.pick(term, q, None)
        facts = []
        if p is not None and p.fact.unit in calc.MONEY:
            summary += f" In this filing, {self._display(self._name(p.fact).lower())} {self._for(p.fact)} was {money(p.fact.value, p.fact.unit)}."
            facts = [p.fact]
        ans = self._finish(q, summary, None, None, None, facts)
        return ans

    def _term(self, text: str) -> Optional[str]:
        t = " " + " ".join(tokens(text, keep_stop=True)) + " "
        terms = glossary()["terms"]
        for term in sorted(terms, key=len, reverse=True):
            if f" {' '.join(tokens(term, keep_stop=True))} " in t:
                return term
        return None

    # ------------------------------------------------------------ composing

    def _compose(self, q: Query, res: Quantity, what: str, picks: list, term: Optional[str] = None, base: Optional[float] = None) -> Answer:
        """`base`: for a change, the earlier figure, so the sentence can also say it in percent."""
        value = res.value
        summary = f"{what}: {money(value, res.unit, signed=base is not None or 'change' in what.lower())}"
        if base and base > 0 and res.unit in calc.MONEY | {"count"}:
            summary += f" ({'up' if value >= 0 else 'down'} {abs(value) / base * 100:.1f}%)"
        summary += "."
        if res.unit == "%" and "change" in what.lower():
            summary = f"{what}: {pct_words(value)}."
        return self._finish(q, summary, value, res.unit, res.working(), [p.fact for p in picks], term=term)

    def _finish(self, q: Query, summary: str, value, unit, calculation, facts: list, alternatives=None, sources=None, term=None) -> Answer:
        facts = list(dict.fromkeys(facts))
        srcs = list(sources or []) + [
            Source("table_row", f.section or f.table_title, f.line, f.cell_text, f.table_title, " > ".join(f.row_path), f.column)
            for f in facts
        ]
        alternatives = list(alternatives or [])
        for f in facts:
            c = self.conflict_by_fact.get(f.id)
            if c:
                others = [v for v in c["values"] if abs(v["value"] - f.value) > 1e-3 * abs(f.value)]
                for v in others[:2]:
                    alternatives.append(
                        f"The filing prints this figure differently elsewhere: {v['cell_text']} in \u201c{v['table']}\u201d (line {v['line']}). The figure used here is the one most tables agree on."
                    )
        term = term or self._term(q.metric or q.text)
        plain = set(glossary().get("plain_terms", []))  # everyday words need no explanation
        explanation = glossary()["terms"].get(term, "") if term and term not in plain and q.op != "define" else ""
        value_out = None if value is None else round(float(value), 6)
        text = render(summary, explanation, calculation, srcs, alternatives)
        return Answer(q.text, text, True, value_out, unit, calculation, srcs, explanation, alternatives, summary)

    def _alternatives(self, q: Query, p: Pick) -> list[str]:
        out = []
        if not q.periods:
            others = [f for f in p.row.facts if f is not p.fact and not f.qualifier and f.unit == p.fact.unit]
            if others:
                o = max(others, key=lambda f: f.period.end)
                shown = -o.value if o.value < 0 and p.fact.value < 0 and _named_direction(o.metric) else o.value  # as the answer reads
                out.append(f"No period was named, so this is the latest one ({self._plabel(p.fact)}); {self._plabel(o)} was {money(shown, o.unit)}.")
        return out

    def _not_found(self, q: Query, key: Optional[Key]) -> Answer:
        near = self._best_row(q.metric or q.text, q)
        when = f" for {self.periods.label(key)}" if key else ""
        msg = f"The filing does not give that figure{when}."
        nearest = ""
        if near is not None and near.parts.get("coverage", 0) >= 0.3:
            f = near.row.first
            periods = sorted({x.period.label for x in near.row.facts if x.period.end})
            nearest = f"The nearest thing it does report is \u201c{' > '.join(f.row_path)}\u201d in \u201c{f.table_title}\u201d (line {f.line}) for {', '.join(periods)}."
        return self._decline(q.text, msg, [], nearest, near.row.facts[:1] if near is not None and nearest else [])

    def _decline(self, question: str, msg: str, notes: list, nearest: str = "", facts: Optional[list] = None) -> Answer:
        if not nearest:
            nearest = self.coverage()
        summary = msg
        srcs = [Source("table_row", f.section or f.table_title, f.line, f.cell_text, f.table_title, " > ".join(f.row_path), f.column) for f in (facts or [])]
        text = "\n\n".join(notes + [f"**{_md_escape(msg)}**", _md_escape(nearest)])
        if srcs:
            text += "\n\n" + _sources_md(srcs)
        return Answer(question, text, False, None, None, None, srcs, "", [], summary)

    def _name(self, f: Fact) -> str:
        name = f.metric
        if name.lower() in ("total", "others", "other", "customers", "intersegment", "elimination") and len(f.row_path) > 1:
            name = f"{f.row_path[-2]} ({name.lower()})"
        elif name.lower() in ("total", "subtotal") and f.table_title:
            name = f"{f.table_title} ({name.lower()})"
        if len(f.row_path) > 1 and f.row_path[-2].lower().startswith("total") and f.row_path[-2].lower() not in name.lower():
            name = f"{name} ({f.row_path[-2].lower().replace('total ', '')})"
        if f.qualifier and "%" not in f.qualifier and f.qualifier.lower() not in name.lower():
            name = f"{name} ({f.qualifier})"
        return _tidy_label(name)

    def _plabel(self, f: Fact) -> str:
        return f.period.label

    def _for(self, f: Fact) -> str:
        return _for(self._plabel(f))


# ---------------------------------------------------------------- helpers

def _for(when: str) -> str:
    """ "for 1H FY2012", but "as of September 30, 2012" as it stands."""
    return when if when.startswith("as of") else f"for {when}"


@lru_cache(maxsize=1)
def _measure_terms() -> tuple[tuple[str, list[set]], ...]:
    """The glossary's multi-word measures, tokenized once: (" operat income ", [the word sets of its names])."""
    g = glossary()
    skip = set(g.get("not_measures", []))
    return tuple((f" {' '.join(tokens(term))} ", [set(tokens(n)) for n in [term] + g.get("measure_names", {}).get(term, [])])
                 for term in g["terms"] if " " in term and term not in skip)


def _named_direction(label: str) -> str:
    """What a row label says its bracketed figure is, when the label names one direction only."""
    if OUTFLOW.search(label):
        return "money going out"
    if BOTH_WAYS.search(label):
        return ""
    return "a cost" if COST.search(label) else "a decrease" if DECREASE.search(label) else ""


def _bare(when: str) -> str:
    """ "September 30, 2012" after "from" or "to"."""
    return when[len("as of "):] if when.startswith("as of ") else when


_COMMON = {"what", "how", "why", "which", "when", "who", "the", "and", "did", "was", "were", "is", "in", "of", "for", "by",
           "give", "tell", "show", "ignore", "my", "please", "also", "so", "then", "and", "work", "convert", "according",
           "roughly", "compare", "was", "april", "june", "july", "january", "february", "october", "november", "december",
           "august", "may", "march", "september", "us", "usd", "yen", "jpy", "dollars", "dollar", "ceo", "cfo", "q1", "q2", "q3", "q4",
           "fy", "h1", "h2", "i", "ok", "okay", "thanks", "hi", "hello", "it", "its", "say", "just", "repeat", "reply",
           "answer", "pretend", "disregard", "forget", "system",
           "operating", "net", "total", "gross", "fiscal", "first", "second", "third", "fourth", "year", "quarter", "half"}


def _is_stock(f: Fact) -> bool:
    return f.unit in ("count", "Gbps") or f.period.months == 0


def _start_of(end_iso: str, months: int) -> str:
    from ingest.cells import add_months

    end = date.fromisoformat(end_iso)
    return add_months(date(end.year, end.month, 1), -months).isoformat()


MEASURE_WORDS = set(tokens("revenues sales cost expenses income profit loss margin assets liabilities cash equity ebitda ebit"))
PERIOD_WORDS = {"quarter", "half", "year", "month", "period"}
EXCLUDING = re.compile(r"(?P<a>\w.*?)\s+(?:excluding|without|not counting|leaving out)\s+(?P<b>\w.*)", re.I)
GENERIC_GROUP = {"one", "item", "line", "business", "part", "category", "type", "kind", "area", "unit"}
# Lines of a breakdown that reconcile it rather than belong to it.
NOT_A_MEMBER = re.compile(r"(?:corporate|elimination|intersegment|adjustment|reconcil|consolidation|central functions|unallocated|group\b)", re.I)


def _unit_ok(have: str, want: str) -> bool:
    return have == want or have.split("/")[0] == want


def _tidy_label(s: str) -> str:
    s = re.sub(r"\s*\((?:JPY|USD)\s*/[^)]*\)", "", s)
    s = re.sub(r",\s*net of allowance.*$|—\s*\d[\d,]* shares.*$|—authorized.*$", "", s, flags=re.I)
    if s.isupper() and " " in s:  # a shouted heading ("NET INCOME"), not an acronym ("EBIT")
        s = s.capitalize()
    return s.strip()


def clean_question(q, limit: int) -> tuple[str, str]:
    """Strips control characters; returns (question, problem) where problem is a reply for bad input."""
    if q is None or not isinstance(q, str):
        return "", "Please type a question about the filing, for example: " + EXAMPLES
    q = "".join(ch if ch in "\t\n" or unicodedata.category(ch)[0] != "C" else " " for ch in q)
    q = re.sub(r"<[^<>]{0,200}>", " ", q)  # markup around a question is not part of it
    q = " ".join(q.split())
    if not q:
        return "", "Please type a question about the filing, for example: " + EXAMPLES
    if len(q) > limit:
        return "", f"That question is {len(q):,} characters long; please keep it under {limit:,} characters and ask about one figure at a time."
    if not re.search(r"[A-Za-z]", q):
        return "", "I can only read questions written in English words, for example: " + EXAMPLES
    return q, ""


def money(value: float, unit: str, signed: bool = False) -> str:
    sign = ""
    if signed:
        sign = "+" if value > 0 else ("-" if value < 0 else "")
    elif value < 0:
        sign = "-"
    v = abs(value)
    if unit in calc.MONEY:
        if v >= 1e9:
            return f"{sign}{unit} {v / 1e9:,.2f} billion"
        if v >= 1e6:
            return f"{sign}{unit} {v / 1e6:,.1f} million"
        return f"{sign}{unit} {v:,.0f}"
    if unit == "%":
        return f"{sign}{v:.2f}%".replace(".00%", ".0%") if v != round(v, 1) else f"{sign}{v:.1f}%"
    if unit == "pp":
        return f"{sign}{v:.2f} percentage points"
    if unit == "count":
        return f"{sign}{v:,.0f}"
    if unit == "x":
        return f"{sign}{v:,.2f} times"
    if unit.endswith("/share"):
        return f"{sign}{unit.split('/')[0]} {v:,.2f} per share"
    if unit == "JPY/USD":
        return f"JPY {v:,.2f} per US dollar"
    if unit in ("Gbps", "Mbps", "Tbps"):
        return f"{sign}{v:,.1f} {unit}"
    if unit in ("", "unknown"):
        return f"{sign}{v:,.{0 if v == round(v) else 2}f} (the table states no unit)"
    return f"{sign}{v:,.2f} ({unit})"


def pct_words(v: float) -> str:
    return f"{'up' if v >= 0 else 'down'} {abs(v):.2f}%"


def fmt_plain(f: Fact) -> str:
    return f"{f.cell_text} ({f.scale_label})"


def _md_escape(s: str) -> str:
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return re.sub(r"([\\`*_\[\]|])", r"\\\1", s)


def _sources_md(srcs: list[Source]) -> str:
    lines = []
    for s in srcs:
        if s.kind == "text":
            lines.append(f"- line {s.line} ({_md_escape(s.section or 'text')}): \u201c{_md_escape(s.text)}\u201d")
        else:
            lines.append(
                f"- {_md_escape(s.table)} \u00b7 row \u201c{_md_escape(s.row)}\u201d \u00b7 column {_md_escape(s.column)} \u00b7 line {s.line} \u00b7 cell `{s.text}`"
            )
    return "**Sources**\n" + "\n".join(lines)


def render(summary: str, explanation: str, calculation: Optional[str], srcs: list[Source], alternatives: list[str]) -> str:
    parts = [f"**{_md_escape(summary)}**"]
    if explanation:
        parts.append(f"*{_md_escape(explanation)}*")
    if alternatives:
        parts.append("\n".join(f"- {_md_escape(a)}" for a in alternatives))
    if calculation:
        parts.append(f"**How this was worked out**\n`{calculation}`")
    if srcs:
        parts.append(_sources_md(srcs))
    return "\n\n".join(parts)
