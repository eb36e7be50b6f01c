"""Formulas as expressions: the glossary's standard formulas ("quick ratio") and formulas given in
words in a question ("operating income over revenue", "(A - B) / C", "by what percent did A plus B
grow?"), parsed into one language (`plan.Expr`) that `ops/expr.py` runs on the calculator.

Understanding alone decides the reading (no index is consulted): a phrase is split at an operator
word only where the words on both sides can name figures; a reading whose figures the filing does
not print falls back, at answer time, to the plain operation.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Optional

from .plan import Expr
from .text import STOP, canonical, glossary, tokens

# Operator words by precedence, lowest first. "less than", "per share" and "net of allowance" or "net of cash acquired" are
# parts of names or comparisons, not operators.
LEVELS: list[list[tuple[str, str]]] = [
    [("percent_of", r"\bas an? (?:percentage|percent|%|share|proportion|fraction) of\b|\b(?:is|was|are|were) what (?:percentage|percent|%|share|proportion|portion|fraction) of\b")],
    # "A plus B over C" is said for (A + B) / C: the division words bind loosest of the arithmetic.
    # Not "over" of a phrasal verb ("hand over", "carried over") nor one before a time or place ("over in cash", "over time").
    [("divide", r"(?<!growth )(?<!increase )(?<!grew )(?<!rise )(?<!up )(?<!hand )(?<!handed )(?<!hands )(?<!took )(?<!taken )"
                r"(?<!carried )(?<!carry )(?<!turned )(?<!paid )(?<!passed )\bover\b"
                r"(?!\s+(?:the|a|an|its|last|previous|prior|in|at|on|for|during|time|there|here)\b)|\bdivided by\b")],
    [("add", r"\bplus\b|(?<=\s)\+(?=\s)"),
     ("subtract", r"\bminus\b|\bexcluding\b|\bexcl\.|\bless\b(?!\s+than)|\bnet of\b(?!\s+(?:the\s+|its\s+)?(?:allowance|accumulated|tax|taxes|cash|unearned|deferred|discount)\b)|\bafter deducting\b|(?<=\s)[-\u2212](?=\s+(?!\s|(?:what|whats|what's|how|hows|which|give|is|was|did|do|does|and|so|by|i\.e|in|for)\b))")],
    [("divide", r"(?<=\s)/(?=\s)|\bper\b(?!\s+(?:share|ads|adss|cent|annum|year|quarter|month)\b)"),
     ("multiply", r"\btimes\b(?!\s+(?:the|as|bigger|larger|higher|more)\b)|\bmultiplied by\b|(?<=\s)[*\u00d7](?=\s)")],
]
OPERATOR = re.compile("|".join(f"(?P<{op}{i}>{pat})" for i, level in enumerate(LEVELS) for op, pat in level), re.I)

# Words that frame a question rather than name a figure (beside the tokenizer's stop words).
FRAME = {"move", "moved", "improve", "improved", "positive", "negative", "figure", "yen", "jpy", "usd", "dollars", "dollar", "euros",
         "combined", "together", "sum", "compare", "exceed", "exceeded", "beat", "higher", "lower", "bigger", "larger", "better", "worse",
         "faster", "slower", "annualised", "annualized", "not", "i.e", "ie", "end", "use", "using", "period-end", "e.g", "calculated",
         "company-wide", "companywide", "overall", "whole", "entire", "give", "amount", "imply", "implied", "basis",
         "excluding", "excl", "including", "incl", "i.e.", "ratio?"}
AS_PERCENT = re.compile(r"\b(?:as an? (?:%|percent|percentage)|in (?:%|percent)|as %|what %|what percent(?:age)?|, %)(?!\w)\s*\??$|\(%\)|\bas a %|\bas a percent(?:age)?\b", re.I)
GROWTH_PCT = re.compile(
    r"\bby what (?:percent|percentage|%)(?!\w)|\bwhat (?:was|is) the (?:percentage|%|percent) (?:change|growth)\b|(?:\bpercentage|\bpercent|%) (?:change|growth|increase|decrease) in\b"
    r"|\b(?:grow|grew|growth|change|changed|increase|increased|rise|rose|fall|fell|decline|declined|move|moved)\b[^?]*\b(?:in (?:%|percent)(?!\w)|in percentage terms|in percent\b)"
    r"|\bhow much,? in percent\b|% change\b",
    re.I,
)
CHANGE = re.compile(r"\bhow many (?:percentage )?points\b|\bhow much did\b.*\b(?:change|grow|grew|rise|fall|move|improve)\b|\bchange in\b|\bhow did\b.*\bchange\b|\bhow many (?:percentage )?points did\b"
                    r"|\b(?:move|moved|improve|improved|change|changed)\b", re.I)
# "how many points higher was A than B", "by how much did A exceed B": the difference of two figures.
DIFFERENCE = re.compile(
    r"\b(?:how many (?:percentage )?points?|by how (?:much|many (?:percentage )?points?)|how much)\s+(?P<how>higher|lower|faster|slower|better|worse|more|bigger|greater|larger|smaller|less)?\b"
    r"(?P<a>.+?)\s+(?:than|exceed(?:ed)?|beat|(?:as\s+)?compared\s+(?:to|with))\s+(?P<b>.+)$", re.I)
POINTS_MOVED = re.compile(r"\bhow many (?:percentage )?points (?:did|better|worse|higher|lower|more|less|bigger|smaller)\b|\bby how many (?:percentage )?points\b|\bhow did\b.*\bchange\b|\bhow much did\b.*\b(?:change|move|improve)\b", re.I)
MEASURES = set(tokens("revenues sales cost expenses income profit loss margin ratio assets liabilities cash equity ebitda ebit capex turnover coverage"))
NOT_NAMES = set(tokens("gross net operating sga segment adjusted pretax rate shareholders borrowings"))  # measure words, not a segment's name
COMPARE_FASTER = re.compile(r"\b(?:faster|slower|grow|grew|growth)\b", re.I)
MODIFIER = re.compile(r"^(?:current(?: portion)?|noncurrent|non-current|short-term|long-term|domestic|overseas|foreign|basic|diluted|corporate(?: use)?|home(?: use)?)$", re.I)


def composed(question: str, metric: str, op: str) -> tuple[Optional[Expr], str]:
    """The question's program, and the operation that answers it: "expr" when the program says more
    than the plain operation does, else that operation (which may fall back on the program)."""
    text = " ".join(question.replace("?", " ").split())
    text = re.sub(r"\(?\bgive\b(?: it as)?[^()]*?\bminus\b[^()]*\)?\.?\s*$", " ", text, flags=re.I)  # "(give 1H12 minus 1H11)": the order, said again
    text = re.sub(r"\s*,?\s+as well as\s+", " plus ", text, flags=re.I)  # "A, as well as B, over C": A plus B, not A plus (B over C)
    said = RESTATED.search(text)
    if said and (e := parse(_its(said["def"]))) is not None and e.op != "fig":
        text = said["def"]  # "gross profit, i.e. revenue minus its cost": the question's own formula
    text, overrides = _definitions(_its(text))
    two = DIFFERENCE.search(text)
    if two and _naming(two["b"].split()):  # "than network services" (not "than in 1H11": one figure, two periods)
        expr = _difference(text, overrides)
        if expr is None:
            return None, "expr"  # a comparison of two figures read any other way would drop one side: decline
    else:
        expr = _framed(text, op, overrides)
    if expr is None or expr.op == "fig":
        return None, op
    return expr, "expr" if _composes(expr, op) else op


RESTATED = re.compile(r"(?:,|\(|\s-)\s*(?:i\.?\s?e\.?|that is|in other words|meaning|namely)[,:]?\s+(?P<def>[^()]+?)\)?\s*$", re.I)
POSSESSIVE = re.compile(r"(?P<a>[\w&'/.-]+(?:\s+[\w&'/.-]+){0,6}?)\s+(?P<op>minus|less|plus|divided by|over|to|and)\s+(?:its|their)\s+", re.I)


def _its(text: str) -> str:
    """ "SI revenue minus its cost": "its" names the subject of the figure before it ("SI")."""
    def subject(m) -> str:
        ws = clean(m["a"]).split()
        while ws and set(tokens(ws[-1])) & MEASURES:
            ws = ws[:-1]
        return f"{m['a']} {m['op']} {' '.join(ws)} " if ws else m.group(0)

    return POSSESSIVE.sub(subject, text)


# "the difference in X between A and B", "the total X for A and B", "the average X of A and B": two
# figures named side by side, the measure said once for both. The operation a plain reading gives
# first (a difference reads as a change, an average as one over periods).
PAIRED = (
    ("subtract", ("change",), r"\bdifferences?\s+(?:(?:in|of|for)\s+)?(?P<m>.*)\bbetween\s+(?P<a>.+?)\s+and\s+(?P<b>.+)$"),
    # "the difference in unearned revenue and accrued revenue in 2019": two figures, each named in full
    # (with two periods named it is one figure's change).
    ("subtract", ("change",), r"\bdifferences?\s+(?:in|of|for)\s+(?P<m>)(?P<a>(?:(?!\bbetween\b).)+?)\s+and\s+(?P<b>.+)$"),
    ("add", ("value", "sum"), r"\b(?:total|sum|combined)\s+(?P<m>.*)\b(?:for|of|from)\s+(?:both\s+)?(?P<a>.+?)\s+and\s+(?P<b>.+)$"),
    ("mean", ("average", "value"), r"\b(?:average|mean)\s+(?P<m>.*)\b(?:for|of|from|by|between)\s+(?:both\s+)?(?P<a>.+?)\s+and\s+(?P<b>.+)$"),
)


def paired(question: str, op: str, periods: int = 0) -> Optional[Expr]:
    """Two figures named side by side with one measure ("the difference in operating income between
    APAC and AMER"): each figure is its name with the measure; None where either side names nothing
    (periods, already taken out of the question, leave only blanks)."""
    text = " ".join(question.replace("?", " ").split())
    for step, plain, pattern in PAIRED:
        m = re.search(pattern, text, re.I) if op in plain and not (periods > 1 and "(?P<m>)" in pattern) else None
        if m is None or not _naming(m["a"].split()) or not _naming(m["b"].split()) or OPERATOR.search(f" {m['a']} {m['b']} "):
            continue
        if step == "add" and not _naming(m["m"].split()):
            continue  # "the total of short-term and long-term borrowings": the sum's own reading (shared noun)
        measure = clean(m["m"])
        a, b = m["a"], m["b"]
        said = re.match(r".+?\s+(?P<whole>(?:of|for)\s+.+)$", b)
        if said and not re.search(r"\b(?:of|for|from)\b", a):
            a = f"{a} {said['whole']}"  # "the carrying value and the fair value of notes payable": both of notes payable
        return Expr(step, tuple(Expr.fig(f"{clean(side)} {measure}") for side in (a, b)))
    return None


def _definitions(text: str) -> tuple[str, dict]:
    """ "..., taking SG&A as sales and marketing plus G&A": the question defines a figure itself."""
    out = {}
    pattern = (r"[,(]?\s*\b(?:taking|defining|with|using|where)\s+(?P<name>[\w&' -]{2,40}?)\s+(?:as|=|defined as|being)\s+(?P<def>[^,()]+?(?:\([^()]*\)[^,()]*?)?)(?=[,()]|$)"
               r"|(?P<name2>\b[\w&' -]{2,40}?),?\s+defined as\s+(?P<def2>[^,]+?(?:\([^()]*\)[^,]*?)?)(?=\s[-\u2013]\s|[,:;]|$)")
    for m in list(re.finditer(pattern, text, re.I)):
        name, definition = (m["name"], m["def"]) if m["name"] else (m["name2"], m["def2"])
        e = parse(definition)
        if e is not None and e.op != "fig":
            named = clean(name)
            out[" ".join(tokens(named))] = e
            text = text.replace(m.group(0), f" {named} " if m["name2"] else " ")
    return text, out


def _composes(e: Expr, op: str) -> bool:
    """Worth the expression route: more than the plain operations say (a formula the glossary
    defines, a formula in words, or two operations in one)."""
    inner = e.args[0] if e.op in ("change", "pct_change") and len(e.args) == 1 else e
    if inner.op == "fig":
        return False  # one figure, or its change: the plain operations read it (and prefer a printed change)
    if op in MARGIN_OPS and inner.name and e.op != "pct_change" and inner.op != "add":
        return False  # a margin alone, or its change, is the margin operation's (printed margins, segments)
    ops = _ops(e)
    if len(ops) > 1 or any(_names(e)):
        return True
    return PLAIN.get(e.op) != op


MARGIN_OPS = ("margin", "margin_ratio", "operating_margin")
PLAIN = {"percent_of": "share", "divide": "ratio", "subtract": "excluding"}  # read as before by their own modules


def _names(e: Expr) -> list[str]:
    return ([e.name] if e.name else []) + [n for a in e.args for n in _names(a)]


def _ops(e: Expr) -> list[str]:
    return [] if e.op == "fig" else [e.op] + [o for a in e.args for o in _ops(a)]


def _difference(text: str, overrides: dict) -> Optional[Expr]:
    m = DIFFERENCE.search(text)
    if not m:
        return None
    a_text, b_text = m["a"], m["b"]
    growth = bool(COMPARE_FASTER.search(m["how"] or "") or COMPARE_FASTER.search(a_text))
    a_text = re.sub(r"\b(?:grow|grew|growth|did|was|were|is|are)\b", " ", a_text, flags=re.I)
    b_text = re.sub(r"\b(?:grow|grew|growth|did|was|were|is|are)\b", " ", b_text, flags=re.I)
    a = parse(a_text, overrides)
    if a is None:
        return None
    b_text = _borrowed(b_text, a_text, a)
    b = parse(b_text, overrides) if b_text else None
    if b is None:
        return None
    if growth:
        a, b = Expr("pct_change", (a,)), Expr("pct_change", (b,))
    return Expr("subtract", (a, b))


def _borrowed(b: str, a: str, a_expr: Expr) -> str:
    """ "than that of SI", "than network services'": the other side names A's measure for itself.
    Only a figure or a named formula lends its measure; a worked-out side ("revenue per contract")
    cannot be said again in one word, so that reading is given up ("")."""
    m = re.match(r"\s*(?:that|those|the one|the ones) of\s+(.+)", b, re.I)
    own = clean(m.group(1) if m else b)
    if m or not set(tokens(own)) & MEASURES:
        if a_expr.op != "fig" and not a_expr.name:
            return ""
        found = standard(a)
        measure = found[0] if found else " ".join(w for w in tokens(a) if w in MEASURES)
        return f"{own} {measure}" if measure else b
    return b


def _framed(text: str, op: str, overrides: dict) -> Optional[Expr]:
    """The figure asked, wrapped in the change the question asks for."""
    body = text
    if GROWTH_PCT.search(text):
        frame = "pct_change"
    elif (op in ("change", "pct_change") or POINTS_MOVED.search(text)) and CHANGE.search(text):
        frame = "pct_change" if op == "pct_change" and not re.search(r"\bpoints?\b", text, re.I) else "change"
    else:
        frame = ""
    if frame:
        body = re.sub(r"\bby what (?:percent|percentage|%)(?!\w)|(?:\b(?:the )?(?:year-on-year )?(?:percentage|percent)|%) (?:change|growth|increase|decrease) in\b|\bchange in\b"
                      r"|\bhow many (?:percentage )?points\b|\bhow much\b|\bby how much\b|\bin (?:%|percent|points)(?!\w)|\bin percentage terms\b", " ", body, flags=re.I)
    e = parse(body, overrides)
    if e is None:
        return None
    if AS_PERCENT.search(text) and e.op == "divide" and not e.name:
        e = Expr("percent_of", e.args)
    return Expr(frame, (e,)) if frame else e


def parse(text: str, overrides: Optional[dict] = None) -> Optional[Expr]:
    """A formula in words (or symbols) as an expression; None when the words name no figure."""
    items = _lex(text)
    if not items:
        return None
    # "A less B, divided by C": an operator after a comma applies to all that came before.
    cuts = [i for i, it in enumerate(items) if it[0] == "op" and it[2]]
    segments, ops, start = [], [], 0
    for c in cuts:
        segments.append(items[start:c])
        ops.append(items[c][1])
        start = c + 1
    segments.append(items[start:])
    parsed = []
    for seg in segments:
        pos, e = _parse_level(seg, 0, 0)
        if e is None or pos != len(seg):
            return None
        parsed.append(e)
    e = parsed[0]
    for op, right in zip(ops, parsed[1:]):
        e = Expr(op, (e, right))
    return expand(e, overrides or {})


def _lex(text: str) -> Optional[list]:
    """Words, operators and bracketed groups; a bracket with no operator inside is part of a name."""
    out: list = []
    i = 0
    words = ""
    while i < len(text):
        ch = text[i]
        if ch == "(":
            depth, j = 1, i + 1
            while j < len(text) and depth:
                depth += {"(": 1, ")": -1}.get(text[j], 0)
                j += 1
            inner = text[i + 1:j - 1] if not depth else text[i + 1:]
            lead = OPERATOR.match(inner.strip())
            if lead and _naming(inner.strip()[lead.end():].split()) and _naming(words.split()):
                # "outstanding shares (excluding treasury shares)": the bracket works on the figure before it.
                group = parse(f"{words} {inner}")
                words = ""
                if group is not None:
                    out.append(("group", group))
                i = j
                continue
            if OPERATOR.search(f" {inner} ") or re.search(r"\s(?:and)\s", inner) and _modifiers(inner):
                if words.strip():
                    out.append(("words", words))
                words = ""
                group = _group(inner)
                if group is not None:
                    out.append(("group", group))
            elif len(inner.split()) == 1:
                words += " " + inner + " "  # "income (loss)": part of the name
            i = j
            continue
        m = OPERATOR.match(text, i) if (i == 0 or not text[i - 1].isalnum()) else None
        if m and m.group(0).strip():
            grouped = words.rstrip().endswith(",")
            if words.strip(" ,"):
                out.append(("words", words))
            words = ""
            out.append(("op", m.lastgroup[:-1], grouped, int(m.lastgroup[-1])))
            i = m.end()
            continue
        words += ch
        i += 1
    if words.strip():
        out.append(("words", words))
    return _restated(_appositive(out))


def _appositive(items: list) -> list:
    """ "the operating margin, operating income over revenue, in Q1": a formula in words after a
    comma restates the name before it; the name goes."""
    out = []
    items = list(items)
    for i, it in enumerate(items):
        if it[0] == "words" and "," in it[1] and i + 1 < len(items) and items[i + 1][0] == "op":
            head, _, tail = it[1].rpartition(",")
            found = standard(head)
            if found is not None and _naming(tail.split()):
                it = ("words", tail)
                if items[i + 1][1] == "divide" and glossary()["formulas"][found[0]].get("unit") == "%":
                    items[i + 1] = ("op", "percent_of") + tuple(items[i + 1][2:])  # a margin is a percentage
        out.append(it)
    return out


def _restated(items: list) -> list:
    """ "total SG&A plus R&D (S&M + G&A + R&D)": a bracketed formula right after a name restates the
    name, back to the previous looser operator; "the ATM business's segment profit margin (segment
    profit over segment revenues)" keeps the business named and, being a margin, is a percentage."""
    out: list = []
    for it in items:
        if it[0] == "group" and isinstance(it[1], Expr) and out and out[-1][0] == "words":
            start = len(out) - 1
            while start > 0 and out[start - 1][0] != "op" or start > 1 and out[start - 1][0] == "op" and out[start - 1][3] >= 2:
                start -= 1
            spans_ops = any(x[0] == "op" for x in out[start:])
            name = " ".join(x[1] for x in out[start:] if x[0] == "words")
            del out[start:]
            out.append(("group", _as_named(it[1], name, spans_ops)))
            continue
        out.append(it)
    return out


