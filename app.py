"""filing-qa web app: a chat about one company filing, for people who are not accountants.

Run with `python app.py`; every setting comes from FQA_* environment variables (see settings.py).
"""
from __future__ import annotations

import ipaddress
import os
import logging
import sys
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Optional

# settings must be imported before gradio: it sets HF_HUB_OFFLINE / GRADIO_ANALYTICS_ENABLED,
# which huggingface_hub and gradio read at import time. Gradio itself is imported where it is used,
# so that a start that cannot succeed (bad filing, bad setting, port taken) fails in a moment.
from settings import Settings

from about import FALLBACK_COMPANY, About, about as about_filing
from retrieval.render import esc_html, esc_md, message
from schema import Answer, ChartSpec, content_id
from views import FIGURE_COLUMNS, FilingView, chart_table_md, figure_rows, figures_csv, sources_html

if TYPE_CHECKING:
    import gradio as gr

log = logging.getLogger("filing-qa")

# The page's words about the filing come from the loaded filing itself (about.py), never from another one.
EMPTY_REPLY = "Please type a question about the filing first"
EMPTY_REPLY_EXAMPLE = ", for example: *{example}*"
ERROR_REPLY = (
    "Sorry, something went wrong while answering that. "
    "Please try rephrasing the question; if it keeps happening, tell the filing-qa team."
)
HELP_INTRO = "**Ask in plain words about {whose}.** For example:"
HELP_KINDS = [  # (kind of question, the About field with this filing's example, what to say without one)
    ("How things stand", "overview", ""),
    ("A figure", "figure", ""),
    ("A balance at a date", "balance", ""),
    ("A change or comparison", "change", "ask how a figure changed, or whether it went up"),
    ("A share, sum or margin", "", "ask what share of a total came from one line, for two figures added, or for a margin"),
    ("The highest or lowest", "", "ask which line of a breakdown had the highest or lowest figure, or grew fastest"),
    ("A term", "term", "ask what a word means (see also the Glossary tab)"),
]
HELP_CASUAL = ("**Typed as you would ask a colleague:** {forms}. Short forms and small typos are read too "
               "(you are told how they were read), and a follow-up keeps the last question's figure.")
HELP_PICTURES = ("**A picture:** ask to *show* or *chart* a figure, by segment or over the quarters (*show me revenue by "
                 "segment*, *how did revenue move over the quarters?*); the chart's figures are the answer's own.")
HELP_COVERS = "**This filing covers:** {tables}. **Periods:** {periods}."
HELP_HOW = """
Every answer starts with a one-sentence summary. Open **How this was worked out** to see the arithmetic
and **Sources** to see the exact table cells or sentences used, with their line numbers. The
**Sources** tab beside the chat shows each cited table as a table with the cited cells marked, and
the answer's figures to copy or download; the **Filing** tab shows the filing's own lines.

The assistant only knows what is in the filing. It says so when the filing does not contain the
answer (share prices, news after the filing date, advice on whether to buy or sell).
Numbers are as reported: check the cited lines before reusing a figure.
"""
# A first start answers from the filing's tables and words while its passages are embedded for search by meaning.
LEXICAL_NOTE = ("*Answered while the filing's passages are still being indexed for search by meaning: "
                "answers to \"why\" questions will be better in a moment.*")
LEXICAL_STATUS = ("**Answering from the filing's tables** while its passages are indexed for search by meaning "
                  "({status}); answers to \"why\" questions will be better in a moment.")

def empty_reply(about: About) -> str:
    return EMPTY_REPLY + (EMPTY_REPLY_EXAMPLE.format(example=esc_md(about.figure)) if about.figure else ".")


def _whose(about: About) -> str:
    return f"{esc_md(about.company)}'s filing" if about.company != FALLBACK_COMPANY else "this filing"


def heading_md(about: About, filing_name: str) -> str:
    return (f"## Ask about {_whose(about)}\nAnswers come only from **{esc_md(filing_name)}**. "
            "Each answer shows how it was worked out and which lines of the filing it used.")


