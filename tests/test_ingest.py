"""Parser tests on real filings: the IIJ release (every table, hand-checked facts, conflicts, a scaled copy)
and two fictional filings whose checked cells are listed in tests/fixtures/filings/expected.json."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ingest.cells import parse_number, parse_unit, unit_from_sentence
from ingest.parser import parse_filing

ROOT = Path(__file__).resolve().parent.parent
IIJ = ROOT / "data" / "iij_1h_fy2012.txt"
FILINGS = ROOT / "tests" / "fixtures" / "filings"
EXPECTED = json.loads((FILINGS / "expected.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def iij():
    return parse_filing(IIJ)


# ---------------------------------------------------------------- IIJ: every table

# (first line, last line, transposed, {(period label, qualifier, unit, scale)} over all of its facts)
IIJ_TABLES = [
    (47, 62, False, {('1H FY2011', '', 'JPY', 1e6), ('1H FY2012', '', 'JPY', 1e6), ('1H FY2012', 'YoY % Change', '%', 1)}),
    (66, 75, False, {('1H FY2011', '', 'JPY', 1e6), ('1H FY2012', '', 'JPY', 1e6)}),
    (97, 110, False, {('1H FY2011', '', 'Gbps', 1), ('1H FY2011', '', 'count', 1), ('1H FY2012', '', 'Gbps', 1), ('1H FY2012', '', 'count', 1), ('1H FY2012', 'YoY Change', 'Gbps', 1), ('1H FY2012', 'YoY Change', 'count', 1)}),
    (114, 127, False, {('1H FY2011', '', 'JPY', 1e6), ('1H FY2012', '', 'JPY', 1e6), ('1H FY2012', 'YoY % change', '%', 1)}),
    (223, 224, True, {('FY2012 target', '', 'JPY', 1e6)}),
    (236, 246, False, {('1H FY2011', '', 'JPY', 1e6), ('1H FY2012', '', 'JPY', 1e6)}),
    (250, 254, False, {('1H FY2011', '', 'JPY', 1e6), ('1H FY2012', '', 'JPY', 1e6)}),
    (282, 303, False, {('as of March 31, 2012', '', 'JPY', 1e3), ('as of September 30, 2012', '', 'JPY', 1e3), ('as of September 30, 2012', '', 'USD', 1e3)}),
    (305, 336, False, {('as of March 31, 2012', '', 'JPY', 1e3), ('as of September 30, 2012', '', 'JPY', 1e3), ('as of September 30, 2012', '', 'USD', 1e3)}),
    (349, 389, False, {('1H FY2011', '', 'JPY', 1e3), ('1H FY2012', '', 'JPY', 1e3), ('1H FY2012', '', 'USD', 1e3)}),
    (391, 400, False, {('1H FY2011', '', 'JPY/ADS', 1), ('1H FY2011', '', 'JPY/share', 1), ('1H FY2011', '', 'count', 1), ('1H FY2012', '', 'JPY/ADS', 1), ('1H FY2012', '', 'JPY/share', 1), ('1H FY2012', '', 'USD/ADS', 1), ('1H FY2012', '', 'USD/share', 1), ('1H FY2012', '', 'count', 1)}),
    (406, 415, False, {('1H FY2011', '', 'JPY', 1e3), ('1H FY2012', '', 'JPY', 1e3), ('1H FY2012', '', 'USD', 1e3)}),
    (423, 461, False, {('1H FY2011', '', 'JPY', 1e3), ('1H FY2012', '', 'JPY', 1e3), ('1H FY2012', '', 'USD', 1e3)}),
    (463, 493, False, {('1H FY2011', '', 'JPY', 1e3), ('1H FY2012', '', 'JPY', 1e3), ('1H FY2012', '', 'USD', 1e3)}),
    (507, 516, False, {('1H FY2011', '', 'JPY', 1e3), ('1H FY2012', '', 'JPY', 1e3)}),
    (520, 525, False, {('1H FY2011', '', 'JPY', 1e3), ('1H FY2012', '', 'JPY', 1e3)}),
    (543, 558, False, {('2Q FY2011', '', 'JPY', 1e6), ('2Q FY2012', '', 'JPY', 1e6), ('2Q FY2012', 'YoY % Change', '%', 1)}),
    (562, 575, False, {('2Q FY2011', '', 'JPY', 1e6), ('2Q FY2012', '', 'JPY', 1e6), ('2Q FY2012', 'YoY % Change', '%', 1)}),
    (583, 593, False, {('2Q FY2011', '', 'JPY', 1e6), ('2Q FY2012', '', 'JPY', 1e6)}),
    (599, 603, False, {('2Q FY2011', '', 'JPY', 1e6), ('2Q FY2012', '', 'JPY', 1e6)}),
    (611, 651, False, {('2Q FY2011', '', 'JPY', 1e3), ('2Q FY2012', '', 'JPY', 1e3), ('2Q FY2012', '', 'USD', 1e3)}),
    (653, 662, False, {('2Q FY2011', '', 'JPY/ADS', 1), ('2Q FY2011', '', 'JPY/share', 1), ('2Q FY2011', '', 'count', 1), ('2Q FY2012', '', 'JPY/ADS', 1), ('2Q FY2012', '', 'JPY/share', 1), ('2Q FY2012', '', 'USD/ADS', 1), ('2Q FY2012', '', 'USD/share', 1), ('2Q FY2012', '', 'count', 1)}),
    (670, 706, False, {('2Q FY2011', '', 'JPY', 1e3), ('2Q FY2012', '', 'JPY', 1e3), ('2Q FY2012', '', 'USD', 1e3)}),
    (708, 719, False, {('2Q FY2011', '', 'JPY', 1e3), ('2Q FY2012', '', 'JPY', 1e3), ('2Q FY2012', '', 'USD', 1e3)}),
    (748, 751, True, {('1H FY2011', '', 'JPY', 1e6), ('1H FY2011', 'YoY % change', '%', 1), ('1H FY2012', '', 'JPY', 1e6), ('1H FY2012', 'YoY % change', '%', 1)}),
    (760, 763, True, {('1H FY2011', '', 'JPY/share', 1), ('1H FY2012', '', 'JPY/share', 1)}),
    (769, 772, True, {('as of March 31, 2012', '', '%', 1), ('as of March 31, 2012', '', 'JPY', 1e6), ('as of September 30, 2012', '', '%', 1), ('as of September 30, 2012', '', 'JPY', 1e6)}),
    (776, 781, True, {('FY2011', '2Q-end', 'JPY/share', 1), ('FY2011', 'Total', 'JPY/share', 1), ('FY2011', 'Year-end', 'JPY/share', 1), ('FY2012', '2Q-end', 'JPY/share', 1), ('FY2012 target', 'Total', 'JPY/share', 1), ('FY2012 target', 'Year-end', 'JPY/share', 1)}),
    (793, 795, True, {('FY2012 target', '', 'JPY', 1e6), ('FY2012 target', '', 'JPY/share', 1), ('FY2012 target', 'YoY % change', '%', 1)}),
]


# (line, period label, qualifier, value in whole units, unit, row path, cell text as printed)
IIJ_FACTS = [
    (49, '1H FY2011', '', 47207000000.0, 'JPY', ['Total Revenues'], '47,207'),
    (49, '1H FY2012', '', 51109000000.0, 'JPY', ['Total Revenues'], '51,109'),
    (49, '1H FY2012', 'YoY % Change', 8.3, '%', ['Total Revenues'], '8.3'),
    (54, '1H FY2011', '', 37971000000.0, 'JPY', ['Total Costs'], '37,971'),
    (54, '1H FY2012', '', 40961000000.0, 'JPY', ['Total Costs'], '40,961'),
    (54, '1H FY2012', 'YoY % Change', 7.9, '%', ['Total Costs'], '7.9'),
    (60, '1H FY2011', '', 2448000000.0, 'JPY', ['Operating Income'], '2,448'),
    (60, '1H FY2012', '', 3263000000.0, 'JPY', ['Operating Income'], '3,263'),
    (60, '1H FY2012', 'YoY % Change', 33.3, '%', ['Operating Income'], '33.3'),
    (72, '1H FY2011', '', 2448000000.0, 'JPY', ['Operating Income (Loss)'], '2,448'),
    (72, '1H FY2012', '', 3263000000.0, 'JPY', ['Operating Income (Loss)'], '3,263'),
    (74, '1H FY2011', '', -164000000.0, 'JPY', ['Operating Income (Loss)', 'ATM operation business'], '(164)'),
    (74, '1H FY2012', '', 83000000.0, 'JPY', ['Operating Income (Loss)', 'ATM operation business'], '83'),
    (98, '1H FY2011', '', 91404.0, 'count', ['Internet Connectivity Services (Corporate Use)'], '91,404'),
    (98, '1H FY2012', '', 100282.0, 'count', ['Internet Connectivity Services (Corporate Use)'], '100,282'),
    (98, '1H FY2012', 'YoY Change', 8878.0, 'count', ['Internet Connectivity Services (Corporate Use)'], '8,878'),
    (99, '1H FY2011', '', 936.0, 'count', ['Internet Connectivity Services (Corporate Use)', 'IP Service (-99Mbps)'], '936'),
    (99, '1H FY2012', '', 911.0, 'count', ['Internet Connectivity Services (Corporate Use)', 'IP Service (-99Mbps)'], '911'),
    (99, '1H FY2012', 'YoY Change', -25.0, 'count', ['Internet Connectivity Services (Corporate Use)', 'IP Service (-99Mbps)'], '(25)'),
    (110, '1H FY2011', '', 820.7, 'Gbps', ['Total Contracted Bandwidth'], '820.7 Gbps'),
    (110, '1H FY2012', '', 1003.3, 'Gbps', ['Total Contracted Bandwidth'], '1,003.3Gbps'),
    (110, '1H FY2012', 'YoY Change', 182.6, 'Gbps', ['Total Contracted Bandwidth'], '182.6Gbps'),
    (119, '1H FY2011', '', 956000000.0, 'JPY', ['Internet Connectivity Service (Corporate Use)', 'IIJ Mobile Service'], '956'),
    (119, '1H FY2012', '', 1156000000.0, 'JPY', ['Internet Connectivity Service (Corporate Use)', 'IIJ Mobile Service'], '1,156'),
    (119, '1H FY2012', 'YoY % change', 20.9, '%', ['Internet Connectivity Service (Corporate Use)', 'IIJ Mobile Service'], '20.9'),
    (120, '1H FY2011', '', 124000000.0, 'JPY', ['Internet Connectivity Service (Corporate Use)', 'Others'], '124'),
    (120, '1H FY2012', '', 120000000.0, 'JPY', ['Internet Connectivity Service (Corporate Use)', 'Others'], '120'),
    (120, '1H FY2012', 'YoY % change', -3.2, '%', ['Internet Connectivity Service (Corporate Use)', 'Others'], '(3.2)'),
    (224, 'FY2012 target', '', 107000000000.0, 'JPY', ['Revenues'], '107,000'),
    (224, 'FY2012 target', '', 7500000000.0, 'JPY', ['Operating Income'], '7,500'),
    (224, 'FY2012 target', '', 6900000000.0, 'JPY', ['Income before Income Tax Expense (Benefit)'], '6,900'),
    (224, 'FY2012 target', '', 4000000000.0, 'JPY', ['Net Income attributable to IIJ'], '4,000'),
    (239, '1H FY2011', '', 3424000000.0, 'JPY', ['Adjusted EBITDA', 'Depreciation and Amortization'], '3,424'),
    (239, '1H FY2012', '', 3639000000.0, 'JPY', ['Adjusted EBITDA', 'Depreciation and Amortization'], '3,639'),
    (245, '1H FY2011', '', 49000000.0, 'JPY', ['Net loss (income) attributable to noncontrolling interests'], '49'),
    (245, '1H FY2012', '', -1000000.0, 'JPY', ['Net loss (income) attributable to noncontrolling interests'], '(1)'),
    (253, '1H FY2011', '', 3063000000.0, 'JPY', ['CAPEX, including capital leases', 'Acquisition of Assets by Entering into Capital Leases'], '3,063'),
    (253, '1H FY2012', '', 3118000000.0, 'JPY', ['CAPEX, including capital leases', 'Acquisition of Assets by Entering into Capital Leases'], '3,118'),
    (286, 'as of March 31, 2012', '', 13536824000.0, 'JPY', ['ASSETS', 'CURRENT ASSETS', 'Cash and cash equivalents'], '13,536,824'),
    (286, 'as of September 30, 2012', '', 149775000.0, 'USD', ['ASSETS', 'CURRENT ASSETS', 'Cash and cash equivalents'], '149,775'),
    (286, 'as of September 30, 2012', '', 11670450000.0, 'JPY', ['ASSETS', 'CURRENT ASSETS', 'Cash and cash equivalents'], '11,670,450'),
    (303, 'as of March 31, 2012', '', 73493246000.0, 'JPY', ['ASSETS', 'TOTAL'], '73,493,246'),
    (303, 'as of September 30, 2012', '', 971807000.0, 'USD', ['ASSETS', 'TOTAL'], '971,807'),
    (303, 'as of September 30, 2012', '', 75723183000.0, 'JPY', ['ASSETS', 'TOTAL'], '75,723,183'),
    (309, 'as of March 31, 2012', '', 9000000000.0, 'JPY', ["LIABILITIES AND SHAREHOLDERS' EQUITY", 'CURRENT LIABILITIES', 'Short-term borrowings'], '9,000,000'),
    (309, 'as of September 30, 2012', '', 120906000.0, 'USD', ["LIABILITIES AND SHAREHOLDERS' EQUITY", 'CURRENT LIABILITIES', 'Short-term borrowings'], '120,906'),
    (309, 'as of September 30, 2012', '', 9421000000.0, 'JPY', ["LIABILITIES AND SHAREHOLDERS' EQUITY", 'CURRENT LIABILITIES', 'Short-term borrowings'], '9,421,000'),
    (318, 'as of March 31, 2012', '', 29460421000.0, 'JPY', ["LIABILITIES AND SHAREHOLDERS' EQUITY", 'CURRENT LIABILITIES', 'Total current liabilities'], '29,460,421'),
    (318, 'as of September 30, 2012', '', 380896000.0, 'USD', ["LIABILITIES AND SHAREHOLDERS' EQUITY", 'CURRENT LIABILITIES', 'Total current liabilities'], '380,896'),
    (318, 'as of September 30, 2012', '', 29679444000.0, 'JPY', ["LIABILITIES AND SHAREHOLDERS' EQUITY", 'CURRENT LIABILITIES', 'Total current liabilities'], '29,679,444'),
    (353, '1H FY2011', '', 7276865000.0, 'JPY', ['REVENUES', 'Network services', 'Internet connectivity services (corporate use)'], '7,276,865'),
    (353, '1H FY2012', '', 100303000.0, 'USD', ['REVENUES', 'Network services', 'Internet connectivity services (corporate use)'], '100,303'),
    (353, '1H FY2012', '', 7815625000.0, 'JPY', ['REVENUES', 'Network services', 'Internet connectivity services (corporate use)'], '7,815,625'),
    (375, '1H FY2011', '', 2448207000.0, 'JPY', ['OPERATING INCOME'], '2,448,207'),
    (375, '1H FY2012', '', 41873000.0, 'USD', ['OPERATING INCOME'], '41,873'),
    (375, '1H FY2012', '', 3262707000.0, 'JPY', ['OPERATING INCOME'], '3,262,707'),
    (378, '1H FY2011', '', -154689000.0, 'JPY', ['OTHER INCOME (EXPENSE)', 'Interest expense'], '(154,689)'),
    (378, '1H FY2012', '', -1863000.0, 'USD', ['OTHER INCOME (EXPENSE)', 'Interest expense'], '(1,863)'),
    (378, '1H FY2012', '', -145163000.0, 'JPY', ['OTHER INCOME (EXPENSE)', 'Interest expense'], '(145,163)'),
    (393, '1H FY2011', '', 40536800.0, 'count', ['NET INCOME PER SHARE', 'BASIC WEIGHTED-AVERAGE NUMBER OF SHARES (shares)'], '40,536,800'),
    (393, '1H FY2012', '', 40536800.0, 'count', ['NET INCOME PER SHARE', 'BASIC WEIGHTED-AVERAGE NUMBER OF SHARES (shares)'], '40,536,800'),
    (397, '1H FY2011', '', 33.59, 'JPY/share', ['NET INCOME PER SHARE', 'BASIC NET INCOME PER SHARE (JPY / U.S. Dollars / JPY)'], '33.59'),
    (397, '1H FY2012', '', 0.64, 'USD/share', ['NET INCOME PER SHARE', 'BASIC NET INCOME PER SHARE (JPY / U.S. Dollars / JPY)'], '0.64'),
    (397, '1H FY2012', '', 49.51, 'JPY/share', ['NET INCOME PER SHARE', 'BASIC NET INCOME PER SHARE (JPY / U.S. Dollars / JPY)'], '49.51'),
    (398, '1H FY2011', '', 33.58, 'JPY/share', ['NET INCOME PER SHARE', 'DILUTED NET INCOME PER SHARE (JPY / U.S. Dollars / JPY)'], '33.58'),
    (398, '1H FY2012', '', 0.64, 'USD/share', ['NET INCOME PER SHARE', 'DILUTED NET INCOME PER SHARE (JPY / U.S. Dollars / JPY)'], '0.64'),
    (398, '1H FY2012', '', 49.48, 'JPY/share', ['NET INCOME PER SHARE', 'DILUTED NET INCOME PER SHARE (JPY / U.S. Dollars / JPY)'], '49.48'),
    (399, '1H FY2011', '', 16.79, 'JPY/ADS', ['NET INCOME PER SHARE', 'BASIC NET INCOME PER ADS EQUIVALENT (JPY / U.S. Dollars / JPY)'], '16.79'),
    (399, '1H FY2012', '', 0.32, 'USD/ADS', ['NET INCOME PER SHARE', 'BASIC NET INCOME PER ADS EQUIVALENT (JPY / U.S. Dollars / JPY)'], '0.32'),
    (399, '1H FY2012', '', 24.76, 'JPY/ADS', ['NET INCOME PER SHARE', 'BASIC NET INCOME PER ADS EQUIVALENT (JPY / U.S. Dollars / JPY)'], '24.76'),
    (411, '1H FY2011', '', 24023000.0, 'JPY', ['Comprehensive income (loss)', 'Unrealized holding gain on securities'], '24,023'),
    (411, '1H FY2012', '', -172000.0, 'USD', ['Comprehensive income (loss)', 'Unrealized holding gain on securities'], '(172)'),
    (411, '1H FY2012', '', -13379000.0, 'JPY', ['Comprehensive income (loss)', 'Unrealized holding gain on securities'], '(13,379)'),
    (439, '1H FY2011', '', 1932064000.0, 'JPY', ['OPERATING ACTIVITIES', 'Changes in operating assets and liabilities net of effects from acquisition of a company', 'Decrease in accounts receivable'], '1,932,064'),
    (439, '1H FY2012', '', 2277000.0, 'USD', ['OPERATING ACTIVITIES', 'Changes in operating assets and liabilities net of effects from acquisition of a company', 'Decrease in accounts receivable'], '2,277'),
    (439, '1H FY2012', '', 177411000.0, 'JPY', ['OPERATING ACTIVITIES', 'Changes in operating assets and liabilities net of effects from acquisition of a company', 'Decrease in accounts receivable'], '177,411'),
    (452, '1H FY2012', '', -1283000.0, 'USD', ['INVESTING ACTIVITIES', 'Investment in an equity method investee'], '(1,283)'),
    (452, '1H FY2012', '', -100000000.0, 'JPY', ['INVESTING ACTIVITIES', 'Investment in an equity method investee'], '(100,000)'),
    (479, '1H FY2011', '', 10974453000.0, 'JPY', ['CASH AND CASH EQUIVALENTS, END OF THE PERIOD'], '10,974,453'),
    (479, '1H FY2012', '', 149775000.0, 'USD', ['CASH AND CASH EQUIVALENTS, END OF THE PERIOD'], '149,775'),
    (479, '1H FY2012', '', 11670450000.0, 'JPY', ['CASH AND CASH EQUIVALENTS, END OF THE PERIOD'], '11,670,450'),
    (484, '1H FY2011', '', 3063124000.0, 'JPY', ['NONCASH INVESTING AND FINANCING ACTIVITIES', 'Acquisition of assets by entering into capital leases'], '3,063,124'),
    (484, '1H FY2012', '', 40017000.0, 'USD', ['NONCASH INVESTING AND FINANCING ACTIVITIES', 'Acquisition of assets by entering into capital leases'], '40,017'),
    (484, '1H FY2012', '', 3118126000.0, 'JPY', ['NONCASH INVESTING AND FINANCING ACTIVITIES', 'Acquisition of assets by entering into capital leases'], '3,118,126'),
    (511, '1H FY2011', '', 248273000.0, 'JPY', ['Network service and systems integration business', 'Intersegment'], '248,273'),
    (511, '1H FY2012', '', 283710000.0, 'JPY', ['Network service and systems integration business', 'Intersegment'], '283,710'),
    (523, '1H FY2011', '', -163814000.0, 'JPY', ['ATM operation business'], '(163,814)'),
    (523, '1H FY2012', '', 82920000.0, 'JPY', ['ATM operation business'], '82,920'),
    (545, '2Q FY2011', '', 23845000000.0, 'JPY', ['Total Revenues'], '23,845'),
    (545, '2Q FY2012', '', 26268000000.0, 'JPY', ['Total Revenues'], '26,268'),
    (545, '2Q FY2012', 'YoY % Change', 10.2, '%', ['Total Revenues'], '10.2'),
    (568, '2Q FY2011', '', 62000000.0, 'JPY', ['Internet Connectivity Service (Corporate Use)', 'Others'], '62'),
    (568, '2Q FY2012', '', 60000000.0, 'JPY', ['Internet Connectivity Service (Corporate Use)', 'Others'], '60'),
    (568, '2Q FY2012', 'YoY % Change', -2.7, '%', ['Internet Connectivity Service (Corporate Use)', 'Others'], '(2.7)'),
    (592, '2Q FY2011', '', 18000000.0, 'JPY', ['Net income attributable to noncontrolling interests'], '18'),
    (592, '2Q FY2012', '', -7000000.0, 'JPY', ['Net income attributable to noncontrolling interests'], '(7)'),
    (603, '2Q FY2011', '', 1304000000.0, 'JPY', ['CAPEX, including capital leases', 'Purchase of Property and Equipment'], '1,304'),
    (603, '2Q FY2012', '', 1127000000.0, 'JPY', ['CAPEX, including capital leases', 'Purchase of Property and Equipment'], '1,127'),
    (637, '2Q FY2011', '', 1533637000.0, 'JPY', ['OPERATING INCOME'], '1,533,637'),
    (637, '2Q FY2012', '', 24239000.0, 'USD', ['OPERATING INCOME'], '24,239'),
    (637, '2Q FY2012', '', 1888684000.0, 'JPY', ['OPERATING INCOME'], '1,888,684'),
    (644, '2Q FY2011', '', 45208000.0, 'JPY', ['OTHER INCOME (EXPENSE)', 'Other—net'], '45,208'),
    (644, '2Q FY2012', '', 196000.0, 'USD', ['OTHER INCOME (EXPENSE)', 'Other—net'], '196'),
    (644, '2Q FY2012', '', 15271000.0, 'JPY', ['OTHER INCOME (EXPENSE)', 'Other—net'], '15,271'),
    (655, '2Q FY2011', '', 40536800.0, 'count', ['NET INCOME PER SHARE', 'BASIC WEIGHTED-AVERAGE NUMBER OF SHARES (shares)'], '40,536,800'),
    (655, '2Q FY2012', '', 40536800.0, 'count', ['NET INCOME PER SHARE', 'BASIC WEIGHTED-AVERAGE NUMBER OF SHARES (shares)'], '40,536,800'),
    (660, '2Q FY2011', '', 20.94, 'JPY/share', ['NET INCOME PER SHARE', 'DILUTED NET INCOME PER SHARE (JPY / U.S. Dollars / JPY)'], '20.94'),
    (660, '2Q FY2012', '', 0.35, 'USD/share', ['NET INCOME PER SHARE', 'DILUTED NET INCOME PER SHARE (JPY / U.S. Dollars / JPY)'], '0.35'),
    (660, '2Q FY2012', '', 27.37, 'JPY/share', ['NET INCOME PER SHARE', 'DILUTED NET INCOME PER SHARE (JPY / U.S. Dollars / JPY)'], '27.37'),
    (686, '2Q FY2011', '', -413487000.0, 'JPY', ['OPERATING ACTIVITIES', 'Changes in operating assets and liabilities net of effects from acquisition of business and a company', 'Increase in accounts receivable'], '(413,487)'),
    (686, '2Q FY2012', '', -15939000.0, 'USD', ['OPERATING ACTIVITIES', 'Changes in operating assets and liabilities net of effects from acquisition of business and a company', 'Increase in accounts receivable'], '(15,939)'),
    (686, '2Q FY2012', '', -1241974000.0, 'JPY', ['OPERATING ACTIVITIES', 'Changes in operating assets and liabilities net of effects from acquisition of business and a company', 'Increase in accounts receivable'], '(1,241,974)'),
    (706, '2Q FY2011', '', -1165002000.0, 'JPY', ['INVESTING ACTIVITIES', 'Net cash used in investing activities'], '(1,165,002)'),
    (706, '2Q FY2012', '', -11841000.0, 'USD', ['INVESTING ACTIVITIES', 'Net cash used in investing activities'], '(11,841)'),
    (706, '2Q FY2012', '', -922632000.0, 'JPY', ['INVESTING ACTIVITIES', 'Net cash used in investing activities'], '(922,632)'),
    (719, '2Q FY2011', '', 10974453000.0, 'JPY', ['CASH AND CASH EQUIVALENTS, END OF THE PERIOD'], '10,974,453'),
    (719, '2Q FY2012', '', 149775000.0, 'USD', ['CASH AND CASH EQUIVALENTS, END OF THE PERIOD'], '149,775'),
    (719, '2Q FY2012', '', 11670450000.0, 'JPY', ['CASH AND CASH EQUIVALENTS, END OF THE PERIOD'], '11,670,450'),
    (750, '1H FY2012', '', 51109000000.0, 'JPY', ['Total Revenues'], '51,109'),
    (750, '1H FY2012', 'YoY % change', 8.3, '%', ['Total Revenues'], '8.3'),
    (750, '1H FY2012', '', 3263000000.0, 'JPY', ['Operating Income'], '3,263'),
    (750, '1H FY2012', 'YoY % change', 33.3, '%', ['Operating Income'], '33.3'),
    (750, '1H FY2012', '', 3176000000.0, 'JPY', ['Income before Income Tax Expense'], '3,176'),
    (750, '1H FY2012', 'YoY % change', 38.7, '%', ['Income before Income Tax Expense'], '38.7'),
    (750, '1H FY2012', '', 2007000000.0, 'JPY', ['Net Income attributable to IIJ'], '2,007'),
    (750, '1H FY2012', 'YoY % change', 47.4, '%', ['Net Income attributable to IIJ'], '47.4'),
    (751, '1H FY2011', '', 47207000000.0, 'JPY', ['Total Revenues'], '47,207'),
    (751, '1H FY2011', 'YoY % change', 37.7, '%', ['Total Revenues'], '37.7'),
    (751, '1H FY2011', '', 2488000000.0, 'JPY', ['Operating Income'], '2,488'),
    (751, '1H FY2011', 'YoY % change', 103.8, '%', ['Operating Income'], '103.8'),
    (751, '1H FY2011', '', 2291000000.0, 'JPY', ['Income before Income Tax Expense'], '2,291'),
    (751, '1H FY2011', 'YoY % change', 127.7, '%', ['Income before Income Tax Expense'], '127.7'),
    (751, '1H FY2011', '', 1361000000.0, 'JPY', ['Net Income attributable to IIJ'], '1,361'),
    (751, '1H FY2011', 'YoY % change', 58.4, '%', ['Net Income attributable to IIJ'], '58.4'),
    (762, '1H FY2012', '', 49.51, 'JPY/share', ['Basic Net Income attributable to IIJ per Share'], '49.51'),
    (762, '1H FY2012', '', 49.48, 'JPY/share', ['Diluted Net Income attributable to IIJ per Share'], '49.48'),
    (771, 'as of September 30, 2012', '', 75723000000.0, 'JPY', ['Total Assets'], '75,723'),
    (771, 'as of September 30, 2012', '', 34359000000.0, 'JPY', ['Total Equity'], '34,359'),
    (771, 'as of September 30, 2012', '', 34350000000.0, 'JPY', ["Total IIJ Shareholders' Equity"], '34,350'),
    (771, 'as of September 30, 2012', '', 45.4, '%', ["Total IIJ Shareholders' Equity to Total Assets"], '45.4'),
    (772, 'as of March 31, 2012', '', 73493000000.0, 'JPY', ['Total Assets'], '73,493'),
    (772, 'as of March 31, 2012', '', 32696000000.0, 'JPY', ['Total Equity'], '32,696'),
    (772, 'as of March 31, 2012', '', 32688000000.0, 'JPY', ["Total IIJ Shareholders' Equity"], '32,688'),
    (772, 'as of March 31, 2012', '', 44.5, '%', ["Total IIJ Shareholders' Equity to Total Assets"], '44.5'),
    (779, 'FY2011', '2Q-end', 1500.0, 'JPY/share', ['Dividend per Shares'], '1,500.00'),
    (779, 'FY2011', 'Year-end', 1750.0, 'JPY/share', ['Dividend per Shares'], '1,750.00'),
    (779, 'FY2011', 'Total', 3250.0, 'JPY/share', ['Dividend per Shares'], '3,250.00'),
    (780, 'FY2012', '2Q-end', 1750.0, 'JPY/share', ['Dividend per Shares'], '1,750.00'),
    (781, 'FY2012 target', 'Year-end', 8.75, 'JPY/share', ['Dividend per Shares'], '8.75'),
    (781, 'FY2012 target', 'Total', 1758.75, 'JPY/share', ['Dividend per Shares'], '1,758.75'),
    (795, 'FY2012 target', '', 107000000000.0, 'JPY', ['Total Revenues'], '107,000'),
    (795, 'FY2012 target', 'YoY % change', 10.0, '%', ['Total Revenues'], '10.0'),
    (795, 'FY2012 target', '', 7500000000.0, 'JPY', ['Operating Income'], '7,500'),
    (795, 'FY2012 target', 'YoY % change', 18.0, '%', ['Operating Income'], '18.0'),
    (795, 'FY2012 target', '', 6900000000.0, 'JPY', ['Income before Income Tax Expense (Benefit)'], '6,900'),
    (795, 'FY2012 target', 'YoY % change', 15.5, '%', ['Income before Income Tax Expense (Benefit)'], '15.5'),
    (795, 'FY2012 target', '', 4000000000.0, 'JPY', ['Net Income Attributable to IIJ'], '4,000'),
    (795, 'FY2012 target', 'YoY % change', 9.9, '%', ['Net Income Attributable to IIJ'], '9.9'),
    (795, 'FY2012 target', '', 98.68, 'JPY/share', ['Basic Net Income attributable to IIJ per Share'], '98.68'),
]


def test_iij_finds_every_table(iij):
    found = [(t.start_line, t.end_line, t.transposed) for t in iij.tables]
    assert found == [(a, b, tr) for a, b, tr, _ in IIJ_TABLES]
    assert len(iij.tables) == 29
    assert iij.warnings == []


@pytest.mark.parametrize("start,end,transposed,columns", IIJ_TABLES, ids=[f"line{t[0]}" for t in IIJ_TABLES])
def test_iij_table_columns_periods_and_units(iij, start, end, transposed, columns):
    table = next(t for t in iij.tables if t.start_line == start)
    facts = [f for f in iij.facts if f.table_id == table.id]
    assert facts, f"table at line {start} gave no facts"
    assert all(start <= f.line <= end for f in facts)
    assert {(f.period.label, f.qualifier, f.unit, f.scale) for f in facts} == columns
    assert all(f.scale_known for f in facts)
    # Every period of a target table is flagged as a target, and nothing else is.
    for f in facts:
        assert f.period.is_target == f.period.label.endswith("target")


def test_iij_operating_results_summary_columns(iij):
    t = next(t for t in iij.tables if t.start_line == 47)
    assert t.title == "Operating Results Summary"
    assert t.columns == ["1H11", "1H12", "YoY % Change"]
    assert t.units == ["JPY millions", "JPY millions", "%"]
    row = {(f.period.label, f.qualifier): f for f in iij.facts if f.line == 49}
    assert set(row) == {("1H FY2011", ""), ("1H FY2012", ""), ("1H FY2012", "YoY % Change")}
    assert row[("1H FY2011", "")].period.end == "2011-09-30" and row[("1H FY2011", "")].period.months == 6
    assert row[("1H FY2012", "")].scale_label == "JPY millions"


def test_iij_misaligned_usd_header_takes_the_translated_period(iij):
    """Liabilities: the 'As of September 30, 2012' header sits over the empty third column, yet the USD
    column translates the September JPY figures; the income statement's USD column is 1H FY2012."""
    usd = [f for f in iij.facts if 309 <= f.line <= 336 and f.unit == "USD"]
    assert len(usd) == 26
    assert {f.period.label for f in usd} == {"as of September 30, 2012"}
    assert {f.period.end for f in usd} == {"2012-09-30"} and {f.period.months for f in usd} == {0}
    income_usd = [f for f in iij.facts if 353 <= f.line <= 389 and f.unit == "USD"]
    assert income_usd and {f.period.label for f in income_usd} == {"1H FY2012"}
    cash_flow_3m_usd = [f for f in iij.facts if 673 <= f.line <= 719 and f.unit == "USD"]
    assert cash_flow_3m_usd and {f.period.label for f in cash_flow_3m_usd} == {"2Q FY2012"}