def _as_named(group: Expr, name: str, spans_ops: bool = False) -> Expr:
    found = standard(name)
    said = set(tokens(name))
    if found is None and not spans_ops and not said & set(tokens("margin rate ratio")) and clean(name):
        # "the order backlog for SI (construction plus maintenance)": the parts of that figure.
        return _qualify(group, clean(name), after=True)
    formula = parse(canonical(found[1])) if found is not None else None
    inside = {t for r in group.leaves() for t in tokens(r.words)}
    if formula is not None and not inside & {t for r in formula.leaves() for t in tokens(r.words)}:
        # "the SG&A ratio (sales & marketing plus G&A)": the bracket defines the formula's first figure.
        return expand(Expr.fig(name), {" ".join(tokens(formula.leaves()[0].words)): group})
    said = set(tokens(name))
    if not said & set(tokens("margin rate ratio")):
        return group
    qualifier = " ".join(w for w in clean(name).split() if set(tokens(w)) and not set(tokens(w)) & (inside | MEASURES | NOT_NAMES))
    e = _qualify(group, qualifier) if qualifier else group
    if e.op == "divide" and (said & set(tokens("margin rate")) or found is not None and glossary()["formulas"][found[0]].get("unit") == "%"):
        e = Expr("percent_of", e.args)
    return e


