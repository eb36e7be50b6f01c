"""The calculator alone: unit rules and the working it shows (no index, no model)."""
from __future__ import annotations

import pytest

from retrieval import calculator as calc
from retrieval.calculator import CalcError, Quantity
from schema import Fact, Period


def fact(value, unit="JPY", scale=1e3, cell="", line=1, metric="m"):
    return Fact(id=f"f{line}", filing="t", table_id="t", table_title="T", section="S", metric=metric, row_path=[metric],
                column="c", period=Period("2012-09-30", 6, "1H FY2012"), value=value, unit=unit, scale=scale,
                scale_label="Thousands of JPY", cell_text=cell or f"{value / scale:,.0f}", line=line)


def q(*a, **k):
    return Quantity.of(fact(*a, **k))


def test_change_of_margins_shows_the_working_in_table_units():
    rev2, cost2 = q(17126614000, line=1), q(14089358000, line=2)
    rev1, cost1 = q(14714182000, line=3), q(11726201000, line=4)
    res = calc.change(calc.subtract(rev1, cost1), calc.subtract(rev2, cost2))
    assert res.value == 49275000 and res.unit == "JPY"
    assert res.working() == "(17,126,614 - 14,089,358) - (14,714,182 - 11,726,201) = 49,275 (JPY thousands)"
    assert {f.line for f in res.facts} == {1, 2, 3, 4}


def test_mixed_scales_are_worked_in_the_finer_one():
    res = calc.subtract(q(51109000000, scale=1e6, cell="51,109"), q(47206508000, scale=1e3))
    assert res.value == 3902492000
    assert res.working().endswith("= 3,902,492 (JPY thousands)")


def test_percent_change_share_and_points():
    assert calc.pct_change(q(100), q(108.3)).value == pytest.approx(8.3)
    share = calc.ratio_pct(q(25), q(200))
    assert (share.value, share.unit) == (12.5, "%")
    pp = calc.subtract(Quantity.of(fact(17.7, "%", 1, "17.7")), Quantity.of(fact(20.3, "%", 1, "20.3")))
    assert pp.unit == "pp" and pp.value == pytest.approx(-2.6)


def test_units_never_mix():
    with pytest.raises(CalcError):
        calc.add(q(1), Quantity.of(fact(5, "%", 1)))
    with pytest.raises(CalcError):
        calc.add(q(1), Quantity.of(fact(5, "USD", 1e3)))
    with pytest.raises(CalcError):
        calc.pct_change(Quantity.of(fact(5, "%", 1)), Quantity.of(fact(6, "%", 1)))
    with pytest.raises(CalcError):
        calc.ratio_pct(q(1), q(0))


def test_per_share_divides_money_by_a_count():
    eps = calc.per_unit(q(2007156000), Quantity.of(fact(40536800, "count", 1, "40,536,800")))
    assert eps.unit == "JPY/share" and eps.value == pytest.approx(49.51, abs=0.01)
    with pytest.raises(CalcError):
        calc.per_unit(q(1), q(2))


def test_conversion_uses_the_filings_rate():
    rate = Quantity.of(fact(77.92, "JPY/USD", 1, "JPY77.92 per 1U.S. dollar"))
    usd = calc.convert(q(6902000000, scale=1e6, cell="6,902"), rate, "USD")
    assert usd.unit == "USD" and usd.value == pytest.approx(6902000000 / 77.92)
    with pytest.raises(CalcError):
        calc.convert(Quantity.of(fact(1, "EUR", 1)), rate, "USD")


def test_langchain_tools_compute_from_fact_ids():
    facts = {"a": fact(100, line=1), "b": fact(108.3, line=2)}
    tools = {t.name: t for t in calc.langchain_tools(facts.__getitem__)}
    out = tools["percent_change"].invoke({"before_id": "a", "after_id": "b"})
    assert out["unit"] == "%" and out["value"] == pytest.approx(8.3) and sorted(out["facts"]) == ["f1", "f2"]


def test_average_is_the_sum_over_the_count_in_one_unit():
    m = calc.mean(q(14_714_182_000, scale=1e3, cell="14,714,182"), q(17_126_614_000, scale=1e3, cell="17,126,614"))
    assert m.value == pytest.approx(15_920_398_000) and m.unit == "JPY"
    assert m.working() == "(14,714,182 + 17,126,614) / 2 = 15,920,398 (JPY thousands)"
    with pytest.raises(CalcError):
        calc.mean(q(1), Quantity.of(fact(5, "%", 1)))
    facts = {"a": fact(100, line=1), "b": fact(50, line=2)}
    tools = {t.name: t for t in calc.langchain_tools(facts.__getitem__)}
    assert tools["average"].invoke({"a_id": "a", "b_id": "b"})["value"] == pytest.approx(75)


def test_divide_gives_times_or_money_per_unit():
    from schema import Fact

    a, b = Quantity(10.0, "JPY"), Quantity(4.0, "JPY")
    assert calc.divide(a, b).value == 2.5 and calc.divide(a, b).unit == "x"
    per = calc.divide(Quantity(1000.0, "JPY"), Quantity(8.0, "count"))
    assert per.value == 125.0 and per.unit == "JPY"
    with pytest.raises(CalcError):
        calc.divide(a, Quantity(0.0, "JPY"))


def test_median_takes_the_middle_or_the_mean_of_the_two_middles():
    qs = [Quantity(v, "JPY", (), ("num", v)) for v in (5.0, 1.0, 3.0)]
    assert calc.median(*qs).value == 3.0
    assert calc.median(*qs, Quantity(7.0, "JPY", (), ("num", 7.0))).value == 4.0
    assert calc.median(*qs).working().startswith("median(5, 1, 3) = 3")
    with pytest.raises(CalcError):
        calc.median(qs[0], Quantity(1.0, "%", (), ("num", 1.0)))


def test_cagr_is_the_steady_yearly_rate_between_two_figures():
    first, last = Quantity(100.0, "USD", (), ("num", 100.0)), Quantity(121.0, "USD", (), ("num", 121.0))
    r = calc.cagr(first, last, 2)
    assert r.unit == "%" and abs(r.value - 10.0) < 1e-9
    assert "^ 0.50" in r.working()
    with pytest.raises(CalcError):
        calc.cagr(Quantity(-1.0, "USD"), last, 2)
    with pytest.raises(CalcError):
        calc.cagr(Quantity(5.0, "%"), Quantity(6.0, "%"), 1)