def test_iij_exchange_format_tables_take_periods_from_row_labels(iij):
    for start in (748, 760, 769, 776, 793):
        assert next(t for t in iij.tables if t.start_line == start).transposed
    by_line = {}
    for f in iij.facts:
        by_line.setdefault(f.line, set()).add(f.period.label)
    assert by_line[750] == {"1H FY2012"} and by_line[751] == {"1H FY2011"}
    assert by_line[771] == {"as of September 30, 2012"} and by_line[772] == {"as of March 31, 2012"}
    assert by_line[779] == {"FY2011"} and by_line[780] == {"FY2012"} and by_line[781] == {"FY2012 target"}
    assert by_line[795] == {"FY2012 target"} and by_line[224] == {"FY2012 target"}
    dividends = [f for f in iij.facts if 779 <= f.line <= 781]
    assert {f.unit for f in dividends} == {"JPY/share"}
    assert {f.qualifier for f in dividends} == {"2Q-end", "Year-end", "Total"}
    assert all(f.period.is_target for f in iij.facts if f.line in (224, 781, 795))


def test_iij_every_fact_is_sane(iij):
    ids = [f.id for f in iij.facts]
    assert len(ids) == len(set(ids))
    lines = IIJ.read_text(encoding="utf-8").split("\n")
    for f in iij.facts:
        if f.table_id == "note":
            continue
        if f.table_id.startswith("text:"):  # stated in a sentence: the quote is part of that line
            assert f.cell_text in lines[f.line - 1], f
            continue
        assert f.cell_text in lines[f.line - 1].split("\t"), f
        assert f.row_path and f.row_path[-1] == f.metric
        assert f.unit in {"JPY", "USD", "%", "count", "Gbps", "JPY/share", "USD/share", "JPY/ADS", "USD/ADS"}, f
        assert f.period.label and f.period.end, f


