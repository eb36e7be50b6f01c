"""Optional: a LangChain chat model rewrites the one-sentence answer in friendlier words.

The model only phrases. Its text is read for meaning (retrieval/figures.py): every figure in it, with
its currency, scale, unit and direction, must be a figure of the deterministic sentence, every
period it names must be named there, every direction it states must be stated there, and the
answer's own figure must be in it. Otherwise its text is dropped and the deterministic sentence is
kept. Off by default (FQA_ANSWER_BACKEND=deterministic).
"""
from __future__ import annotations

import logging
from dataclasses import replace

from schema import Answer

from .figures import differences

log = logging.getLogger(__name__)

PROMPT = (
    "Rewrite the answer below as one or two short, plain sentences for a colleague who is not a finance "
    "specialist. Keep every number exactly as written (same digits, same units); do not add any number, "
    "estimate, opinion or advice. Answer:\n{summary}"
)


class PhrasingError(Exception):
    """The configured chat model cannot be built; the message names the setting to fix."""


def build_chat_model(settings):
    """The chat model for FQA_ANSWER_BACKEND=openai|ollama, or None for the deterministic default."""
    backend = settings.answer_backend
    if backend == "deterministic":
        return None
    try:
        if backend == "openai":
            from langchain_openai import ChatOpenAI  # optional extra

            return ChatOpenAI(model=settings.llm_model or "gpt-4o-mini", base_url=settings.llm_base_url or None, temperature=0)
        if backend == "ollama":
            from langchain_ollama import ChatOllama  # optional extra

            return ChatOllama(model=settings.llm_model or "llama3.1", base_url=settings.llm_base_url or None, temperature=0)
    except ImportError as e:
        raise PhrasingError(
            f"FQA_ANSWER_BACKEND={backend} needs the optional package ({e.name}); "
            f"install it with `.venv/bin/pip install {e.name.replace('_', '-')}` or set FQA_ANSWER_BACKEND=deterministic."
        ) from e
    raise PhrasingError(f"FQA_ANSWER_BACKEND={backend!r}: use deterministic, openai or ollama.")


def phrase(answer: Answer, model) -> Answer:
    """The answer with the model's wording when it says what the answer says, else unchanged."""
    if model is None or not answer.answerable or not answer.summary:
        return answer
    try:
        reply = model.invoke(PROMPT.format(summary=answer.summary))
        text = str(getattr(reply, "content", reply)).strip()
    except Exception as e:  # any model failure falls back to the deterministic sentence
        log.warning("chat model failed, keeping the deterministic answer: %s", e)
        return answer
    problems = differences(text, answer.summary, answer.value, answer.unit) if text else ["it is empty"]
    if problems:
        log.warning("chat model text dropped: %s", "; ".join(problems))
        return answer
    from .render import message

    phrased = replace(answer, summary=text)
    return replace(phrased, text=message(phrased))
