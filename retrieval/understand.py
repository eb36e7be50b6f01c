"""Question understanding: the operation, the periods and the words that name the figure."""
from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache
from typing import Optional

from .formula import composed, count_if, paired
from . import narrative_question
from .plan import Asked, Cues, Plan, PeriodSpec, Side
from .text import canonical, glossary, tokens

ORD = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4}
MONTH_NUM = {m: i + 1 for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"])}
MONTH_NUM.update({k[:3]: v for k, v in list(MONTH_NUM.items())})
MONTH_NUM["sept"] = 9
MONTH_RE = r"\b(january|february|march|april|may(?=\s+\d)|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\b\.?"


# "Which segment had the highest operating income?": the best of a group of sibling rows. An "or"
# names the two to compare instead ("compare").
RANK = re.compile(
    r"^(?!.*\bor\b).*\b(?:which|what)\s+(?P<group>(?:\w+\s+){0,2}?\w+?)\s+(?:\w+\s+){0,3}?(?:the\s+)?"
    r"(?P<word>highest|largest|biggest|most|lowest|smallest|least|fastest|slowest|best|worst|strongest|weakest)\b", re.I)
# "what's our largest business line", "which is the biggest segment": the word before the group.
RANK_FIRST = re.compile(
    r"^(?!.*\bor\b).*\b(?:which|what)(?:'s|\s+is|\s+are|\s+was|\s+were)\s+(?:our|the|its|their)\s+"
    r"(?P<word>highest|largest|biggest|lowest|smallest|fastest[- ]growing|slowest[- ]growing|best|worst|strongest|weakest)\s+"
    r"(?P<group>\w+(?:\s+(?:line|unit|area|segment|region|market|service|business)s?)?)\b", re.I)
YES_NO = re.compile(r"^\W*(?:so\s+|and\s+|but\s+)?(?:did|do|does|is|are|was|were|has|have|had|will|can|could)\b(?!.*\bor\b)", re.I)
LOSS = re.compile(r"\b(?:lose|loses|lost|losing|loss-making|in the red|(?:make|made|making) a loss)\b", re.I)
HIGH = {"highest", "largest", "biggest", "most", "fastest", "best", "strongest"}
SUPERLATIVE = re.compile(r"\b(?P<word>highest|largest|biggest|most|fastest|best|strongest|lowest|smallest|least|slowest|worst|weakest"
                         r"|higher|larger|bigger|more|faster|better|stronger|lower|smaller|slower|worse|weaker)\b", re.I)
# Between named members ("of our two segments, which one made more?") a comparative picks the best as a superlative does.
COMPARATIVE = {"higher": "highest", "larger": "largest", "bigger": "biggest", "more": "most", "faster": "fastest",
               "better": "best", "stronger": "strongest", "lower": "lowest", "smaller": "smallest",
               "slower": "slowest", "worse": "worst", "weaker": "weakest"}
# "network services, systems integration, equipment sales or ATM": the members to rank, named in a list.
ITEM = r"[\w&'/.-]+(?:\s+[\w&'/.-]+){0,4}?"
MEMBERS = re.compile(rf"(?P<list>{ITEM}(?:\s*,\s*{ITEM})+\s*,?\s+(?:or|and)\s+{ITEM})\s*(?=[?).:;,]|$|\s+(?:is|are|was|were|grew|had|did|has|brought|made)\b)"
                     rf"|\((?P<plain>{ITEM}(?:\s*,\s*{ITEM}){{2,}})\)", re.I)
# "Among the corporate internet services, which ...", "inside network services, which ...": the heading ranked within.
WITHIN = re.compile(r"\b(?:among|inside|within|in|of)\s+(?:the\s+|our\s+|its\s+|their\s+)?(?P<parent>[\w&'\s-]{3,60}?)\s*,\s*(?:which|what)\b", re.I)
LEAD = re.compile(r"^(?:which|what|of|among|the|our|between|from|inside|within)\s+", re.I)


# "Which part of the business is growing?", "which segments are up?": the parts ranked by growth ("which parts
# grew?" is answered by the filing's own sentences).
GROWING = re.compile(r"^\W*(?:so\s+|and\s+)?which\s+(?:parts?|segments?|business(?:es)?|lines?|divisions?|regions?|units?|areas?)(?:\s+(?:lines?|units?|areas?|segments?))?\b"
                     r"(?:\s+of\s+(?:the|our|its)\s+(?:business|company|group))?\s+(?:is|are|has been|have been)\s+"
                     r"(?:growing|up|increasing|rising|expanding)\s*(?:(?:this|in the|over the|last|in)\s+[\w-]+(?:\s+[\w-]+)?)?\s*[?.!]*\s*$", re.I)


# "Between network services and SI, which brought in more?": two members named before the question word.
BETWEEN = re.compile(rf"\bbetween\s+(?:the\s+)?(?P<pair>{ITEM}\s+and\s+{ITEM})\s*,\s*(?:which|what)\b", re.I)


def listed_members(q: str) -> tuple[str, ...]:
    """The rows a ranking question lists: three or more ("A, B, C or D"), or two after "between"."""
    pair = BETWEEN.search(q)
    if pair:
        items = [LEAD.sub("", x.strip()) for x in re.split(r"\s+and\s+", pair["pair"], maxsplit=1)]
        return tuple(items) if all(tokens(x) for x in items) else ()
    m = MEMBERS.search(q)
    if not m:
        return ()
    items = [x for x in re.split(r"\s*,\s*|\s+(?:or|and)\s+", m["list"] or m["plain"]) if x.strip()]
    items = [LEAD.sub("", LEAD.sub("", x.strip())) for x in items]
    # "in the second quarter of FY2012, A or B": a time is no member, nor "grew faster in 1H12" in "which grew faster in 1H12, A or B".
    items = [x for x in items if not is_period_phrase(x) and not SUPERLATIVE.search(x) and not MOVED.search(x)]
    return tuple(items) if len(items) >= 3 and all(tokens(x) for x in items) else ()


def is_period_phrase(text: str) -> bool:
    found, rest = parse_periods(text)
    return bool(found) and not tokens(rest)

OPS = [
    ("narrative", r"^\s*(why|how come|who|which (?:companies|company|subsidiary|subsidiaries|customers|firms?))\b|\bwhat (drove|caused|explains|was behind|is behind|happened|pushed|pulled|led to)\b|\b(pushed|drove|driven) (?:up|down)\b|\breasons?\b|\bexplain why\b|\bdue to what\b|\bwhat (led|contributed)\b|\bwhy\b"),
    # "How are we doing?", "highlights", "the big picture": the headline figures of the main period.
    ("overview", r"\bhow (?:are|is|was|were|did|has|have)\s+(?:we|us|things|it|the (?:company|group|business|firm)|(?-i:[A-Z][\w&.-]*)(?:\s+(?-i:[A-Z][\w&.-]*))*)\s+(?:been\s+)?(?:doing|do|done|going|go|gone|perform\w*|fare\w*)\b(?!\s+(?:on|with|in terms of)\s+\w)|"
                 r"\b(?:doing|performing) (?:well|ok|okay|badly|good)\b|\bsumm?ar(?:y|ise|ize)\b|\bsum (?:it |things |this |that )?up\b|\bhighlights?\b|\bbig picture\b|\bin a nutshell\b|"
                 r"\bhow (?:did )?(?:the\s+)?(?:[\w-]+\s+){0,5}(?:quarter|half|year|period)\s+(?:go|went)\b|\bkey (?:figures|numbers|results)\b|\bnumbers (?:i|we) should (?:remember|know)\b|\bgood (?:\w+ )?or (?:a )?bad\b|\bstrong (?:half|year|quarter)\b|\boverall\b.*\b(?:going|up or down)\b|"
                 r"\bin (?:good|bad|decent|great|poor|ok|okay|healthy) (?:shape|health|condition)\b|\bhow (?:healthy|strong) is\b|"
                 r"\b(?:go|went|gone) (?:better or worse|worse or better)\b|\bheadline (?:results|figures|numbers)\b|\b(?:overall )?story of (?:our|the|its) results\b"),
    # "What does 1H FY2012 mean?", "which months does H1 2020 cover?", "when does fiscal 2019 end?"
    ("period_meaning", r"\b(?:what|which) (?:months?|period|dates?|time)\b.*\b(?:cover\w*|mean\w*|is|span\w*|include\w*)\b|"
                       r"\bwhen does (?:the |our |its )?(?:fiscal|financial|fy\s*'?\d*)\b.*\b(?:end|start|begin)|"
                       r"^\W*what (?:does|do|is|are) (?:the )?['\"\u2018\u2019\u201c]?(?:[1-4](?:q|h)|h[12]|q[1-4]|fy|1st half|(?:first|second) half|(?:first|second|third|fourth) quarter|fiscal year|financial year)\b['\"\u2018\u2019\u201d]?"
                       r"(?:\s+(?:in\s+)?['\"\u2018\u2019\u201c]?\S+)?(?:\s+\S+)?\s+(?:mean|stand for)\b|^\W*what period is\b|\bsame as (?:the )?calendar year\b"),
    ("target_remaining", r"\b(left|remaining|still (?:need|to)|more .* need|needs? .* (?:second half|rest of the year)|to (?:reach|hit|meet|achieve) (?:the |its |this year's |their )?(?:full[- ]year )?(?:target|goal|forecast|plan))"),
    ("target_progress", r"\b(?:halfway|half way|on track|on course|how close|(?:hit|beat|reach|meet|make|miss)(?:ing)? (?:the |its |our |their |this year's )?(?:full[- ]year |annual )?(?:\w+ ){0,2}(?:targets?|goals?|forecasts?|plans?))\b|"
                        r"\bas (?:an? )?(?:share|percent(?:age)?|proportion) of (?:the |its |this year's )?(?:full[- ]year |annual |fy\w* )?(?:\w+ ){0,2}(?:target|goal|forecast|plan)\b|"
                        r"\bhow much of (?:the |its |our |this year's )?(?:full[- ]year |annual )?(?:\w+ ){0,2}(?:target|goal|forecast|plan) (?:did|have|has) (?:we|they|it|the company) (?:hit|reach|reached|achieve|make|made|do|done)\b|"
                        r"\b(how far along|progress (?:toward|towards|to)|(?:share|percentage|percent|proportion|%) of (?:the |its |this year's )?(?:full[- ]year )?(?:\w+ ){0,4}(?:target|goal|forecast)\b.*\b(reach|reached|achieve|achieved|done|met|meet|hit|made|make)|(?:target|goal|forecast) (?:already )?(?:reached|achieved|met))"),
    # "the average gross margin" is an average of the margin: the averaging op comes first.
    ("margin_ratio", r"^(?!.*\b(?:average|the mean)\b).*(?:\b(gross margin (?:ratio|rate|percentage|%)|gross margin as a (?:percentage|share|proportion)|gross margin ratio|margin ratio)\b|\bgross margin\b.*\b(percent|percentage|%|ratio|rate)\b)"),
    ("margin", r"^(?!.*\b(?:average|the mean)\b).*\bgross margin\b"),
    ("operating_margin", r"\b(?:operating|net|ebitda|adjusted ebitda) margin\b(?! (?:in )?%| \(%\))|\b(?:operating|net) (?:income|profit) as a (?:share|percentage|proportion) of (?:total )?revenue"),
    # "Which grew faster, SI or network services?", "Did service revenue grow more than product revenue?"
    ("compare_growth", r"\b(?:gr[eo]w\w*|increas\w*|rose|rise)\s+(?:more|faster|less|slower)\s+than\b|"
                       r"\bwhich\b[^?]*\b(?:gr[eo]w|increas\w*|rose)\b[^?]*\b(?:faster|more|most|slower|less)\b[^?]*\bor\b"),
    ("rank", RANK.pattern + "|" + RANK_FIRST.pattern.replace("(?P<word>", "(?:").replace("(?P<group>", "(?:")),
    ("compare", r"^\s*compare\b(?!.*\b(?:with|to)\b)|\b(?:was|were|is|are|did)\b.+\b(?:higher|lower|larger|bigger|smaller|more|less)\s+than\s+(?:in\s+)?(?:the\s+)?"
                r"(?:(?:q[1-4]|[1-4][qh]|h[12]|fy)\w*|first|second|third|fourth|\d{4})\b|\bwhich (?:\w+ )?(?:was|is|were|had|brought|earned|made)?\s*(?:larger|bigger|higher|greater|more|smaller|lower|less)\b|\bwhich\b.*\b(more|larger|bigger|higher)\b.*\bor\b|\bhigher in the\b.*\bor\b"),
    ("ratio", r"\bratio of\b.+\bto\b|\b(?:divided by)\b|\bhow many times\b(?!.*\b(?:exceed\w*|above|over|more than|below|under|less than|did|do|does|has|have)\b)"),
    ("share", r"\b(share|percentage|proportion|(?<!current )(?<!-term )portion|fraction|part|percent) of\b|\bas (?:an? )?(?:share|percent(?:age)?|proportion) of\b|\bmake up\b|\bmade up\b|\baccount(?:ed)? for\b"),
    ("count_if", r"\bhow many (?:years|quarters|halves|periods|months|times|(?:[\w-]+\s+){0,2}?[\w-]+\s+(?:did|had|has|have|were|was))\b.*\b(?:exceed\w*|above|over|more than|greater than|higher than|at least|below|under|less than|lower than)\s+(?:[$\u20ac\u00a3\u00a5]|(?:US|S|A)\$|JPY|USD|EUR|GBP|RMB)?\s*-?[\d,]*\.?\d"),
    ("cagr", r"\bcagr\b|\bcompound(?:ed)? (?:annual )?growth\b"),
    ("median", r"\bmedian\b"),
    ("average", r"(?<!weighted )(?<!weighted-)\baverage\b(?!\s+(?:shares|balance|exchange|rate))|\bthe mean\b"),
    ("sum", r"\b(plus|combined|together|sum of|add(?:ed)? up|in total across|current and non-?current|current plus non-?current)\b|\b(?:total|sum) of\b(?=.*\b(?:and|plus)\b)"),
    ("pct_change", r"\b(by what (?:percent|%)|by what percentage|what percentage (?:growth|increase|decrease|change)|percent(?:age)? (?:growth|increase|decrease|change|rise|fall|decline)|how fast|growth rate|in percent|percent(?:age)? change|% change|grow(?:th)? (?:rate|in percent)|by how many percent|what % )|\b(?:grow|grew|growth|increase|rise|rose|change|fall|fell|decline|drop)\w*\b.*\b(percent|percentage|%)"),
    # "rev yoy", "NS rev 2Q12 yoy %": year on year is a percentage change, unless an amount is asked for.
    ("pct_change", r"^(?!.*\b(?:how many|added|net additions)\b).*\b(?:yoy|y/y|y-o-y|year[- ]on[- ]year|year[- ]over[- ]year|qoq|q/q|q-o-q|quarter[- ]on[- ]quarter|quarter[- ]over[- ]quarter)\b"
                   r"(?!.*\b(?:yen|dollars?|euros?|usd|jpy|eur|amount|how much|by how much|points?|pp|gbps|mbps|contracts|units|customers|atms)\b)"),
    ("pp_change", r"\b(percentage points|points|pp)\b"),
    ("change", r"\bhow much (?:more|less|higher|lower|bigger|smaller)\b.*\bthan\b|\b(?:higher|lower|up|down|more|less|bigger|smaller) or (?:higher|lower|up|down|more|less|bigger|smaller)\b|\b(?:more|less|higher|lower|bigger|smaller|better|worse)\b(?:\s+\w+){0,3}?\s+than\s+(?:in\s+)?(?:the\s+)?(?:last|previous|prior|a year|the year|same)\b|\b(?<!net )(?:increase|decrease)\b|\badds?\b(?!\s+up)|\b(added|net additions?|change|changed|grow|grew|growth|increased|decreased|rise|rose|fall|fell|drop|dropped|decline|declined|improve|improved|difference|differ|move|moved|go up|go down|went up|went down|compared? (?:with|to)|versus|vs\.?|gain|gained)\b"),
    ("define", r"^\s*(what(?:'s| is| are| does)|define|explain|meaning of)\b(?!.*\b(?:19|20)\d\d\b).{0,40}\b(mean|means|meaning|stand for)?\s*\??\s*$"),
]


QUOTED = r"['\"\u2018\u201c](?P<{}>[^'\"\u2019\u201d?]{{2,40}}?)['\"\u2019\u201d]"
# "What does YoY mean?", "what is 'SI' in these tables?", "There's a line called 'Elimination'. What is
# that?", "the difference between EBITDA and 'Adjusted EBITDA'": the question asks what a term means.
MEANS = [re.compile(p, re.I) for p in (
    r"\bwhat (?:does|do|did) (?:the |a |an |this |that )?['\"\u2018\u201c]?(?P<t>[^?'\"\u2019\u201d]{1,40}?)['\"\u2019\u201d]? (?:mean|stand for)\b",
    r"\b(?:what(?:'s| is| are) (?:the )?meaning of|^\W*define|^\W*explain) (?:the |a |an )?['\"\u2018\u201c]?(?P<t>[^?'\"\u2019\u201d]{1,40}?)['\"\u2019\u201d]?\W*$",
    r"^\W*what(?:'s| is| are) (?:a |an |the )?" + QUOTED.format("t"),
    r"^(?=.*" + QUOTED.format("t") + r").*(?:^|[.?!]\s+)what(?:'s| is| are| does)\s+(?:that|this|it)(?:\s+mean)?\W*$",
    # "Everyone keeps writing YoY, what does that mean?": the word just before the question about it.
    r"(?P<t>\b[\w&/-]{2,15})\W{1,4}what(?:'s| is| does)\s+(?:that|this|it)(?:\s+mean)?\W*$",
    r"\bdifference between (?:an? |the )?['\"\u2018\u201c]?(?P<a>[^?'\"\u2019\u201d]{2,40}?)['\"\u2019\u201d]? and (?:an? |the )?" + QUOTED.format("t"),
)]


def meaning_subject(q: str) -> str:
    """The term whose meaning is asked, where the question asks what a term means and the glossary has it."""
    for pat in MEANS:
        m = pat.search(q)
        if m and glossary_term(m["t"]) and (not m.groupdict().get("a") or glossary_term(m["a"])):
            return m["t"]
    return ""


def detect_op(q: str) -> tuple[str, bool]:
    for name, pat in OPS:
        if re.search(pat, q, re.I):
            return name, True
    return "value", False


PERIOD_PATTERNS = [
    (r"\b(?:start|beginning|begin)\s+of\s+(?:the\s+)?(?:fiscal\s+|financial\s+)?year\b", lambda m: PeriodSpec(0, start_of_fy=True)),
    (r"\bend\s+of\s+(?:the\s+)?(?:fiscal|financial|fy)\s*(?:year\s+)?'?(\d{4}|\d{2})\b", lambda m: PeriodSpec(0, fy=_yr(m[1]), year_end=True)),
    (r"\b(?:at|by|as of|on)\s+(?:the\s+)?(?:fiscal\s+|financial\s+)?year[- ]end\b|\b(?:at|by)\s+the\s+end\s+of\s+the\s+(?:fiscal\s+|financial\s+)?year\b(?!\s+(?:19|20)?\d\d)",
     lambda m: PeriodSpec(0, year_end=True)),
    (r"\b(?:start|beginning|begin)\s+of\s+(?:the\s+)?(first|1st|second|2nd|third|3rd|fourth|4th)[\s-]+(quarter|half)\b",
     lambda m: PeriodSpec(3 if m[2].lower() == "quarter" else 6, ORD[m[1].lower()], start=True)),
    # "the (fiscal) year ending March 2013", "six months ended September 30, 2012"
    (r"\b(?:fiscal\s+|financial\s+)?(years?|fy|twelve[- ]months|12[- ]months|six[- ]months|6[- ]months|half[- ]year|three[- ]months|3[- ]months|quarter)\s+end(?:ed|ing|s)?\s+(?:on\s+|in\s+)?"
     + MONTH_RE + r"\s*(?:\d{1,2}(?!\d))?(?:st|nd|rd|th)?,?\s*(\d{4})",
     lambda m: PeriodSpec({"y": 12, "f": 12, "t": 12, "1": 12, "s": 6, "6": 6, "h": 6, "3": 3, "q": 3}[m[1][0].lower()] if not m[1].lower().startswith("th") else 3,
                          end_month=MONTH_NUM[m[2].lower()], end_year=int(m[3]))),
    # explicit labels first: 1H12, 1H FY2012, 2Q11, Q2 FY2012
    (r"\b([12])h\s*(?:fy)?\s*'?(\d{4}|\d{2})\b", lambda m: PeriodSpec(6, int(m[1]), fy=_yr(m[2]))),
    (r"\bh([12])\s*(?:fy)?\s*'?(\d{4}|\d{2})\b", lambda m: PeriodSpec(6, int(m[1]), fy=_yr(m[2]))),
    (r"\b([1-4])q(?!-end)\s*(?:fy)?\s*'?(\d{4}|\d{2})\b", lambda m: PeriodSpec(3, int(m[1]), fy=_yr(m[2]))),
    (r"\bq([1-4])\s*(?:fy)?\s*'?(\d{4}|\d{2})\b", lambda m: PeriodSpec(3, int(m[1]), fy=_yr(m[2]))),
    (MONTH_RE + r"\s*(?:to|-|–|through|thru|until)\s*" + MONTH_RE + r"\s*(\d{4})?", lambda m: _month_range(m)),
    # "so far this year", "year to date", "right now": the latest period, as when no period is named.
    (r"\b(?:so far (?:this|in the) (?:fiscal |financial )?year|(?:this |the )?(?:fiscal |financial )?year[- ]to[- ]date|ytd|"
     r"(?:this |the )?(?:fiscal |financial )?year so far|these days|right now|at the moment|as of (?:now|today)|nowadays|currently|"
     r"(?:the )?latest (?:number|figure|one)s?(?: (?:in|from) the (?:report|filing))?)\b", lambda m: None),
    (r"\b(first|1st|second|2nd)[\s-]+half\b|\b([12])h\b|\bh([12])\b", lambda m: PeriodSpec(6, ORD.get((m[1] or "").lower()) or int(m[2] or m[3]))),
    (r"\b(half[- ]year|six[- ]months?|6[- ]months?|interim period)\b", lambda m: PeriodSpec(6)),
    (r"\b(first|1st|second|2nd|third|3rd|fourth|4th)[\s-]+quarter\b(?![\s-]+end)|\b([1-4])q\b(?!-end)|\bq([1-4])\b", lambda m: PeriodSpec(3, ORD.get((m[1] or "").lower()) or int(m[2] or m[3]))),
    # "the latest quarter", "the most recent half": the latest of that length the filing reports.
    (r"\b(?:the\s+)?(?:latest|most recent|last reported|current|last|past|this)\s+(quarter|half)\b(?!\s+of\b)", lambda m: PeriodSpec(3 if m[1].lower() == "quarter" else 6)),
    (r"\b(three[- ]months?|3[- ]months?|the quarter|quarterly|that quarter|same quarter)\b", lambda m: PeriodSpec(3)),
    # Dates in figures: "2012/9/30", "9/30/12" (month first unless the first number cannot be a month).
    (r"\b(?:at\s+|as\s+(?:of|at)\s+|on\s+|by\s+)?((?:19|20)\d\d)[/.-](\d{1,2})[/.-](\d{1,2})\b", lambda m: _numeric_date(m[2], m[3], m[1])),
    (r"\b(?:at\s+|as\s+(?:of|at)\s+|on\s+|by\s+)?(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})\b",
     lambda m: _numeric_date(m[1], m[2], m[3]) if int(m[1]) <= 12 else _numeric_date(m[2], m[1], m[3])),
    (r"\b(?:at\s+|as\s+(?:of|at)\s+|on\s+|by\s+|end\s+of\s+|in\s+|of\s+)?(?:the\s+)?(?:end\s+of\s+)?" + MONTH_RE + r"\s*(\d{1,2}(?!\d))?(?:st|nd|rd|th)?,?\s*(\d{4})?",
     lambda m: _date_spec(MONTH_NUM[m[1].lower()], m[2], m[3])),
    (r"\b(full[- ]year|whole year|for the year|annual|twelve months|12 months|fiscal year|financial year)\b", lambda m: PeriodSpec(12)),
]
BETWEEN_MONTHS = re.compile(r"\bbetween\s+" + MONTH_RE + r"\s+and\s+" + MONTH_RE + r"\s*(\d{4})?", re.I)
YEAR = r"\b(?:(?:fy|fiscal(?: year)?|financial year)\s*'?|f(?=\d\d\b))(\d{4}|\d{2})\b|\b((?:19|20)\d\d)\b"
TARGET = r"\b(target|targets|targeted|targeting|aiming|aimed|forecast|forecasts|goal|goals|plan(?!\s+assets)|planned|guidance|outlook|aim|aims|expect|expects|projected(?!\s+benefit)|full[- ]year target)\b"
PREV = r"\b(last year|previous year|prior year|year before|a year earlier|year earlier|a year ago|year-earlier|the year before|same (?:period|quarter|half) (?:of |in )?(?:the )?(?:last|previous|prior) year|last fiscal year|previous fiscal year|prior period|last year's|1 year ago|one year ago|same quarter a year earlier)\b"


def _date_spec(month: int, day, year) -> PeriodSpec:
    """A date; the 1st of a month means the balance at the end of the month before."""
    y = int(year) if year else None
    if day and int(day) == 1:
        month, y = (12, y - 1 if y else None) if month == 1 else (month - 1, y)
    return PeriodSpec(0, end_month=month, end_year=y)


def _numeric_date(month: str, day: str, year: str) -> Optional[PeriodSpec]:
    if not (1 <= int(month) <= 12 and 1 <= int(day) <= 31):
        return None
    return _date_spec(int(month), day, str(_yr(year)))


def _yr(s: str) -> int:
    y = int(s)
    return y + 2000 if y < 100 else y


def _month_range(m) -> PeriodSpec:
    a, b = MONTH_NUM[m[1].lower()], MONTH_NUM[m[2].lower()]
    span = (b - a) % 12 + 1
    return PeriodSpec(span if span in (3, 6, 9, 12) else None, end_month=b, end_year=int(m[3]) if m[3] else None)


def _restated(q: str, found: list) -> list:
    """ "dividends paid in 1H11 (last year's first half)": a period in brackets just after another,
    naming no year or month of its own, says that period again."""
    out: list = []
    for pos, spec in found:
        opened, closed = q.rfind("(", 0, pos), q.rfind(")", 0, pos)
        if opened > closed and out and 0 <= opened - out[-1][0] <= 40:
            if not (spec.fy or spec.end_year or spec.end_month):
                continue
            before = out[-1][1]
            # "last quarter (Jul-Sep 2012)": the brackets say more precisely which period of that length.
            if spec.months == before.months and spec.end_month and not (before.end_month or before.index or before.fy):
                out[-1] = (out[-1][0], spec)
                continue
        out.append((pos, spec))
    return out


def parse_periods(q: str) -> tuple[list[PeriodSpec], str]:
    """The periods named in the question, in order of appearance, and the question without them."""
    found: list[tuple[int, PeriodSpec]] = []
    rest = q
    masked = q  # the question with matches blanked out, so positions stay those of the question
    for pat, make in PERIOD_PATTERNS:
        for m in list(re.finditer(pat, masked, re.I)):
            spec = make(m)
            if spec is None:
                continue
            found.append((m.start(), spec))
        rest = re.sub(pat, " ", rest, flags=re.I)
        masked = re.sub(pat, lambda m: " " * len(m.group(0)), masked, flags=re.I)
    years = [(m.start(), _yr(m[1] or m[2])) for m in re.finditer(YEAR, q, re.I)]
    rest = re.sub(YEAR, " ", rest, flags=re.I)
    target = bool(re.search(TARGET, q, re.I))
    prev = bool(re.search(PREV, q, re.I))
    rest = re.sub(PREV, " ", rest, flags=re.I)
    found.sort(key=lambda x: x[0])
    found = _restated(q, found)
    found = _own_years(found, years)
    found = [(pos, _at_end(q, pos, spec)) for pos, spec in found]
    if any(spec.end for _, spec in found):
        rest = re.sub(r"\b(?:(?:at|as of|by)\s+)?(?:the\s+)?end\s+of\b", " ", rest, flags=re.I)  # said by the period, not a name
    specs = []
    for _, x in found:  # "full-year ... fiscal year" names one period twice
        if x not in specs:
            specs.append(x)
    if any(x.months == 12 and x.end_month for x in specs) and not re.search(r"\b(?:fy|fiscal(?: year)?)\s*'?\d{2,4}\b", q, re.I):
        # "the annual X in the fiscal years ended June 30, ...": "annual" says that length again.
        specs = [x for x in specs if x != PeriodSpec(12)]
    # "the first half of this fiscal year": the year phrase only says which year ("the full-year target" names one).
    if any(x.months in (3, 6) for x in specs) and not target:
        specs = [x for x in specs if not (x.months == 12 and not x.fy and not x.index)]
    # A bare month with no day after a quarter/half phrase ("six months to September") names the end month.
    merged: list[PeriodSpec] = []
    for s in specs:
        if merged and s.months in (3, 6) and s.end_month and not s.index and merged[-1].months == s.months and merged[-1].index:
            # "Q1 FY2012 (Apr-Jun)": the months say again which quarter; with a year they say it more precisely.
            if s.end_year and not merged[-1].fy:
                merged[-1] = s
            continue
        if merged and s.months == 0 and merged[-1].months == 12 and s.end_month == merged[-1].end_month:
            s = replace(s, months=12)  # "fiscal year ended April 28, 2018 to April 29, 2017": the other year, not a date
        if merged and s.months == 0 and s.end_month and merged[-1].months in (3, 6) and merged[-1].end_month is None and not merged[-1].index:
            merged[-1] = replace(merged[-1], end_month=s.end_month, end_year=s.end_year or merged[-1].end_year)
            continue
        merged.append(s)
    if target or re.search(r"\bdividends?\b", q, re.I):
        # "the year-end dividend", "planned at year-end": a payment named by when it falls, not a balance date.
        merged = [x for x in merged if not (x.year_end and not x.fy)]
    specs = merged
    distinct = list(dict.fromkeys(y for _, y in years))
    if len(specs) == 1 and specs[0].index and not specs[0].fy and not specs[0].end_year and len(distinct) == 2:
        specs = [replace(specs[0], fy=y) for y in distinct]  # "the first quarter, from FY2011 to FY2012"
    if years:
        plain = [y for pos, y in years]
        unyeared = list(specs)
        for i, s in enumerate(specs):
            if s.fy is None and s.end_year is None:
                if s.months == 0:
                    specs[i] = replace(s, end_year=plain[min(i, len(plain) - 1)])
                elif s.end_month and not s.index:
                    specs[i] = replace(s, end_year=plain[min(i, len(plain) - 1)])
                else:
                    specs[i] = replace(s, fy=plain[min(i, len(plain) - 1)])
        if len(specs) == 2 and specs[0] == specs[1] and unyeared[0] != unyeared[1]:
            # "second-quarter revenue compared with Q2 2019": the one year said belongs to one of them; the other is the latest.
            specs[0] = unyeared[0]
        if not specs:
            specs = [PeriodSpec(fy=y) for y in plain[:2]]
        specs = _each_year(q, specs, distinct)
    if target:
        if not specs:
            specs = [PeriodSpec(12, target=True)]
        else:
            latest = max((s.fy for s in specs if s.fy), default=None)
            # "the FY2012 target against FY2011": the target is the later year's, the earlier one achieved.
            specs = [(replace(s, months=s.months or 12) if s.fy and latest and s.fy < latest else replace(s, target=True))
                     if s.months in (None, 12) else s for s in specs]
    if prev and len(specs) == 1 and re.search(r"\b(?:the\s+)?year before that\b|\btwo years (?:ago|earlier|before)\b", q, re.I) \
            and re.search(r"\blast year'?s?\b|\bprevious year'?s?\b|\bprior year'?s?\b", q, re.I):
        specs = [replace(specs[0], relative=-2), replace(specs[0], relative=-1)]  # "last year's ... versus the year before that"
    elif prev and len(specs) == 2:
        generic = [x for x in specs if x.fy is None and x.index is None and x.end_year is None]
        specific = [x for x in specs if x not in generic]
        if len(generic) == 1 and len(specific) == 1:
            specs = [replace(specific[0], relative=-1), specific[0]]
    elif prev and specs and all(x.fy or x.end_year for x in specs):
        pass  # "a year earlier, at the end of 1H FY2011": the explicit year already says which
    elif prev:
        if specs:
            if len(specs) == 1:
                specs = [replace(specs[0], relative=-1)] + ([specs[0]] if _is_comparison(q) else [])
        else:
            specs = [PeriodSpec(relative=-1)] + ([PeriodSpec()] if _is_comparison(q) else [])
    rest = re.sub(TARGET, " ", rest, flags=re.I)
    return specs, rest


# "the change in the average X between 2017-2018 and 2018-2019": two averages, each over two years.
YEAR_PAIRS = re.compile(r"\b((?:19|20)\d\d)\s*[-\u2013]\s*((?:19|20)\d\d),?\s+and\s+((?:19|20)\d\d)\s*[-\u2013]\s*((?:19|20)\d\d)\b")
YEAR_RUN = re.compile(r"\b(?:19|20)\d\d\s*(?:,|and|&|to|-|\u2013|through)\s*(?:(?:fiscal|fy)\s*)?(?:19|20)\d\d\b", re.I)


def _each_year(q: str, specs: list, years: list[int]) -> list:
    """ "December 31, 2018 and 2019", "the annual X in 2018 and 2019": one period phrase over a run of
    years names that period in each of them."""
    if len(specs) != 1 or len(years) < 2 or specs[0].index or specs[0].relative or not YEAR_RUN.search(q):
        return specs
    s = specs[0]
    if s.end_year is not None and s.fy is None:
        return [replace(s, end_year=y) for y in years[:4]]
    return [replace(s, fy=y) for y in years[:4]] if s.fy is not None else specs


AT_END = re.compile(r"\b(?:at|as of|by)\s+(?:the\s+)?end\s+of\s+(?:the\s+)?$|\bend\s+of\s+(?:the\s+)?$", re.I)


def _at_end(q: str, pos: int, spec: PeriodSpec) -> PeriodSpec:
    """ "at the end of the first half", "at the end of H1": the balance on the day it ends, not the
    figure for the half."""
    if spec.months in (3, 6) and not spec.start and AT_END.search(q[max(0, pos - 30):pos]):
        return replace(spec, end=True)
    return spec


def _own_years(found: list[tuple[int, PeriodSpec]], years: list[tuple[int, int]]) -> list[tuple[int, PeriodSpec]]:
    """ "the first half of FY2011 to the first half of FY2012": a year written right after a half or
    quarter (before the next period phrase) belongs to it, so the two are not read as one."""
    out = []
    for i, (pos, spec) in enumerate(found):
        nxt = found[i + 1][0] if i + 1 < len(found) else 10**9
        own = [y for p, y in years if pos < p < nxt]
        if own and spec.months in (3, 6) and spec.index and spec.fy is None and spec.end_year is None and len({y for _, y in years}) > 1:
            spec = replace(spec, fy=own[0])
        out.append((pos, spec))
    return out


def _is_comparison(q: str) -> bool:
    return bool(re.search(OPS_BY_NAME["change"], q, re.I) or re.search(OPS_BY_NAME["pct_change"], q, re.I) or re.search(r"\bcompared?\b|\bversus\b|\bvs\b", q, re.I))


OPS_BY_NAME = dict(OPS)
ELLIPSIS = re.compile(r"^\s*(and|what about|how about|so|also|then|same for|now|just|only)\b|^\s*(and|so)?\s*(in|for|at)\s+(the\s+)?(year|quarter|half|march|september|dollars|us dollars|usd)\b|\b(it|its|that|this|them|those|their)\b(?!\s+(?:half|quarter|year|fiscal|financial|period|month|time)\b)", re.I)
CURRENCY = [(r"\b(us ?dollars?|usd|us\$|dollar terms|dollars?)\b|\$", "USD"), (r"\b(euros?|eur)\b|€", "EUR"),
            (r"\b(yen|jpy)\b|¥", "JPY"), (r"\b(pounds? sterling|gbp)\b|£", "GBP")]


OP_WORDS = re.compile(
    r"\b(how fast|by what (?:percent|percentage)|what percentage|in percent|percent(?:age)?|versus|vs\.?|compared (?:with|to)|"
    r"grow|grew|grown|growth|(?:as a |what )?(?:share|proportion|portion|fraction) of|went to|go to|came from|come from|achieved|reached|"
    r"how far along|progress (?:toward|towards)|work out|calculate|roughly|approximately|(?:at|using|with) (?:the )?(?:report'?s|filing'?s|company'?s|reported|filing|report)?\s*(?:exchange )?rate|"
    r"still needed|still need|needed|need|left|remaining|to (?:reach|hit|meet|achieve)|larger|bigger|higher|greater|give the \w+ amount|"
    r"how many points|percentage points|points|improve|improved|year-on-year|year on year|yoy|represent|how much more|how much less|than|"
    r"(?:is |are )?(?:built|baked) into|assumes?|assumed|implie[sd]|(?:is |are )?(?:built|baked) in)\b",
    re.I,
)


def understand(question: str) -> Plan:
    # A percent sign that follows no number is the word ("yoy %", "what % of", "in %?").
    # "the % of revenue" is a row's name, kept as printed.
    q = " ".join(re.sub(r"(?<![\d.])(?:(?<!\bthe )%|%(?!\s*of\b))", " percent ", question).split())
    # "the US", "U.S. customers": the country, not the pronoun "us" (nor US$, US dollars: a currency).
    q = re.sub(r"\bU\.?S\.?(?!\$|\s*(?:dollars?|\$))(?=\W|$)", "United States", q)
    # "Q1 then? just the quarter before": a shift by a quarter or half is said by the period it names.
    q = re.sub(r"[,;]?\s*\b(?:just |only )?the (?:quarter|half|month) before\b", " ", q, flags=re.I)
    # "the first or the second quarter" names two quarters.
    q = re.sub(r"\b(first|second|third|fourth|1st|2nd|3rd|4th)\s+or\s+(the\s+)?(first|second|third|fourth|1st|2nd|3rd|4th)\s+(quarter|half)\b",
               r"\1 \4 or \2\3 \4", q, flags=re.I)
    op, explicit = detect_op(canonical(q))
    periods, rest = parse_periods(canonical(q))
    pairs = YEAR_PAIRS.search(q)
    if pairs and op == "average":
        periods = [PeriodSpec(fy=int(y)) for y in pairs.groups()]  # each two-year average's own years
    if any(s.target and not s.relative for s in periods):
        # "growth over last year that the target assumes": last year is what was achieved, not a target.
        periods = [replace(s, target=False) if s.relative else s for s in periods]
    currency = ""
    for pat, code in CURRENCY:
        asks_rate = re.search(r"\b(what|which)\b[^?]{0,40}\brate\b", q, re.I) and not re.search(r"\b(in|into|to)\s+(us\s+)?(dollars?|usd)\b", q, re.I)
        if re.search(pat, q, re.I) and not asks_rate:
            currency = code
            rest = re.sub(pat, " ", rest, flags=re.I)
    if op == "pp_change" or (op == "change" and re.search(r"\bpoints?\b", q, re.I)):
        op = "change"
    if UNIT_ASKED.search(q):  # "total BW yoy chg in Gbps": the change in that unit, and the unit names no figure
        rest = UNIT_ASKED.sub(" ", rest)
        op = "change" if op == "pct_change" else op
    metric = canonical(rest)
    parts = split_parts(metric, op)
    # A parenthetical only clarifies ("(before non-controlling interests)"); the name comes first.
    # One word in brackets is part of the name, as labels print it: "income (loss)", "gains (losses)".
    bare = re.sub(r"\([^)]*\s[^)]*\)", " ", metric)
    metric = OP_WORDS.sub(" ", bare if tokens(bare) else metric)
    short = len(tokens(metric)) == 0
    elliptical = bool(ELLIPSIS.search(q)) and len(q) < 80 or short
    # "basic, not diluted": a modifier the question rules out names nothing.
    metric = re.sub(r"\b(?:not|rather than|instead of|as opposed to)\s+(?:the\s+)?(?:" + "|".join(sorted(MODIFIERS)) + r")\b", " ", metric, flags=re.I)
    subject = meaning_subject(q) if op != "period_meaning" else ""
    cues = read_cues(subject or q, metric)
    if cues.rank_word and (cues.members or cues.within) and op in ("value", "change", "compare", "compare_growth", "rank"):
        op = "rank"  # "which of A, B, C or D grew most", "among the X, which one grew fastest"
    op = "define" if subject else _settle(op, q, metric, periods, cues)
    between = BETWEEN_MONTHS.search(canonical(q))
    if between and op in ("value", "sum") and len(periods) == 2 and all(s.months == 0 for s in periods):
        periods = [_month_range(between)]  # "sold between April and September": the months between; a change is two dates
    moved = of_percentage(canonical(q), op)
    if moved:
        op, cues, parts = moved, replace(cues, percent=True), []  # one figure: no share's parts
    if op == "share" and any(s.target for s in periods) and not all(s.target for s in periods):
        op = "target_progress"  # "what percent of the full-year target is 1H revenue": the result against the target
    if op == "value" and periods and all(s.months in (3, 6) for s in periods) and re.search(TARGET, q, re.I):
        periods = [replace(s, target=True) for s in periods]  # "the first-half target": a target for the half, not its result
    op, asked = narrative_question.read(q, op, explicit, periods)  # why / what happened / what is / which
    if subject:
        op, asked = "define", Asked("description", (Side(subject),))
    elif GROWING.search(q) and op in ("value", "change", "narrative"):
        op, asked = "rank", None  # the parts by growth, each with its figure, not a list of sentences
    cues = replace(cues, narrative=asked)
    expr = None
    if op == "count_if":
        expr = count_if(q)
        op = "count_if" if expr is not None else "value"
    rows, top = over_rows(q, op, expr)
    if rows:
        op, cues = "rows", replace(cues, over_rows=rows, top=top)
        metric = " ".join(ROW_SET_WORDS.sub(" ", metric).split())
    elif op == "count_if" and expr.subject:
        op, expr = "value", None  # rows counted, but the question names no figure to count them by
    if op in ("count_if", "rows"):
        pass
    elif (pair := paired(rest, op, len(periods))) is not None:
        expr, op = pair, "expr"
    elif op == "ratio" and parts and re.search(r"\bhow many times\b", q, re.I):
        pass  # "A is how many times B": the parts are the program; "times" is no multiplication here
    elif subject:
        pass  # what a term means, not its figure worked out
    elif cues.percent:
        expr = composed(rest, metric, op)[0]  # worked out only where the filing prints no such percentage
    elif op not in ("narrative", "overview", "period_meaning", "target_remaining", "target_progress", "rank", "average", "median", "cagr"):
        expr, op = composed(rest, metric, op)
    return Plan(q, op, metric, tuple(periods), currency, tuple(parts), expr, cues,
                tuple(tokens(q, keep_stop=True)), elliptical, explicit)


# "X as a percentage of Y", "the percentage of Y", "% to net sales": a percentage of a whole, which
# tables often print in a row or column of their own.
MOVE_WORDS = r"\b(?:change|changed|increase|decrease|difference|grow|grew|growth|rise|rose|fall|fell|decline|declined|move|moved)\b"
PERCENT_OF = re.compile(r"\b(?:percentage|percent|%)\s+(?:of|to)\b", re.I)


def of_percentage(q: str, op: str) -> str:
    """ "The average X as a percentage of Y", "the change in the percentage of plan assets for X": an
    average or change of a percentage (which the filing may print), not a share; "what percentage of
    the decrease is X" asks for a share."""
    pct = PERCENT_OF.search(q)
    if op not in ("share", "pct_change", "target_progress") or pct is None or re.match(r"\W*(?:what|how many)\s+(?:percentage|percent|%)", q, re.I):
        return ""
    for name, said in (("average", OPS_BY_NAME["average"]), ("change", MOVE_WORDS)):
        m = re.search(said, q, re.I)
        if m and m.start() < pct.start() and not re.search(r"\b(?:percentage|percent|%)\s+(?:change|growth|increase|decrease)\b", q, re.I):
            return name
    return ""


# "the top 3 revenues", "the three highest carrying values": the N largest rows of a table.
TOP_N = re.compile(r"\b(?:top|largest|biggest|highest)\s+(?P<a>[2-9]|two|three|four|five)\b|\b(?P<b>[2-9]|two|three|four|five)\s+(?:largest|biggest|highest)\b", re.I)
NUMBER_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5}
# "all expenses", "all the directors", "all non-employee directors": every row of a table ("all other
# compensation" is a column's name, "all years" a run of periods).
EVERY_ROW = re.compile(r"\ball\s+(?:of\s+)?(?:the\s+)?(?!other\b)(?:[\w-]+\s+)?(?!(?:years|periods|quarters|months|halves)\b)[\w-]+s\b", re.I)
ADDED = re.compile(r"\b(?:sum|add(?:ed)? up|total (?:amount|sum|value))\b", re.I)
# "How many components does X consist of?", "how many types of non-cash changes are there?": the lines under a heading, counted.
COUNT_ROWS = re.compile(r"^\W*how many (?:different\s+)?(?:categories|types|kinds|components|classes|sources|elements|line items)\b", re.I)
ROW_SET_WORDS = re.compile(TOP_N.pattern + r"|" + COUNT_ROWS.pattern[4:] + r"(?:\s+of)?|\b(?:all|sum|total|amount|add(?:ed)? up(?: to)?|top|highest|largest"
                           r"|biggest|how much (?:do|does|did)|are there|consists? of|does)\b", re.I)