@pytest.mark.parametrize("line,period,qualifier,value,unit,row_path,cell_text", IIJ_FACTS,
                         ids=[f"{x[0]}-{x[1]}-{x[4]}-{x[6]}" for x in IIJ_FACTS])
def test_iij_fact(iij, line, period, qualifier, value, unit, row_path, cell_text):
    matches = [f for f in iij.facts if f.line == line and f.period.label == period and f.qualifier == qualifier
               and f.unit == unit and f.row_path[-1] == row_path[-1]]
    assert len(matches) == 1, [(f.period.label, f.qualifier, f.unit, f.cell_text) for f in iij.facts if f.line == line]
    f = matches[0]
    assert f.value == value
    assert f.row_path == row_path
    assert f.cell_text == cell_text
    assert f.scale_known


def test_iij_fact_list_covers_every_table(iij):
    assert len(IIJ_FACTS) >= 60
    tables_hit = {next(t.start_line for t in iij.tables if t.start_line <= line <= t.end_line) for line, *_ in IIJ_FACTS}
    assert tables_hit == {t.start_line for t in iij.tables}


def test_iij_conflict_operating_income_2488_vs_2448(iij):
    hits = [c for c in iij.conflicts if c["metric"] == "operating income" and c["period"] == "1H FY2011"]
    assert len(hits) == 1
    texts = {v["cell_text"] for v in hits[0]["values"]}
    assert {"2,488", "2,448"} <= texts
    lines = {v["line"] for v in hits[0]["values"]}
    assert {60, 751} <= lines
    assert hits[0]["unit"] == "JPY"


