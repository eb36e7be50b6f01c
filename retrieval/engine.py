"""The engine behind the chat, the eval and the API: answer(question, history) -> Answer.

A thin pipeline: guard the input, understand it into a typed plan, merge the plan with the
conversation, run the plan's operation (which resolves figures and calls the calculator; a figure
asked for by group or over periods gets its breakdown or series, picture.py), phrase the result,
and attach its chart where a picture helps (chart.py). Numbers come only from the fact table or the
calculator.
"""
from __future__ import annotations

import threading
from dataclasses import replace
from typing import Optional

from schema import Answer
from settings import Settings

from . import picture
from .calculator import CalcError
from .chart import chart_for
from .context import Context
from .followup import Conversation
from .guard import check
from .ops import run
from .ops.rank import siblings
from .phrasing import build_chat_model, phrase
from .render import Composer, esc_html, message
from .resolve import Resolver
from .sentences import evidence
from .text import glossary
from .understand import understand


class Engine:
    def __init__(self, settings: Settings, info=None, embedder=None, chat_model=None):
        self.settings = settings
        self.info = info
        self._embedder = embedder
        self._chat_model = chat_model
        self._lock = threading.Lock()
        self._ctx: Optional[Context] = None

    def _load(self) -> Context:
        if self._ctx is None:
            with self._lock:
                if self._ctx is None:
                    ctx = Context(self.settings, self.info, self._embedder)
                    ctx.res, ctx.out = Resolver(ctx), Composer(ctx)
                    self.conversation = Conversation(ctx.res)
                    if self._chat_model is None:
                        self._chat_model = build_chat_model(self.settings)
                    self.info = ctx.info
                    self._ctx = ctx
        return self._ctx

    def warm(self) -> None:
        """Loads the index, and the model where questions are embedded (not for an index without vectors:
        a first start answering while its vectors are built leaves the model's threads to the build)."""
        ctx = self._load()
        if ctx.dense is not None:
            if hasattr(ctx.embedder, "for_queries"):
                ctx.embedder.for_queries()
            ctx.embedder.warm()
            ctx.dense.warm()
        # Built once per index on first use: here, not in the first narrative or ranking question.
        evidence(ctx)
        siblings(ctx)
        self.answer("What were total revenues?")

    # ------------------------------------------------------------ what the app shows of the filing

    def example(self) -> str:
        return self._load().example()

    def coverage(self) -> str:
        return self._load().coverage()

    def filing_lines(self) -> list[str]:
        return self._load().lines

    def glossary(self) -> list[tuple[str, str]]:
        return sorted(glossary()["terms"].items())

    @property
    def facts(self):
        return self._load().facts

    @property
    def lines(self) -> list[str]:
        return self._load().lines

    @property
    def embedder(self):
        return self._load().embedder

    @property
    def rows(self):
        return self._load().rows

    @property
    def passages(self):
        return self._load().passages

    # ------------------------------------------------------------ answering

    def answer(self, question: str, history: Optional[list] = None) -> Answer:
        ctx = self._load()
        if ctx.dense is not None:
            ctx.dense.begin()
        ctx.res.begin()
        try:
            return self._answer(ctx, question, history or [])
        finally:
            ctx.res.end()
            if ctx.dense is not None:
                ctx.dense.end()

    def _answer(self, ctx: Context, question: str, history: list) -> Answer:
        checked = check(question, ctx)
        if checked.reply and not checked.answered:
            return Answer(question or "", esc_html(checked.reply), False, summary=checked.reply)
        if checked.reply:
            return ctx.out.decline(checked.text, checked.reply, checked.notes)
        plan = self.conversation.merge(understand(checked.text), history)
        try:
            ans = picture.answer(plan, ctx) or run(plan, ctx)
        except CalcError as e:
            ans = ctx.out.decline(checked.text, f"That calculation is not possible with these figures ({e}).", [], plan=plan)
        ans = phrase(replace(ans, question=question, notes=checked.notes or ans.notes), self._chat_model)
        return replace(ans, text=message(ans), chart=chart_for(ans))