def over_rows(q: str, op: str, expr) -> tuple[str, int]:
    """The aggregation across the rows of a table a question asks for ("add", "mean", "count_if"), and
    how many of the largest rows it takes (0: every row)."""
    if op == "count_if" and expr is not None and expr.subject:
        return "count_if", 0
    if COUNT_ROWS.search(q):
        return "count", 0
    adds = op == "sum" or bool(ADDED.search(q))
    top = TOP_N.search(q)
    if top and adds and op in ("sum", "value", "rank"):
        n = top["a"] or top["b"]
        return "add", int(NUMBER_WORDS.get(n.lower(), n))
    if EVERY_ROW.search(q) and (op == "average" or adds and op in ("sum", "value")):
        return ("mean" if op == "average" else "add"), 0
    return "", 0


HOLDING = re.compile(r"\b(have|had|has|hold|holds|held|on hand|balance|owe|owed|owes)\b", re.I)
BASE_FIRST = re.compile(r"\bsince\b|\b(?:from|compared (?:with|to)|versus|vs\.?|than|over|against)\s+(?:the\s+)?"
                        r"(?:(?:(?:first|second|third|fourth|1st|2nd|3rd|4th)\s+(?:half|quarter)\s+(?:of\s+)?|[1-4][qh]\s*|q[1-4]\s*|h[12]\s*)?"
                        r"(?:fiscal\s+(?:year\s+)?|fy\s*|financial\s+year\s+)?'?\d{2,4}\b|(?:end\s+of\s+)?"
                        + MONTH_RE + ")", re.I)