def test_iij_exchange_rate_note(iij):
    rate = [f for f in iij.facts if f.table_id == "note"]
    assert len(rate) == 1 and rate[0].value == 77.92 and rate[0].unit == "JPY/USD" and rate[0].line == 338


# ---------------------------------------------------------------- fixture filings with expected.json

CASES = [(name, cell) for name, spec in EXPECTED.items() for cell in spec["facts"]]


@pytest.fixture(scope="module")
def parsed_fixtures():
    return {name: parse_filing(FILINGS / name) for name in EXPECTED}


@pytest.mark.parametrize("name", list(EXPECTED))
def test_fixture_table_count(parsed_fixtures, name):
    assert len(parsed_fixtures[name].tables) == EXPECTED[name]["tables"]


@pytest.mark.parametrize("name,cell", CASES, ids=[f"{n.split('_')[0]}-{c['line']}-{c['column']}" for n, c in CASES])
def test_fixture_checked_cell(parsed_fixtures, name, cell):
    facts = [f for f in parsed_fixtures[name].facts
             if f.line == cell["line"] and f.period.end == cell["period_end"] and f.period.months == cell["period_months"]]
    # A change column shares the latest period with its value column: its qualifier is the column header.
    change = [f for f in facts if f.qualifier == cell["column"]]
    facts = change or [f for f in facts if not f.qualifier]
    assert len(facts) == 1, facts
    f = facts[0]
    assert f.value == pytest.approx(cell["value"], rel=1e-6, abs=1e-9)
    assert f.unit == cell["unit"]
    assert f.scale_known == cell["scale_known"]
    assert f.metric == cell["label"]