def help_md(about: About) -> str:
    """'What can I ask?': each kind of question with this filing's own example where there is one."""
    items = []
    for kind, field, words in HELP_KINDS:
        example = getattr(about, field) if field else ""
        if example or words:
            items.append(f"- **{kind}:** " + (f"*{esc_md(example)}*" if example else words))
    parts = [HELP_INTRO.format(whose=_whose(about)), "\n".join(items)]
    if about.casual:
        parts.append(HELP_CASUAL.format(forms=" · ".join(f"*{esc_md(q)}*" for q in about.casual)))
    parts.append(HELP_PICTURES)
    if about.tables:
        shown = "; ".join(esc_md(t) for t in about.tables[:8]) + ("; and more" if len(about.tables) > 8 else "")
        parts.append(HELP_COVERS.format(tables=shown, periods=", ".join(esc_md(p) for p in about.periods[:6]) or "as printed"))
    return "\n\n".join(parts) + "\n" + HELP_HOW


def filing_html(lines: list[str], cited: set[int]) -> str:
    """The filing with line numbers; cited lines wrapped in <mark>. All filing text is escaped."""
    rows = []
    for n, line in enumerate(lines, 1):
        body = esc_html(line) or " "
        if n in cited:
            rows.append(f'<div class="fl hit" id="fqa-L{n}"><span class="ln">{n}</span><mark>{body}</mark></div>')
        else:
            rows.append(f'<div class="fl"><span class="ln">{n}</span>{body}</div>')
    note = (
        f"<p class='note'>Highlighted: line{'s' if len(cited) > 1 else ''} {', '.join(map(str, sorted(cited)))}</p>"
        if cited
        else "<p class='note'>Lines cited by the last answer are highlighted here.</p>"
    )
    return note + '<div class="fqa-filing">' + "".join(rows) + "</div>"


FILING_CSS = """
.note { margin: 0 0 .4em; font-size: .9em; opacity: .8; }
.fqa-filing { max-height: 640px; overflow: auto; font-family: ui-monospace, monospace; font-size: 12px;
  white-space: pre-wrap; tab-size: 6; border: 1px solid var(--border-color-primary); padding: 4px; }
.fl { display: flex; gap: .8em; }
.ln { min-width: 3.2em; text-align: right; opacity: .5; user-select: none; flex: none; }
mark { background: #ffe58a; color: #000; }
"""
# Scroll the source panels (not the page) to the first cited line, and a wide table to its first cited cell.
SCROLL_JS = """() => {
  for (const box of document.querySelectorAll('.fqa-filing, .fqa-sources .tbl')) {
    const hit = box.querySelector('.hit');
    if (!hit || !box.offsetParent) continue;
    const at = hit.getBoundingClientRect(), from = box.getBoundingClientRect();
    box.scrollTop += at.top - from.top - box.clientHeight / 2;
    box.scrollLeft += at.left - from.left - box.clientWidth / 2;
  }
}"""
SOURCES_CSS = """
.note { margin: 0 0 .4em; font-size: .9em; opacity: .8; }
.fqa-sources h4 { margin: .8em 0 .2em; }
.fqa-sources .tbl { max-height: 360px; overflow: auto; border: 1px solid var(--border-color-primary); }
.fqa-sources table { border-collapse: separate; border-spacing: 0; font-size: 12px; width: 100%; }
.fqa-sources th, .fqa-sources td { padding: 2px .5em; border-bottom: 1px solid var(--border-color-primary); white-space: nowrap; }
.fqa-sources td { text-align: right; font-variant-numeric: tabular-nums; }
.fqa-sources thead { position: sticky; top: 0; z-index: 1; }
.fqa-sources thead th { background: var(--background-fill-secondary); text-align: right; font-weight: 600;
  white-space: normal; min-width: 7em; }
.fqa-sources tbody th { position: sticky; left: 0; background: var(--background-fill-primary); text-align: left;
  font-weight: normal; white-space: normal; min-width: 9em; }
.fqa-sources tr.hit-row th { font-weight: 600; }
.fqa-sources .fqa-quote p { line-height: 1.5; }
mark { background: #ffe58a; color: #000; outline: 2px solid #b8860b; }
"""
# A chat message that carries a chart takes the chat's full width (a bubble is as wide as its text).
APP_CSS = """
.message-row:has(.js-plotly-plot) { align-self: stretch; width: auto; max-width: none; }
.message-row:has(.js-plotly-plot) .role, .message-row:has(.js-plotly-plot) .message { width: 100%; max-width: 100%; box-sizing: border-box; }
"""
# Okabe-Ito colours: told apart by colour-blind readers; the second of a pair is also hatched, for grey print.
CHART_COLOURS = ("#0072B2", "#E69F00")
REST_COLOUR = "#BBBBBB"
LABEL_WRAP = 22  # characters of a bar's label per line: long row names still fit at 400 px
TITLE_WRAP = 36