MOVED = re.compile(r"\b(change|changed|grow|grew|increase|decrease|improve|improved|rise|rose|fall|fell|compared|versus|from last year|points)\b", re.I)
DOWN = re.compile(r"\b(down|decrease|decreased|fall|fell|drop|dropped|decline|declined|lower|shrink|shrank)\b", re.I)
UP = re.compile(r"\b(up|increase|increased|rise|rose|grow|grew|growth|higher|double|doubled|jump|jumped)\b", re.I)
EXCLUDING = re.compile(r"(?P<a>\w.*?)\s+(?:excluding|without|not counting|leaving out)\s+(?P<b>\w.*)", re.I)


FY_WORD = r"(?:fy\s*|fiscal\s+(?:years?\s+)?)?"
SPAN = re.compile(rf"\b(?:from\s+|between\s+)?{FY_WORD}((?:19|20)\d\d)\s*(?:-|\u2013|to|through|until|thru)\s*{FY_WORD}((?:19|20)\d\d)\b", re.I)
SPAN_BETWEEN = re.compile(rf"\bbetween\s+{FY_WORD}((?:19|20)\d\d)\s+and\s+{FY_WORD}((?:19|20)\d\d)\b", re.I)


def read_cues(q: str, metric: str) -> Cues:
    counted = re.search(r"\bhow many\s+(.+?)\s+(?:did|do|does|were|was|are|is|had|has|have|in|at|for)\b", canonical(q), re.I)
    rank = RANK.search(q) or RANK_FIRST.search(q)
    members = listed_members(q)
    # Read from the metric, where the periods are already taken out: "in the second quarter, which ..." names
    # a time, not a group to look within.
    within = next((m for m in [WITHIN.search(metric)] if m and tokens(m["parent"])), None)
    loose = SUPERLATIVE.search(q) if (members or within) else None
    word = (rank or loose)["word"].lower().split("-")[0].split()[0] if (rank or loose) else "fastest" if GROWING.search(q) else ""
    word = COMPARATIVE.get(word, word)
    down, up = bool(DOWN.search(q)), bool(UP.search(q))
    # "from 2017 to 2019", "2017-2019", "between 2017 and 2019": a run of years, every year in it.
    span = SPAN.search(q) or SPAN_BETWEEN.search(q)
    term = glossary_term(q)
    said = ""
    if term and " " not in term:  # the term as the question writes it ("SG&A", "EBITDA")
        m = re.search(r"&?".join(re.escape(c) for c in term.replace(" ", "")), re.sub(r"\s+", "", q), re.I)
        said = m.group(0) if m else ""
    return Cues(
        counts=bool(re.search(r"\bhow many\b|\bnumber of\b", q, re.I)),
        counted=tuple(tokens(counted.group(1))) if counted else (),
        holding=bool(HOLDING.search(q)),
        base_first=bool(BASE_FIRST.search(q)),
        moved=bool(MOVED.search(q)),
        high=word in HIGH if word else True,
        faster=bool(re.search(r"\b(?:faster|more|most|quicker)\b", q, re.I)),
        rank_word=word,
        rank_group=rank["group"] if rank else "",
        members=members,
        within=within["parent"].strip() if within and word else "",
        growth=word in ("fastest", "slowest") or bool(re.search(r"\bgr[eo]w|\bgrowth\b|\bincrease|\bimprov|\badd(?:ed|s)?\b(?!\s+up)", q, re.I)),
        quarterly=bool(re.search(r"\bquarter(?:ly)?\b", q, re.I)),
        span=tuple(sorted(int(y) for y in span.groups())) if span else (),
        direction="both" if down and up else "down" if down else "up" if up else "",
        term=term or "",
        term_said=said,
        yes_no=bool(YES_NO.match(q)),
        asked_loss=bool(LOSS.search(q)),
        part_of=bool(re.search(r"\b(?:how much|what part|which part|what portion|how many) of (?:it|that|this|those|them|these)\b|"
                             r"^\W*(?:and\s+)?(?:just|only) the\b.*\b(?:part|portion|piece|bit|share)\b", q, re.I)),
        refers=bool(re.search(r"\b(?:its|their|it|those|them|these)\b|\b(?:of|on|from|in) (?:that|this)\b", q, re.I)),
        which_one=bool(re.search(r"\bwhich ones?\b", q, re.I)),
        year_on_year=bool(re.search(r"\b(?:yoy|y/y|year[- ]on[- ]year|year[- ]over[- ]year|a year (?:earlier|before|ago))\b", q, re.I)),
    )