def _modifiers(inner: str) -> bool:
    return all(MODIFIER.match(p.strip()) for p in re.split(r"\band\b|\bplus\b|\+|,", inner) if p.strip())


def _group(inner: str):
    """A bracketed group: a formula, or modifiers of the name before it ("(current plus noncurrent)")."""
    if _modifiers(inner):
        return [p.strip() for p in re.split(r"\band\b|\bplus\b|\+|,", inner) if p.strip()]
    return parse(inner)


def _parse_level(items: list, pos: int, level: int) -> tuple[int, Optional[Expr]]:
    if level == len(LEVELS):
        return _operand(items, pos)
    pos, left = _parse_level(items, pos, level + 1)
    if left is None:
        return pos, None
    while pos < len(items) and items[pos][0] == "op" and items[pos][3] == level:
        op = items[pos][1]
        pos, right = _parse_level(items, pos + 1, level + 1)
        if right is None:
            return pos, None
        left = Expr(op, (left, right))
    return pos, left


def _operand(items: list, pos: int) -> tuple[int, Optional[Expr]]:
    if pos >= len(items):
        return pos, None
    kind, val = items[pos][:2]
    if kind == "group" and isinstance(val, Expr):
        return _skip_clause(items, pos + 1), val
    if kind != "words":
        return pos, None
    name = clean(val)
    pos += 1
    # A bracket right after a name restates it: "SG&A plus R&D (S&M + G&A + R&D)", "capital lease
    # obligations (current plus noncurrent)".
    if pos < len(items) and items[pos][0] == "group":
        group = items[pos][1]
        pos += 1
        pos = _skip_clause(items, pos)
        if isinstance(group, Expr):
            return pos, group
        if group:  # an empty bracket restates nothing: the name stands alone
            e = Expr.fig(f"{name} {group[0]}")
            for mod in group[1:]:
                e = Expr("add", (e, Expr.fig(f"{name} {mod}")))
            return pos, e
    if not tokens(name):
        return pos, None
    return _skip_clause(items, pos), Expr.fig(name)