class Backend:
    """The engine once the index is ready. The page serves at once; the index is built or checked
    in the background and the status line says how far it got. On a first start, questions are
    answered from the index's records (facts, rows, passages searched by their words) as soon as
    they are written, while the vectors are built behind; the finished index then takes over."""

    def __init__(self, settings: Settings, lines: list[str], about: Optional[About] = None, view: Optional[FilingView] = None,
                 embedder: Any = None) -> None:
        self.settings = settings
        self.lines = lines
        self.about = about or about_filing(lines)
        self.view = view or FilingView.of(lines)
        self.embedder = embedder  # None: the model of the settings (tests hand in a fake one)
        self.engine: Any = None
        self.lexical = False  # the engine answers from the records of a build that is still embedding
        self.status = "Preparing the filing index…"
        self.failed = ""
        self.serving = threading.Event()  # an engine answers (perhaps lexically), or preparing failed
        self.ready = threading.Event()  # the finished index answers, or preparing failed

    def prepare(self, say: Callable[[str], None]) -> None:
        from ingest.pipeline import ensure_index
        from retrieval.engine import Engine

        def progress(msg: str) -> None:
            self.status = msg
            say(msg)

        def records_ready(staged) -> None:
            engine = Engine(self.settings, staged)
            engine.warm()
            self.lexical, self.engine = True, engine
            self.serving.set()
            say("answering from the filing's tables while its passages are embedded")

        try:
            info = ensure_index(self.settings, progress=progress, embedder=self.embedder, records_ready=records_ready)
            say(f"index ready ({'reused' if info.reused else 'built'}): version {info.version}, {info.n_facts} facts, "
                f"{info.n_chunks} chunks at {info.path}")
            self.status = "Loading the embedding model…"
            engine = Engine(self.settings, info, embedder=self.embedder)
            engine.warm()
            dense_error = getattr(engine, "dense_error", "")
            if dense_error:
                say(f"warning: vector search is unavailable ({dense_error}); answering with lexical search only")
            self.engine, self.lexical = engine, False
            self.status = ""
            say("ready to answer")
        except Exception as e:  # shown in the page's status line and the log, never as a traceback to users
            log.exception("preparing the index failed")
            self.engine = None  # not the records of the failed build either: the page says what went wrong
            self.failed = f"The filing index could not be prepared: {e}"
            self.status = self.failed
            print(f"[filing-qa] error: {self.failed}", file=sys.stderr, flush=True)
        finally:
            self.serving.set()
            self.ready.set()

    def status_line(self) -> str:
        if self.failed:
            return f"**Not ready:** {esc_md(self.failed)}"
        if self.engine is None:
            return f"**Getting ready:** {esc_md(self.status)} (first start: about a minute)"
        return LEXICAL_STATUS.format(status=esc_md(self.status)) if self.lexical else ""


class Asker:
    """Wraps the engine: input checks, friendly errors, and rendering."""

    def __init__(self, settings: Settings, backend: Backend) -> None:
        self.settings = settings
        self.backend = backend

    def __call__(self, question: str, history: list[dict], wait: float = 0) -> tuple[str, set[int], Optional[Answer]]:
        q = question.strip() if isinstance(question, str) else ""  # the API may send any JSON value
        if not q:
            return empty_reply(self.backend.about), set(), None
        limit = self.settings.max_question_chars
        if len(q) > limit:
            return f"That question is {len(q):,} characters long; please keep it under {limit:,}.", set(), None
        self.backend.serving.wait(wait)
        engine, lexical = self.backend.engine, self.backend.lexical
        if engine is None:
            return (self.backend.status_line() or "Still preparing the filing index.") + " Please ask again in a moment.", set(), None
        try:
            a = engine.answer(q, history)
        except Exception:  # the user gets a calm reply; the log gets the traceback
            log.exception("engine.answer failed for %r", q[:200])
            return ERROR_REPLY, set(), None
        return message(a) + (f"\n\n{LEXICAL_NOTE}" if lexical else ""), {s.line for s in a.sources if s.line}, a


API_WAIT_S = 600  # an API call made during the first start waits for an engine instead of failing
HISTORY_TURNS = 20  # messages kept for follow-ups (10 questions and their answers)