UNIT_ASKED = re.compile(r"\bin (?:gbps|mbps|tbps|kbps|gb|tb|contracts|units|shares|customers|subscribers|subscriptions)\s*(?=[?.!,]|$)", re.I)
GROWTH_RATE = re.compile(r"\b(?:grow|grew|grown|growing|going up)\b", re.I)
AMOUNT_ASKED = re.compile(r"\bin (?:yen|jpy|dollars?|usd|euros?|terms of (?:yen|dollars))\b|\byen\b|\b(?:in )?(?:yen|dollar|money|absolute) terms\b|"
                          r"\bup or down\b|\bhow many\b|\bpoints?\b|\bcurrency\b|[$\u00a5\u20ac]", re.I)


def _settle(op: str, q: str, metric: str, periods: list, cues: Cues) -> str:
    """A definition only for "what is <term>?"; "what is this year's revenue target?" and "what's the
    revenue?" ask for a figure. "X excluding Y" is its own operation."""
    if op == "define":
        figure = re.search(r"^\s*what(?:'s| is| are| was| were)\s+(?:the|our|its|their|this|that|\w+'s)\s", q, re.I) and not re.search(
            r"\b(mean|means|meaning|stand for|stands for|definition|define|explain)\b", q, re.I)
        asked = set(tokens(metric)) - set(tokens("mean meaning stand definition define explain"))
        term = cues.term
        if not (term and not periods and not figure and asked <= set(tokens(term)) | set(tokens(canonical(term)))):
            op = "value"
    if op == "value" and EXCLUDING.search(metric):
        op = "excluding"
    if (op == "value" and len(periods) >= 2 and re.search(r"\b(?:total|sum|combined|altogether)\b", q, re.I)
            and re.search(r"\b(?:19|20)\d\d\s*(?:,|and|&|to|-|\u2013|through)\s*(?:fy\s*|fiscal\s+(?:year\s+)?)?(?:19|20)\d\d\b", q, re.I)):
        op = "sum"  # "the total X in 2018 and 2019": the two years added
    # "How much did revenue grow on last year's half?": growth of a figure over periods is a rate; an amount when
    # the question names a currency or asks how much it went up or down, and always for balances at two dates.
    if (op == "change" and GROWTH_RATE.search(q) and not AMOUNT_ASKED.search(q) and not any(s.months == 0 for s in periods)
            and not cues.counts):
        op = "pct_change"
    return op