def test_fixture_not_meaningful_and_dash_cells_are_no_facts(parsed_fixtures):
    nw = parsed_fixtures["northwind_fy2019.txt"]
    assert [f.cell_text for f in nw.facts if f.line == 59] == ["(67.7)", "(62.2)"]  # "n/m" dropped
    assert [f.cell_text for f in nw.facts if f.line == 33] == ["45.1", "44.0"]  # "—" dropped
    lumen = parsed_fixtures["lumen_gmbh_2020.txt"]
    assert [f.cell_text for f in lumen.facts if f.line == 57] == ["29,655", "26,730", "+10.9"]
    assert [f.cell_text for f in lumen.facts if f.line == 78] == ["2,904"]


def test_fixture_second_side_of_a_balance_sheet_heads_its_rows(parsed_fixtures):
    """ "LIABILITIES AND STOCKHOLDERS' EQUITY" after "Total assets" in the same table starts the other side."""
    nw = parsed_fixtures["northwind_fy2019.txt"]
    debt = next(f for f in nw.facts if f.line == 177)
    assert debt.row_path == ["LIABILITIES AND STOCKHOLDERS' EQUITY", "Long-term debt"]
    cash = next(f for f in nw.facts if f.line == 157)
    assert cash.row_path[0] == "ASSETS"
    lumen = parsed_fixtures["lumen_gmbh_2020.txt"]
    assert next(f for f in lumen.facts if f.line == 190).row_path == ["EQUITY AND LIABILITIES", "Current liabilities", "Current financial liabilities"]
    # A plain "Revenue" heading over the segments is a group that "Total revenue" closes, not a side.
    assert next(f for f in lumen.facts if f.line == 63).row_path == ["EBIT", "Consumer Optics"]