def clean_history(history: Any, max_chars: int) -> list[dict]:
    """A conversation sent by an API client, reduced to what the engine may use: the last
    HISTORY_TURNS {"role": "user"|"assistant", "content": str} messages; anything else is dropped."""
    if not isinstance(history, list):
        return []
    out = []
    for m in history[-HISTORY_TURNS:]:
        if not isinstance(m, dict) or m.get("role") not in ("user", "assistant"):
            continue
        content = m.get("content")
        if not isinstance(content, str) or (m["role"] == "user" and len(content) > max_chars):
            continue
        out.append({"role": m["role"], "content": content})
    return out


def draw(spec: ChartSpec) -> Any:
    """The chart as a plotly figure: one horizontal bar a point (a label and its value still fit at
    400 px), each labelled with the value as the answer writes it; pairs one above the other, a share
    as one stacked bar. Filing words are escaped (plotly reads a few HTML tags in labels)."""
    import plotly.graph_objects as go

    groups = list(dict.fromkeys(p.group for p in spec.series))
    fig = go.Figure()
    for i, group in enumerate(groups):
        points = [p for p in spec.series if p.group == group]
        colour = REST_COLOUR if spec.kind == "share" and i else CHART_COLOURS[i % 2]
        fig.add_trace(go.Bar(x=[p.value / spec.scale for p in points], y=[_wrap(_bar_name(spec, p)) for p in points],
                             orientation="h", name=_legend(spec, group, points), text=[esc_html(p.text) for p in points],
                             textposition="auto", textangle=0, hovertemplate="%{text}<extra></extra>",
                             marker={"color": colour, "pattern": {"shape": "/" if i else ""}}))
    bars = len(dict.fromkeys(_bar_name(spec, p) for p in spec.series)) * (len(groups) if spec.kind == "comparison" else 1)
    fig.update_layout(title={"text": _wrap(spec.title, TITLE_WRAP), "font": {"size": 14}}, template="plotly_white",
                      barmode="stack" if spec.kind == "share" else "group", showlegend=len(groups) > 1,
                      legend={"orientation": "h", "y": -0.3, "traceorder": "normal"},
                      font={"family": "system-ui, sans-serif", "size": 12},
                      uniformtext={"minsize": 10, "mode": "hide"},  # a value too long for its bar is in the legend or the table
                      height=max(240, 150 + 40 * bars), margin={"l": 8, "r": 8, "t": 72, "b": 8})
    fig.update_xaxes(title={"text": esc_html(spec.axis)}, rangemode="tozero", automargin=True)
    fig.update_yaxes(autorange="reversed", automargin=True)  # the first point on top, as the answer lists them
    return fig


def _bar_name(spec: ChartSpec, p: Any) -> str:
    return p.period if spec.kind == "share" else p.label


def _legend(spec: ChartSpec, group: str, points: list) -> Optional[str]:
    """A pair's period, or a part of a total with its value (a thin slice has no room for it)."""
    if not group:
        return None
    return esc_html(f"{group}: {points[0].text}" if spec.kind == "share" else group)


def _wrap(text: str, width: int = LABEL_WRAP) -> str:
    import textwrap

    return "<br>".join(esc_html(line) for line in textwrap.wrap(text, width)) or esc_html(text)


def chat_reply(text: str, a: Optional[Answer]) -> Any:
    """An answer's chat message: its Markdown, then, where it has a chart, the chart, its caption
    and its figures as a table, in the same bubble."""
    if a is None or a.chart is None:
        return text
    import gradio as gr

    return [text, gr.Plot(draw(a.chart), show_label=False, container=False), chart_table_md(a.chart)]


class Evidence:
    """The Sources panel for an answer: the cited tables and quotes, the figures, and their CSV file."""

    def __init__(self, view: FilingView) -> None:
        self.view = view
        self.folder = Path(tempfile.mkdtemp(prefix="filing-qa-figures-"))

    def __call__(self, a: Optional[Answer]) -> tuple[str, dict, Any]:
        """The panel's three parts, for an answer's event (None: as before any answer)."""
        import gradio as gr

        figures = a.figures if a is not None else []
        download = gr.DownloadButton(value=self.csv(figures), visible=True) if figures else gr.DownloadButton(visible=False)
        return self.sources(a), self.table(figures), download

    def sources(self, a: Optional[Answer]) -> str:
        return sources_html(self.view, a.sources if a is not None else [])

    @staticmethod
    def table(figures: list) -> dict:
        return {"data": figure_rows(figures) or [[""] * len(FIGURE_COLUMNS)], "headers": FIGURE_COLUMNS}

    def csv(self, figures: list) -> str:
        body = figures_csv(figures)
        path = self.folder / f"figures-{content_id(body)[:12]}.csv"  # one file per set of figures, shared by sessions
        path.write_text(body, encoding="utf-8")
        return str(path)


