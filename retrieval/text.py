"""Tokens for matching questions to table rows: lowercase, light stemming, glossary synonyms."""
from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

GLOSSARY_PATH = Path(__file__).with_name("glossary.json")

STOP = set(
    """a an the of in for on at to by from with and or is was were be been are do did does doing have has had
    what whats how much many which who whom when where why me us we our ours you your it its this that these those
    there their they them i my please tell show give find figure amount value number level company firm report
    filing inc s about as did get got make made bring brought over during than then so just also any all
    same period quarter half year years fiscal fy first second third fourth last previous prior  
    ago    month months six three nine twelve ended ending full  this next q1 q2 q3 q4 1h 2h
    1q 2q 3q 4q h1 h2 yoy compared versus vs against up down rise rose fall fell grow grew growth increase
    increased decrease decreased change changed changes percent percentage pct points point by much
    january february march april may june july august september october november december jan feb mar apr jun jul aug sep sept oct nov dec
    yen jpy usd dollars dollar us million millions billion billions thousand thousands in terms roughly about
    approximately exactly  alone only still left need needed reach hit fast went go goes going achieved achieve
    reached came come work out using use roughly planned plan actually
    more less most least represent represents toward towards far along as into onto such very some would could
    should will can may might must here yet being having own according whole every each both either neither
    said say says look looking see let like want know think tell told ask asked question answer compute
    calculate calculated breakdown rest remainder between during within since until through hold held""".split()
)
# Texts whose words are kept: an answer reads the same row labels, headings and glossary phrases
# many times over (about 160 readings an answer), and the filing's passages when the index loads.
TOKEN_CACHE = 8192
WEAK = {"total", "net", "subtotal", "consolidated", "business", "service", "services", "balance", "level", "position", "result", "segment"}


@lru_cache(maxsize=1)
def glossary() -> dict:
    return json.loads(GLOSSARY_PATH.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _synonym_re():
    syn = glossary()["synonyms"]
    keys = sorted(syn, key=len, reverse=True)
    pat = re.compile(r"(?<![\w&])(" + "|".join(re.escape(k) for k in keys) + r")(?![\w&])", re.I)
    return pat, {k.lower(): v for k, v in syn.items()}


def canonical(text: str) -> str:
    """Rewrites synonyms to the filing's usual wording, in one pass (longest phrase first). A phrase
    already standing inside its own rewriting is left as it is, so canonical text stays canonical
    ("net cash used in investing activities" never becomes "net net cash ... activities activities")."""
    pat, syn = _synonym_re()
    # A dash joining two words is a range ("Jul\u2013Sep"); one standing between spaces is punctuation.
    t = re.sub(r"(?<=\w)[\u2013\u2014](?=\w)", "-", text.replace("\u2019", "'")).replace("\u2014", " ").replace("\u2013", " ")

    def rewrite(m: re.Match) -> str:
        said, to = m.group(1), syn[m.group(1).lower()]
        at = to.lower().find(said.lower())
        start = m.start() - at
        if len(to) > len(said) and at >= 0 and start >= 0 and t[start:start + len(to)].lower() == to.lower():
            return said
        return to

    return pat.sub(rewrite, t)


def stem(w: str) -> str:
    if w in ("pay", "pays", "paying"):
        return "paid"
    if len(w) > 6 and w.endswith(("ing", "ion")):
        return w[:-3]
    if len(w) > 7 and w.endswith("ions"):
        return w[:-4]
    if len(w) > 4 and w.endswith(("xes", "ches", "shes", "sses")):
        return w[:-2]
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        return w[:-1]
    return w


def tokens(text: str, keep_stop: bool = False) -> list[str]:
    """The words of a text as matching sees them (a list of its own: callers may change it)."""
    return list(_tokens(text, keep_stop))


@lru_cache(maxsize=TOKEN_CACHE)
def _tokens(text: str, keep_stop: bool) -> tuple[str, ...]:
    t = canonical(text).lower()
    t = re.sub(r"(\w)&(\w)", r"\1\2", t)  # SG&A -> sga, R&D -> rd
    t = re.sub(r"'s\b", "", t)
    t = re.sub(r"\bnon[\s\-]+(?=[a-z])", "non", t)  # non-current, non current -> noncurrent
    words = re.findall(r"[a-z0-9][a-z0-9\-]*", t)
    out = []
    for w in words:
        bits = [b for b in w.split("-") if b]
        # Short hyphenated compounds are one word ("hi-ho", "2q-end", "year-end"); long ones are two.
        parts = ["".join(bits)] if len(bits) > 1 and min(len(b) for b in bits) <= 2 or w in ("year-end",) else bits
        for part in parts:
            if not part:
                continue
            s = stem(part)
            if keep_stop or s not in STOP and part not in STOP and not part.isdigit():
                out.append(s)
    return tuple(out)