def glossary_term(text: str) -> Optional[str]:
    """The longest glossary term the text names."""
    t = " " + " ".join(tokens(text, keep_stop=True)) + " "
    for term in _terms_by_length():
        if f" {' '.join(tokens(term, keep_stop=True))} " in t:
            return term
    return None


@lru_cache(maxsize=1)
def _terms_by_length() -> tuple[str, ...]:
    return tuple(sorted(glossary()["terms"], key=len, reverse=True))


def split_parts(metric: str, op: str) -> list[str]:
    m = metric
    if op == "share":
        for pat in [
            r"(?:share|percentage|proportion|portion|fraction|part|percent) of (?:the |all |total )?(?P<whole>.+?)\s+(?:came from|come from|comes from|was|were|is|are|went to|go to|goes to|did|from|for)\s+(?P<part>.+)",
            r"(?P<part>.+?)\s+as (?:an? )?(?:share|percent(?:age)?|proportion) of (?:the )?(?P<whole>.+)",
            r"(?:share|percentage|proportion|portion|fraction|part|percent) of (?:the )?(?P<whole>.+?)\s+(?:did|does|do)\s+(?P<part>.+?)\s+(?:make up|account for|represent)",
            r"(?P<part>.+?)\s+(?:make|made|makes) up .*?(?:of )(?P<whole>.+)",
        ]:
            mm = re.search(pat, m, re.I)
            if mm:
                return [_clean_part(mm["part"]), _clean_part(mm["whole"])]
    if op == "ratio":
        mm = next((x for pat in RATIO_PARTS if (x := re.search(pat, m, re.I))), None)
        if mm:
            return [_clean_part(mm["a"]), _clean_part(mm["b"])]
        # "how many times bigger was ATM revenue this half than last year": one figure, over the periods named.
        one = _clean_part(re.sub(r"\bhow many times\b|\bcompared (?:with|to)\b|\bagainst\b|\bthan\b", " ", m, flags=re.I))
        if re.search(r"\bhow many times\b", m, re.I) and tokens(one):
            return [one, one]
    if op in ("compare", "compare_growth"):
        mm = re.search(r"[:,]?\s*(?P<a>[^:,]+?)\s+or\s+(?P<b>[^?.,]+)", m, re.I) or re.search(
            r"^(?:did|has|have|was|were)?\s*(?P<a>.+?)\s+(?:gr[eo]w\w*|increas\w*|rose|rise)\s+(?:more|faster|less|slower)\s+than\s+(?P<b>[^?.]+)", m, re.I)
        if mm:
            return [_clean_part(mm["a"]), _clean_part(mm["b"])]
    if op == "sum":
        m = re.sub(r"^.*?\b(?:total|sum) of\s+(?:the\s+)?", "", m, flags=re.I)  # the words before it name no figure
        got = _sum_split(m)
        if got:
            head, a, b = got
            a, b = _shared_noun(a, b)
            return [_clean_part(head + " " + a), _clean_part(head + " " + b)]
    return []