def build_app(settings: Settings, backend: Backend) -> gr.Blocks:
    import gradio as gr

    from retrieval.text import glossary as load_glossary

    ask = Asker(settings, backend)
    evidence = Evidence(backend.view)
    lines: list[str] = backend.lines
    glossary = sorted(load_glossary()["terms"].items(), key=lambda t: t[0].lower())
    glossary_md = "\n".join(f"- **{esc_md(term)}**: {esc_md(expl)}" for term, expl in glossary) or "No glossary."

    def add_question(message: str, chat: list[dict]) -> tuple[str, list[dict], str]:
        # Shown immediately, escaped so typed HTML/Markdown appears exactly as typed.
        if (message or "").strip():
            chat = chat + [{"role": "user", "content": esc_md(message.strip())}]
        return "", chat, message

    def answer_turn(question: str, chat: list[dict], history: list[dict]) -> tuple:
        text, cited, a = ask(question, history)
        reply = {"role": "assistant", "content": chat_reply(text, a)}
        if a is not None and a.choices:  # the readings it can answer, as buttons under the reply
            reply["options"] = [{"value": c} for c in a.choices]
        chat = chat + [reply]
        if a is not None:  # the engine sees raw text, never our escaped rendering
            history = (history + [{"role": "user", "content": question.strip()},
                                  {"role": "assistant", "content": a.text}])[-HISTORY_TURNS:]
        return chat, history, filing_html(lines, cited), *evidence(a)

    def answer_data(message: str) -> dict:
        """Answer one question; returns the answer as data: "answer" (its Markdown), "value", "unit",
        "sources", "figures" (label, period, value, unit, table, row, lines) and "chart" (kind,
        title, unit, axis, scale, series of {label, period, value, text, lines, group}, caption),
        null where a picture would not help."""
        text, _cited, a = ask(message, [], wait=API_WAIT_S)
        return {**a.to_json(), "answer": text} if a is not None else {"answer": text, "answerable": False, "figures": [], "chart": None}

    def chat(message: str) -> str:
        """Answer one question about the filing; returns the answer as Markdown (summary, calculation, sources)."""
        return ask(message, [], wait=API_WAIT_S)[0]

    def chat_with_history(message: str, history: list[dict]) -> tuple[str, list[dict]]:
        """Answer a question within a conversation, so follow-ups like "and the year before?" work.
        Send [] as history to start; send back the history this returned with the next question.
        Returns the answer as Markdown and the updated history (a list of {"role", "content"} messages)."""
        turns = clean_history(history, settings.max_question_chars)
        text, _cited, a = ask(message, turns, wait=API_WAIT_S)
        if a is not None:
            turns = (turns + [{"role": "user", "content": message.strip()},
                              {"role": "assistant", "content": a.text}])[-HISTORY_TURNS:]
        return text, turns

    about = backend.about
    with gr.Blocks(title=about.title) as demo:
        gr.Markdown(heading_md(about, settings.filing.name))
        status = gr.Markdown(backend.status_line())
        timer = gr.Timer(1.0, active=not backend.ready.is_set())

        def poll():
            done = backend.ready.is_set()
            return backend.status_line(), gr.Timer(active=not done)

        timer.tick(poll, None, [status, timer], queue=False, api_visibility="private")
        demo.load(poll, None, [status, timer], queue=False, api_visibility="private")  # a page opened later is current
        history_state = gr.State([])  # raw turns for the engine
        pending = gr.State("")
        with gr.Row():
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(
                    label="Answers",
                    height=560,
                    sanitize_html=True,
                    allow_tags=False,
                    latex_delimiters=[],  # "$" in amounts is money, not maths
                    buttons=["copy"],
                    feedback_options=None,
                    placeholder="Ask a question below, or pick an example.",
                )
                with gr.Row():
                    box = gr.Textbox(
                        placeholder="Type a question about the filing…",
                        show_label=False,
                        lines=1,
                        max_lines=4,
                        scale=5,
                        autofocus=True,
                    )
                    send = gr.Button("Ask", variant="primary", scale=1)
                examples = gr.Examples(about.examples, inputs=[box], label="Example questions (click one to ask it)") if about.examples else None
                clear = gr.Button("Clear conversation", size="sm")
            with gr.Column(scale=2):
                with gr.Tabs():
                    with gr.Tab("Sources"):
                        sources = gr.HTML(evidence.sources(None), css_template=SOURCES_CSS, js_on_load=None)
                        figures = gr.Dataframe(evidence.table([]), label="Figures in the last answer (copy as a table, or download)",
                                               interactive=False, buttons=["copy"], wrap=True,
                                               column_widths=["38%", "20%", "27%", "15%"])
                        download = gr.DownloadButton("Download the figures (CSV)", visible=False, size="sm")
                    with gr.Tab("Filing") as filing_tab:
                        filing = gr.HTML(filing_html(lines, set()), css_template=FILING_CSS, js_on_load=None)
                    with gr.Tab("What can I ask?"):
                        gr.Markdown(help_md(about))
                    with gr.Tab("Glossary"):
                        gr.Markdown(glossary_md)

        shown = [chatbot, history_state, filing, sources, figures, download]
        # An example is asked as soon as it is clicked: its click fills the box, then the same chain as Ask runs.
        for trigger in (box.submit, send.click, *([examples.load_input_event.then] if examples else [])):
            trigger(add_question, [box, chatbot], [box, chatbot, pending], queue=False, api_visibility="private").then(
                answer_turn, [pending, chatbot, history_state], shown, api_visibility="private"
            ).then(None, js=SCROLL_JS)
        def pick_choice(chat: list[dict], evt: gr.SelectData) -> tuple[str, list[dict], str]:
            return add_question(str(evt.value), chat)

        # Gradio finds the event argument by its type; this module's annotations are strings and gradio is
        # imported here, not at module level, so the type is given as an object.
        pick_choice.__annotations__["evt"] = gr.SelectData

        # A reading offered under an answer is asked as soon as it is clicked.
        chatbot.option_select(pick_choice, [chatbot], [box, chatbot, pending], queue=False, api_visibility="private").then(
            answer_turn, [pending, chatbot, history_state], shown, api_visibility="private"
        ).then(None, js=SCROLL_JS)
        filing_tab.select(None, js=SCROLL_JS)  # the raw lines were hidden when the answer came
        reset = lambda: ([], [], filing_html(lines, set()), *evidence(None))  # noqa: E731
        clear.click(reset, None, shown, queue=False, api_visibility="private")
        chatbot.clear(reset, None, shown, queue=False, api_visibility="private")  # its bin icon
        gr.api(chat, api_name="chat")
        gr.api(chat_with_history, api_name="chat_with_history")
        gr.api(answer_data, api_name="answer")
    return demo