def test_fixture_ragged_row_is_kept_and_warned(parsed_fixtures):
    nw = parsed_fixtures["northwind_fy2019.txt"]
    assert [w for w in nw.warnings if w.startswith("line 77:")], nw.warnings
    assert len(nw.warnings) == 1
    assert parsed_fixtures["lumen_gmbh_2020.txt"].warnings == []


def test_fixture_units_are_never_guessed(parsed_fixtures):
    """Operating metrics have no unit statement: unknown, even for rows named "Employees"."""
    nw = parsed_fixtures["northwind_fy2019.txt"]
    metrics = [f for f in nw.facts if 87 <= f.line <= 90]
    assert len(metrics) == 8
    assert {(f.unit, f.scale_known, f.scale) for f in metrics} == {("unknown", False, 0)}
    assert all("unknown scale" in f.column for f in metrics)


# ---------------------------------------------------------------- cells


@pytest.mark.parametrize("text,value", [
    ("+10.9", 10.9), ("-8.1", -8.1), ("(3.1)%", -3.1), ("$1,482.6", 1482.6), ("(1,234)", -1234.0),
    ("\u221212", -12.0), ("1,003.3Gbps", 1003.3), ("0.64", 0.64),
])
def test_parse_number(text, value):
    assert parse_number(text).value == value