def _skip_clause(items: list, pos: int) -> int:
    """ "... (current plus noncurrent) - what's the total", "... (corporate plus home use) for the half":
    words after a complete operand that name nothing, or a clause after a separator, only ask."""
    if pos < len(items) and items[pos][0] == "words":
        words = items[pos][1]
        if not _naming(words.split()) or re.match(r"\s*[-\u2013,:;]", words) and not _naming(words.split()[1:3]):
            return pos + 1
    return pos


def clean(words: str) -> str:
    """The words that name a figure, without the question's frame: the clause with the most naming
    words, less the frame words at either end."""
    words = re.sub(r",\s*(?=(?:including|incl)\b)", " ", words, flags=re.I)  # "long-term, including the current portion" is one figure
    # "goodwill, trademarks, and other intangible assets": a list inside one name, not clauses.
    words = re.sub(r"\b(\w+),\s+(\w+(?:\s+\w+)?),\s+(and|or)\s+", r"\1 \2 \3 ", words, flags=re.I)
    clauses = [c for c in re.split(r"[,:;?]|\s[-\u2013]\s", words)
               if c.strip() and not re.match(r"\s*(?:not|no|ignoring|without|except)\b", c, re.I)]
    best = max(clauses, key=lambda c: len(_naming(c.split())), default="")
    ws = best.split()
    while ws and not _naming(ws[:1]):
        ws = ws[1:]
    if len(ws) > 2 and ws[0].lower() in ("ratio", "proportion") and ws[1].lower() == "of":
        ws = ws[2:]  # "the proportion of net income over gross margin": the frame, not the figure
    while ws and not _naming(ws[-1:]):
        ws = ws[:-1]
    return " ".join(ws)