class StartupError(Exception):
    """The app cannot start; the message names the cause and the fix (exit code 2, no traceback)."""


def parse_auth(auth: str) -> Optional[tuple[str, str]]:
    if not auth:
        return None
    user, sep, password = auth.partition(":")
    if not sep or not user or not password:
        raise StartupError("FQA_AUTH must look like user:password (both parts non-empty).")
    return user, password


def load_settings(env=None) -> Settings:
    """Settings from FQA_* variables; a bad value is a StartupError naming the variable."""
    try:
        return Settings.from_env(env)
    except ValueError as e:
        import os
        from dataclasses import fields

        env = os.environ if env is None else env
        for f in fields(Settings):
            raw = env.get("FQA_" + f.name.upper())
            if raw and isinstance(f.default, int):
                try:
                    int(raw)
                except ValueError:
                    raise StartupError(f"FQA_{f.name.upper()}={raw!r} is not a whole number.") from e
        raise StartupError(f"{e}.") from e


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def exposure_warning(settings: Settings) -> str:
    """A warning when the app listens beyond this machine; empty when it stays on loopback."""
    if is_loopback(settings.host):
        return ""
    who = "anyone who can reach this machine" if not settings.auth else "anyone with the FQA_AUTH password"
    return (f"warning: FQA_HOST={settings.host} makes the app reachable from other machines: {who} can use it"
            + ("" if settings.auth else " (no login: set FQA_AUTH=user:password)")
            + ". Traffic is plain HTTP; put it behind TLS on networks you do not trust.")