@pytest.mark.parametrize("text", ["n/m", "N/M", "nm", "n/a", "-", "\u2014", "", "(+5)", "10,", "abc", "1Q-end"])
def test_parse_number_nothing(text):
    assert parse_number(text) is None


def test_units_from_text():
    u = unit_from_sentence("The following table presents net revenue by segment (dollars in millions):")
    assert (u.unit, u.scale) == ("USD", 1e6)
    u = unit_from_sentence("(In millions of USD, except per share data)")
    assert (u.unit, u.scale) == ("USD", 1e6)
    assert unit_from_sentence("Revenue was JPY51,109 million ($656 million, up 8.3% YoY) in the first half of the year.") is None
    assert parse_unit("Headcount").unit == "count"
    assert parse_unit("\u20ac thousands").unit == "EUR" and parse_unit("\u20ac thousands").scale == 1e3


# ---------------------------------------------------------------- a scaled copy of IIJ

_FIGURE = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")


def _scale_cell(cell: str, k: float) -> str:
    """The cell with its figure multiplied by k, printed as before: commas, parentheses, decimals, suffix."""
    if parse_number(cell) is None or re.fullmatch(r"\s*(19|20)\d\d\s*", cell):
        return cell
    m = _FIGURE.search(cell)
    printed = m.group(0)
    decimals = len(printed.split(".")[1]) if "." in printed else 0
    new = float(printed.replace(",", "")) * k
    commas = "," in printed or float(printed.replace(",", "")) < 1000
    text = f"{new:,.{decimals}f}" if commas else f"{new:.{decimals}f}"
    return cell[: m.start()] + text + cell[m.end():]