def _naming(ws: list[str]) -> list[str]:
    out = []
    for w in ws:
        bare = re.sub(r"'s$|'$", "", w.lower()).strip(".,()'\"")
        if bare and bare not in STOP and bare not in FRAME and not re.fullmatch(r"[\d.%]+|[-+*/]", bare):
            out.append(bare)
    return out


# ---------------------------------------------------------------- standard formulas

@lru_cache(maxsize=1)
def _standards() -> dict[str, tuple[str, str, str]]:
    """name in canonical words -> (formula, result unit, the name as the glossary writes it)."""
    return {canonical(name).lower(): (canonical(f["expr"]), f.get("unit", ""), name)
            for name, f in glossary()["formulas"].items() if "expr" in f}


def standard(words: str) -> Optional[tuple[str, str, str]]:
    """(formula name, formula, qualifier) when the words name a standard formula, e.g. "gross margin
    ratio of network services" -> ("gross margin ratio", "(revenues - cost) / revenues", "network services").
    The qualifier is the naming words right before the name, or right after it behind "of"/"for"."""
    orig = re.findall(r"[\w&'.-]+", canonical(words))
    said = tokens(" ".join(orig), keep_stop=True)
    owner, seen = [], 0  # the word each token came from (tokens of a growing prefix; synonyms stay whole)
    for i in range(len(orig)):
        n = len(tokens(" ".join(orig[:i + 1]), keep_stop=True))
        owner += [i] * (n - seen)
        seen = n
    for name in sorted(_standards(), key=len, reverse=True):
        key = tokens(name, keep_stop=True)
        at = next((i for i in range(len(said) - len(key) + 1) if said[i:i + len(key)] == key), None)
        if at is None:
            continue
        first, last = owner[at], owner[at + len(key) - 1]
        before = []
        for w in reversed(orig[:first]):
            if not _naming([w]):
                break
            before.insert(0, w)
        after = []
        if orig[last + 1:last + 2] and orig[last + 1].lower() in ("of", "for"):
            for w in orig[last + 2:]:
                if not _naming([w]) and w.lower() != "and":
                    break
                after.append(w)
        qualifier = " ".join(before + after).strip()
        return _standards()[name][2], _standards()[name][0], re.sub(r"\s+and$", "", qualifier)
    return None