def check_port(host: str, port: int) -> None:
    """StartupError unless host:port can be listened on now (the server binds it again moments later)."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as e:
        raise StartupError(f"FQA_HOST={host!r} is not an address of this machine ({e}).") from e
    family, _, _, _, addr = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server does: TIME_WAIT is no obstacle
        try:
            sock.bind(addr)
        except OSError as e:
            raise StartupError(
                f"cannot listen on {host}:{port} ({e.strerror or e}). "
                "Set FQA_PORT to a free port (and FQA_HOST to an address of this machine)."
            ) from e


def start(settings: Settings, say: Callable[[str], None]) -> tuple[Backend, Optional[tuple[str, str]]]:
    """Checks everything that can fail quickly, so a bad start fails in a moment with a StartupError;
    the slow part (index build, model load) then runs in the background behind the page."""
    from ingest.errors import IngestError
    from ingest.parser import parse_filing, read_filing
    from ingest.pipeline import chroma_client
    from retrieval.text import glossary as load_glossary

    auth = parse_auth(settings.auth)
    check_port(settings.host, settings.port)
    if not settings.model.startswith("packaged:") and not Path(settings.model).is_dir():
        raise StartupError(f"FQA_MODEL={settings.model!r} is not a model folder. Use 'packaged:all-MiniLM-L6-v2' "
                           "or the path of a local sentence-transformers model (nothing is downloaded).")
    try:
        text = read_filing(settings.filing)
        parsed = parse_filing(settings.filing, text)  # a filing that cannot be read fails now, before any index folder exists
    except IngestError as e:
        raise StartupError(f"cannot use the filing: {e}") from e
    try:
        Path(settings.index_dir).mkdir(parents=True, exist_ok=True)
        probe = Path(settings.index_dir) / f".write-test-{os.getpid()}"
        probe.write_text("ok")
        probe.unlink()
    except OSError as e:  # disk full, permissions, a file in the way
        raise StartupError(
            f"cannot build the index in {settings.index_dir}: {e.strerror or e}"
            + (f" ({e.filename})" if e.filename else "")
            + ". Set FQA_INDEX_DIR to a writable folder with free space."
        ) from e
    if settings.chroma_mode == "server":
        try:
            chroma_client(settings, Path(settings.index_dir)).heartbeat()
        except Exception as e:  # IngestError from the client factory, or the heartbeat itself
            raise StartupError(str(e) if isinstance(e, IngestError) else
                               f"Chroma server at {settings.chroma_host}:{settings.chroma_port} is not reachable ({e}). "
                               "Start it with `chroma run` or set FQA_CHROMA_MODE=embedded.") from e
    say(f"filing {settings.filing}; index {settings.index_dir} (first start builds it: this can take a minute)")
    lines = text.split("\n")
    view = FilingView.of(lines, parsed.tables, parsed.facts)
    return Backend(settings, lines, about_filing(lines, parsed.facts, load_glossary()), view), auth


def main() -> int:
    """Runs the app until stopped. Returns 2, after one line naming the cause and the fix, when it cannot start."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # gradio polls itself at startup
    say: Callable[[str], None] = lambda msg: print(f"[filing-qa] {msg}", flush=True)
    try:
        settings = load_settings()
        backend, auth = start(settings, say)
    except StartupError as e:
        print(f"[filing-qa] error: {e}", file=sys.stderr, flush=True)
        return 2
    threading.Thread(target=backend.prepare, args=(say,), name="prepare-index", daemon=True).start()  # while the page is built
    demo = build_app(settings, backend)
    demo.queue(default_concurrency_limit=4)
    warning = exposure_warning(settings)
    if warning:
        say(warning)
    say(f"starting on http://{settings.host}:{settings.port}" + (" (login required)" if settings.auth else ""))
    import gradio as gr

    try:
        demo.launch(
            server_name=settings.host,
            server_port=settings.port,
            auth=auth,
            ssr_mode=False,
            # System fonts: the bundled webfont lacks a bold weight and renders bold text oddly.
            theme=gr.themes.Default(font=["ui-sans-serif", "system-ui", "sans-serif"],
                                    font_mono=["ui-monospace", "monospace"]),
            css=APP_CSS,
            show_error=False,
        )
    except OSError as e:  # the port is taken, or the address is not this machine's
        print(f"[filing-qa] error: cannot listen on {settings.host}:{settings.port} ({e}). "
              "Set FQA_PORT to a free port (and FQA_HOST to an address of this machine).", file=sys.stderr, flush=True)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
