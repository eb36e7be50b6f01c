"""Conversations as staff type them: the earlier turns read the same way as a new question (chatter,
initials, spelling), 'its' keeps the subject, a quarter named alone switches the period."""
from __future__ import annotations

import pytest


def turns(*questions: str) -> list[dict]:
    out = []
    for q in questions:
        out += [{"role": "user", "content": q}, {"role": "assistant", "content": "(answer)"}]
    return out


@pytest.mark.parametrize("before,question,value,unit", [
    (["SI revenue 1H12"], "and its cost?", 14089358000, "JPY"),
    (["op income for 2Q12?"], "and Q1 then? just the quarter before", 1374023000, "JPY"),
    (["NS cost 1H12"], "in USD?", 325752000, "USD"),  # "NS" in the earlier turn is read as it was when asked
    (["operating cash flow 1H12"], "and for Q2 alone?", 2545940000, "JPY"),
    (["NS rev 2Q12 yoy %"], "and its cost in yen?", 12957000, "JPY"),  # a currency asks for the change as an amount
    (["WAN services revenue 1H12"], "and the internet connectivity services for home use?", 2768151000, "JPY"),  # a long name swaps the subject
    (["total revenues in 2Q12"], "how did that compare with the first quarter, in yen?", 1426475000, "JPY"),  # the unprinted quarter worked out
    (["capex including capital leases in 1H12"], "how much of that was from capital leases?", 3118126000, "JPY"),  # a part, not the whole again
    (["ATM operation revenue 1H12", "and its cost?"], "so what is the gross margin in yen?", 143964000, "JPY"),  # the subject kept over two turns
    (["general and administrative expenses for 2Q12"], "versus 2Q11 in percent?", 15.5043, "%"),  # between the two quarters named
    (["total equity as of September 30, 2012"], "only the noncontrolling interests part?", 9219000, "JPY"),  # the balance date kept
    (["contracts for corporate internet connectivity"], "what is the percent growth?", 9.712923, "%"),
])
def test_a_follow_up_keeps_what_it_refers_to(engine, before, question, value, unit):
    a = engine.answer(question, turns(*before))
    assert a.answerable and a.unit == unit, a.summary
    assert abs(a.value - value) <= abs(value) * 1e-3, a.summary
    assert a.sources


def test_a_follow_up_that_would_only_repeat_the_answer_before_is_read_on_its_own(engine):
    # Read into the gross margin asked before, this question would repeat that answer word for word.
    history = turns("ATM revenue 1H12", "and its cost?", "so gross margin in yen?")
    a = engine.answer("how much of our revenue came from the US?", history)
    assert not a.answerable and a.value is None, a.summary
    again = engine.answer("so gross margin in yen?", turns("ATM revenue 1H12", "and its cost?"))
    assert again.summary.startswith("ATM operation business gross margin for 1H FY2012"), again.summary