def expand(e: Expr, overrides: Optional[dict] = None) -> Expr:
    """Leaves that name a standard formula become that formula (its words qualified by the segment
    named beside it: "operating margin of SI" uses SI's operating income and revenues); a leaf the
    question defines itself ("taking SG&A as S&M plus G&A") becomes that definition."""
    overrides = overrides or {}
    if e.op != "fig":
        return Expr(e.op, tuple(expand(a, overrides) for a in e.args), unit=e.unit, name=e.name, subject=e.subject)
    said = " ".join(tokens(e.ref.words))
    if said in overrides:
        return overrides[said]
    found = standard(e.ref.words)
    if found is None:
        return e
    name, formula, qualifier = found
    inner = parse(formula, overrides)
    if inner is None:
        return e
    unit = glossary()["formulas"][name].get("unit", "")
    if qualifier and " and " in f" {qualifier} " and not unit:
        # "gross profit of SI and equipment sales": an amount for each, added.
        a, b = qualifier.split(" and ", 1)
        both = Expr("add", (_qualify(inner, a), _qualify(inner, b)))
        return Expr(both.op, both.args, name=name, subject=qualifier)
    if qualifier:
        inner = _qualify(inner, qualifier)
    return Expr(inner.op, inner.args, unit=unit or inner.unit, name=name, subject=qualifier) if inner.op != "fig" else inner