SUM_ENDS = (re.compile(r"\)?\s*(?:combined|together)?\s*[?.]?\s*$", re.I), re.compile(r"\)?\s*[?.]?\s*$"))
SUM_TAKES = re.compile(r"[\w\s'\-(+]")
SUM_JOIN = re.compile(r"\s+(?:plus|and|\+)\s+", re.I)
HEAD = re.compile(r"[\w\s']*$")


def _sum_split(m: str) -> Optional[tuple[str, str, str]]:
    """(head, a, b) of "head (A plus B) combined", "A and B", "IIJ's A + B"; None when no two figures are
    joined. Linear in the text: a pattern doing this backtracked for seconds on a long question."""
    for end in SUM_ENDS:
        got = _joined(m[:end.search(m).start()])
        if got:
            return got
    return None


def _joined(body: str) -> Optional[tuple[str, str, str]]:
    i = len(body)
    while i and SUM_TAKES.match(body[i - 1]):
        i -= 1
    s = body[i:]  # the two figures lie in the longest tail of the characters they can be written with
    quote, paren = s.rfind("'"), s.rfind("(")
    if quote > paren:  # a possessive ("IIJ's") ends the words both figures share: the figures follow it
        head, inner = HEAD.search(s[paren + 1:quote + 1]).group(), s[quote + 1:]
    elif paren >= 0:  # "revenue (corporate plus home use)": the words before the bracket are shared
        head, inner = HEAD.search(s[:paren]).group(), s[paren + 1:]
    else:
        head, inner = "", s
    lead = len(inner) - len(inner.lstrip())
    for j in SUM_JOIN.finditer(inner, lead + 1):
        a, b = inner[lead:j.start()], inner[j.end():]
        if "+" in a:  # a "+" other than the one joining the two figures is a boundary
            head, a = "", a[a.rfind("+") + 1:]
        if a.strip() and b.strip() and "+" not in b:
            return head, a, b
    return None