def test_scaled_copy_of_iij_scales_every_fact(iij, tmp_path):
    k = 1.1
    out = []
    for line in IIJ.read_text(encoding="utf-8").split("\n"):
        if "\t" in line:
            cells = line.split("\t")
            line = "\t".join([cells[0]] + [_scale_cell(c, k) for c in cells[1:]])
        out.append(line)
    scaled_path = tmp_path / "iij_scaled.txt"
    scaled_path.write_text("\n".join(out), encoding="utf-8")
    scaled = parse_filing(scaled_path)
    assert len(scaled.tables) == len(iij.tables)

    def key(f):
        return (f.line, f.metric, f.period.label, f.qualifier, f.unit)

    before = {key(f): f for f in iij.facts}
    after = {key(f): f for f in scaled.facts}
    assert len(before) == len(iij.facts) and len(after) == len(scaled.facts)
    assert set(before) == set(after)
    changed = 0
    for kf, f in before.items():
        g = after[kf]
        assert (g.scale, g.period, g.table_title) == (f.scale, f.period, f.table_title)
        if f.table_id == "note" or f.table_id.startswith("text:"):  # prose, not table cells: unchanged
            assert g.value == f.value
            continue
        n = parse_number(f.cell_text)
        step = 10.0 ** -n.decimals * (f.scale or 1)
        assert abs(g.value - f.value * k) <= 0.5 * step * (1 + 1e-9) + 1e-9 * abs(f.value), (f.line, f.cell_text, g.cell_text)
        assert (g.value != f.value) == (g.cell_text != f.cell_text)
        changed += g.value != f.value
    assert changed >= 0.95 * len([f for f in before.values() if f.table_id != "note" and not f.table_id.startswith("text:")])  # only tiny figures ("1" * 1.1 prints "1") and the note stay put