def _qualify(e: Expr, qualifier: str, after: bool = False) -> Expr:
    qualifier = re.sub(r"'s?\b", "", qualifier)
    if e.op == "fig":
        names = (re.sub(r"^total\s+", "", w.strip(), flags=re.I) for w in e.ref.words.split("|"))
        return Expr.fig(" | ".join(f"{w} {qualifier}" if after else f"{qualifier} {w}" for w in names))
    return Expr(e.op, tuple(_qualify(a, qualifier, after) for a in e.args), unit=e.unit, name=e.name, subject=e.subject)


SYMBOLS = {"add": "+", "subtract": "-", "multiply": "\u00d7", "divide": "/", "percent_of": "/"}
WORDS = {"add": "plus", "subtract": "minus", "multiply": "times", "divide": "divided by", "percent_of": "as a percentage of"}


def formula_name(e: Expr, words: bool = False) -> str:
    """The expression written out: with symbols for the formula line ("(cash and cash equivalents +
    accounts receivable) / total current liabilities"), or in words for a sentence (a "+" in a
    sentence would read as a sign)."""
    ops = WORDS if words else SYMBOLS
    if e.op == "fig":
        return e.ref.words.split("|")[0].strip()
    if e.op in ops:
        a, b = (formula_name(x, words) if x.op in ("fig", "divide", "multiply", "percent_of") else f"({formula_name(x, words)})" for x in e.args)
        s = f"{a} {ops[e.op]} {b}"
        return s + " \u00d7 100" if not words and (e.op == "percent_of" or e.unit == "%") else s
    inner = ", ".join(formula_name(a, words) for a in e.args)
    return f"{e.op.replace('_', ' ')} of {inner}" if len(e.args) == 1 else f"{e.op}({inner})"