# "A is how many times B", "how many times bigger is A than B": A over B.
RATIO_PARTS = (r"ratio of (?P<a>.+?) to (?P<b>.+)", r"(?P<a>.+?) divided by (?P<b>.+)",
               r"(?P<a>.+?)\s+(?:is|was|are|were)\s+how many times\s+(?:(?:as (?:big|large|much|high) as|bigger than|larger than|greater than|higher than)\s+)?(?P<b>.+)",
               r"how many times (?:bigger|larger|greater|more|higher) (?:is|was|are|were) (?P<a>.+?) than (?P<b>.+)",
               r"how many times (?:is|was|are|were) (?P<a>.+?) (?:bigger than|larger than|greater than|as (?:big|large|much|high) as|of) (?P<b>.+)")
MODIFIERS = {"current", "noncurrent", "basic", "diluted", "domestic", "overseas", "foreign", "gross", "net", "fixed", "recurring"}


def _shared_noun(a: str, b: str) -> tuple[str, str]:
    """ "short-term and long-term borrowings": both modifiers qualify the one noun, so the first part
    gets it too ("short-term borrowings")."""
    wa, wb = a.split(), b.split()
    def modifier(w: str) -> bool:
        return "-" in w or w.lower() in MODIFIERS

    if len(wa) == 1 and len(wb) >= 2 and modifier(wa[0]) and modifier(wb[0]):
        return f"{a} {' '.join(wb[1:])}", b
    return a, b


def _clean_part(s: str) -> str:
    s = re.sub(r"\b(which|what|did|does|is|are|was|were|grew|grow|faster|slower|brought in|in|the|more|larger|bigger|higher|give|amount|plus|combined|together"
               r"|account(?:ed)? for|make up|made up|represent(?:ed|s)?|year)\b", " ", s, flags=re.I)
    return " ".join(s.split()).strip(" ?.,:")