@lru_cache(maxsize=1)
def percent_ratios() -> dict[str, tuple[str, str]]:
    """Standard formulas that are one figure as a percentage of another: name -> (numerator, denominator)."""
    out = {}
    for name, f in glossary()["formulas"].items():
        e = parse(canonical(f["expr"])) if f.get("unit") == "%" else None
        if e is not None and e.op == "divide" and all(a.op == "fig" for a in e.args):
            out[name] = (e.args[0].ref.words, e.args[1].ref.words)
    return out


# "How many years did net income exceed $1,000 million?": a count of the periods meeting a condition.
COUNT_IF = re.compile(
    r"\bhow many (?:(?P<periods>years|quarters|halves|periods|months|times)\b\s*(?:did|was|were|has|have|had|is|are)?|(?P<rows>(?:[\w-]+\s+){0,2}?[\w-]+)\s+(?:did|had|has|have|were|was))\s*(?P<what>.+?)\s+"
    r"(?P<cmp>exceed(?:ed|s)?|(?:go|went|been|was|were|is|are|be)?\s*(?:above|over|more than|greater than|higher than|at least|below|under|less than|lower than))\s+"
    r"(?P<amount>(?:[$\u20ac\u00a3\u00a5]|(?:US|S|A)\$|JPY|USD|EUR|GBP|RMB)?\s*-?[\d,]*\.?\d+\s*(?:%|percent|thousand|million|billion|bn|mn|m|k)?)", re.I)
SCALES = {"thousand": 1e3, "k": 1e3, "million": 1e6, "mn": 1e6, "m": 1e6, "billion": 1e9, "bn": 1e9}
LENGTHS = {"years": 12, "quarters": 3, "halves": 6, "months": 1}


def count_if(text: str) -> Optional[Expr]:
    """ "how many years did X exceed $400 million": count_if([X], > 400,000,000 over years); "how many
    obligations had a total that exceeded $500,000 thousand": over the rows, the rows' name as the subject."""
    m = COUNT_IF.search(text)
    if not m:
        return None
    amount = re.sub(r"^(?:[$\u20ac\u00a3\u00a5]|(?:US|S|A)\$|JPY|USD|EUR|GBP|RMB)\s*", "", m["amount"].replace(",", "").strip(), flags=re.I)
    num = re.match(r"-?[\d.]+", amount)
    # "a % change that is less than 50%": a column named only by words that frame other questions.
    what = clean(m["what"]) or re.sub(r"^\s*(?:an?|the)\s+|\s+(?:that|which)\s*$", "", m["what"], flags=re.I).strip()
    if not num or not tokens(what, keep_stop=True):
        return None
    unit = "%" if re.search(r"%|percent", amount, re.I) else ""
    scale = next((v for k, v in SCALES.items() if re.search(rf"\d\s*{k}$", amount, re.I)), 1.0)
    below = bool(re.search(r"below|under|less|lower", m["cmp"], re.I))
    months = LENGTHS.get((m["periods"] or "").lower(), 0)
    return Expr("count_if", (Expr.fig(what),), than=("<" if below else ">", float(num.group(0)) * scale, unit, months), subject=m["rows"] or "")
