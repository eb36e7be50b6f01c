"""Turns a filing's text into tables, typed facts and narrative chunks.

Nothing here knows a filing's own labels: structure comes from tabs, header rows, unit
statements, period phrases and arithmetic (children that sum to a parent row).
"""
from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from schema import Chunk, Fact, Period, Table, content_id

from .cells import (
    CHANGE_WORDS,
    EMPTY_MARKS,
    MONTHS,
    SUPERSCRIPTS,
    TARGET_WORDS,
    FiscalCalendar,
    Number,
    Unit,
    clean_label,
    currency_in,
    detect_calendar,
    header_period,
    quarter_named,
    quarter_of,
    parse_number,
    parse_period,
    parse_unit,
    unit_from_sentence,
)
from .errors import IngestError
from .narrative import narrative_facts
from .units import TableUnits, cell_unit

MAX_BYTES = 20_000_000
PARSER_VERSION = "7"


@dataclass
class Row:
    line: int
    label: str
    cells: list[str]
    numbers: list[Optional[Number]] = field(default_factory=list)

    @property
    def has_numbers(self) -> bool:
        return any(n is not None for n in self.numbers)

    @property
    def is_nil(self) -> bool:
        """A data row whose every printed cell is a dash ("Intersegment  —  —"): zero, not a heading."""
        printed = [c.strip() for c in self.cells[1:] if c.strip()]
        return not self.has_numbers and bool(printed) and all(parse_number(c) is None and c.lower() in EMPTY_MARKS for c in printed)


@dataclass
class Column:
    index: int
    header: str = ""
    period: Optional[Period] = None
    unit: Optional[Unit] = None
    qualifier: str = ""
    metric: str = ""  # transposed tables: the column names the metric
    filled: bool = False  # header text inherited from a spanning cell on the left
    span_end: Optional[Period] = None  # a change column between two years ("2019 vs 2018"): the later one


@dataclass
class ParsedFiling:
    path: str
    name: str
    lines: list[str]
    tables: list[Table]
    facts: list[Fact]
    chunks: list[Chunk]
    conflicts: list[dict]
    warnings: list[str]
    calendar: FiscalCalendar


def read_filing(path: Path) -> str:
    """Reads the filing, rejecting what cannot be a text filing with a message naming the fix."""
    path = Path(path)
    if not path.exists():
        raise IngestError(f"{path}: file not found. Give the path of a filing text file (e.g. data/iij_1h_fy2012.txt).")
    if path.is_dir():
        raise IngestError(f"{path}: is a folder. Give the path of one filing text file.")
    try:
        data = path.read_bytes()
    except OSError as e:
        raise IngestError(f"{path}: cannot be read ({e.strerror or e}). Check the file's permissions.") from e
    if not data.strip():
        raise IngestError(f"{path}: the file is empty. Export the filing as text with its tables tab-separated.")
    if len(data) > MAX_BYTES:
        raise IngestError(f"{path}: {len(data):,} bytes is over the {MAX_BYTES:,}-byte limit. Split the filing or raise the limit.")
    if b"\x00" in data[:65536] or _binary_share(data[:65536]) > 0.05:
        raise IngestError(f"{path}: looks like a binary file, not text. Export the filing as UTF-8 text (PDF/Word: save as .txt).")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise IngestError(f"{path}, line {line}: not valid UTF-8 (byte 0x{data[e.start]:02x}). Re-save the file as UTF-8.") from e
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _binary_share(data: bytes) -> float:
    ctrl = sum(1 for b in data if b < 32 and b not in (9, 10, 12, 13))
    return ctrl / max(1, len(data))


def parse_filing(path: Path, text: Optional[str] = None) -> ParsedFiling:
    path = Path(path)
    text = read_filing(path) if text is None else text
    name = path.name
    lines = text.split("\n")
    cal = detect_calendar(text)
    warnings: list[str] = []
    if "\t" in lines[-1]:
        # No final newline after a table row: the file may have been cut inside that row, even inside its
        # last cell ("...\t10,192\t79" of "794,191"), so that cell is not read.
        cells = lines[-1].split("\t")
        last = cells[-1].strip()
        warnings.append(
            f"line {len(lines)}: the file ends inside a table row without a final newline, so it may be truncated"
            + (f"; the row's last cell '{last}' was not read" if last else "")
            + ". Check the end of the file against the source."
        )
        lines = lines[:-1] + ["\t".join(cells[:-1] + [""])]
    blocks = _blocks(lines)
    tables: list[Table] = []
    facts: list[Fact] = []
    table_blocks = []
    prev_table_end = -10
    prev_title = ""
    for start, end, is_table in blocks:
        if not is_table:
            continue
        title, section, context, title_line = _title(lines, start, prev_table_end)
        if title_line is None and prev_title and _only_blank_between(lines, prev_table_end, start):
            title = prev_title + " (continued)"
        preamble = _preamble(lines, title_line if title_line is not None else start, prev_table_end)
        table_blocks.append((start, end, title, section, context, preamble))
        prev_table_end, prev_title = end, title.replace(" (continued)", "")
    notes = _filing_notes(lines, blocks)
    for start, end, title, section, context, preamble in table_blocks:
        after = _lines_after(lines, end)
        for rows in _header_blocks([_row(lines[i], i + 1) for i in range(start, end + 1)], cal):
            t, fs = _parse_table(name, rows, title, section, context, after, cal, warnings, preamble, notes)
            if t is not None:
                tables.append(t)
                facts.extend(fs)
    if not tables:
        raise IngestError(
            f"{path}: no tables found. Tables must be tab-separated: a label, then one cell per column "
            "(check that tabs were not converted to spaces)."
        )
    facts.extend(_rate_facts(name, lines, cal))
    table_lines = {k for s, e, is_table in blocks if is_table for k in range(s, e + 1)}
    facts.extend(narrative_facts(name, lines, table_lines, _headings(lines, table_lines), cal, _main_period(facts)))
    chunks = _narrative_chunks(name, lines, blocks) + _row_chunks(name, facts)
    conflicts = _conflicts(facts)
    return ParsedFiling(str(path), name, lines, tables, facts, chunks, conflicts, warnings, cal)


# ---------------------------------------------------------------- blocks and titles


def _row(line: str, lineno: int) -> Row:
    cells = line.split("\t")
    label = clean_label(cells[0])
    return Row(lineno, label, cells, [parse_number(c) for c in cells[1:]])


def _blocks(lines: list[str]) -> list[tuple[int, int, bool]]:
    """Runs of tab-separated lines (tables) and of other text, as (start, end, is_table)."""
    out = []
    i = 0
    n = len(lines)
    while i < n:
        if "\t" in lines[i]:
            j = i
            while j + 1 < n and "\t" in lines[j + 1]:
                j += 1
            rows = [_row(lines[k], k + 1) for k in range(i, j + 1)]
            # A tabbed block whose cells are all prose ("Revenues<TAB>JPY51,109 million (...)") is narrative.
            out.append((i, j, any(r.has_numbers for r in rows)))
            i = j + 1
        else:
            i += 1
    return out


def _is_heading(line: str) -> bool:
    s = line.strip().strip("*").strip()
    if not s or "\t" in line or len(s) > 110:
        return False
    if s.startswith("(") and not re.match(r"\(\d+\)\s+[A-Z]", s):
        return False
    if re.search(r"\d[\d,]*\s*(million|billion|thousand)|JPY\s?\d|[$€]\s?\d", s, re.I):
        return False
    if s.endswith(".") and not re.search(r"\b(Inc|Co|Ltd|Corp)\.$", s):
        return False
    return bool(re.match(r"[A-Z0-9(\[]", s))


# A line that only says "Table" (or "Table 3") marks where a table starts; it names nothing.
_TABLE_MARK = re.compile(r"^tables?(?:\s+\d+(?:\.\d+)*)?:?$", re.I)


def _title(lines: list[str], start: int, prev_end: int) -> tuple[str, str, list[str], Optional[int]]:
    """The table's title (nearest heading above), its section (the heading above that) and context lines."""
    context: list[str] = []
    title, title_line = "", None
    i = start - 1
    while i > prev_end and i >= 0 and start - i <= 14:
        s = lines[i].strip().strip("*").strip()
        if _TABLE_MARK.match(s):
            i -= 1
            continue
        if s:
            context.append(s)
            if _is_heading(s) or (s.endswith(":") and len(s) < 200 and not s.startswith("(")):
                title, title_line = s, i
                break
        i -= 1
    section = ""
    j = (title_line if title_line is not None else start) - 1
    while j >= 0 and j > (title_line if title_line is not None else start) - 40:
        s = lines[j].strip().strip("*").strip()
        if "\t" in lines[j]:
            j -= 1
            continue
        if s and _is_heading(s) and lines[j - 1].strip() == "" if j > 0 else False:
            section = s
            break
        j -= 1
    # No heading: the table is named later from its own column headers (see _fallback_title).
    return title.rstrip(":"), section.rstrip(":"), context, title_line


def _preamble(lines: list[str], top: int, prev_end: int) -> list[str]:
    """Text lines just above a table's title, nearest first, up to the previous table or heading.

    A unit is often stated in the sentence that introduces a table: "... by segment (dollars in millions):".
    """
    out: list[str] = []
    k = top - 1
    while k > prev_end and k >= 0 and top - k <= 10:
        s = lines[k].strip().strip("*").strip()
        if "\t" in lines[k] or (s and _is_heading(s)):
            break
        if s:
            out.append(s)
        k -= 1
    return out


_TEXT_AMOUNT = re.compile(r"(US\$|[SANC]\$|NZ\$|HK\$|\$|\u20ac|\u00a3|\u00a5|\b(?:USD|EUR|GBP|RMB|JPY|SGD|AUD|NZD|HKD|CAD|CHF)\s?)\d")


# A running heading stating the unit of every table under it: "NOTES TO CONSOLIDATED FINANCIAL STATEMENTS
# (in thousands, except per share amounts)", "(Tabular amounts in millions, unless otherwise disclosed)".
_DOCUMENT_UNIT = re.compile(r"\bstatements?\b|\bnotes?\s+to\b|\ball\s+amounts\b|\btabular\b|\bcolumnar\b|\bexpressed\s+in\b"
                            r"|\bunless\s+otherwise\b", re.I)


@dataclass
class FilingNotes:
    """What a filing states once for all of its tables."""

    currency: str  # the one currency its text writes amounts in ("$13.7 million"), or ""
    statements: list[tuple[int, Unit]]  # (line, unit) of running headings stating the tables' unit

    def unit_for(self, line: int) -> Optional[Unit]:
        """The running heading above a table; a page footer below it counts when the filing states only one."""
        above = [u for i, u in self.statements if i < line]
        if above:
            return above[-1]
        return self.statements[0][1] if len({u.label for _, u in self.statements}) == 1 else None


def _filing_notes(lines: list[str], blocks) -> FilingNotes:
    table_lines = {k for s, e, is_table in blocks if is_table for k in range(s, e + 1)}
    found = {currency_in(m.group(1)) for i, line in enumerate(lines) if i not in table_lines for m in _TEXT_AMOUNT.finditer(line)}
    found.discard("")
    statements = []
    for i, line in enumerate(lines):
        s = line.strip()
        if i in table_lines or not s.endswith(")") or not _DOCUMENT_UNIT.search(s):
            continue
        u = unit_from_sentence(s)
        if u is not None and u.scale:
            statements.append((i + 1, u))
    return FilingNotes(found.pop() if len(found) == 1 else "", statements)


def _only_blank_between(lines: list[str], a: int, b: int) -> bool:
    return all(not lines[k].strip() for k in range(a + 1, b))


def _lines_after(lines: list[str], end: int) -> list[str]:
    out = []
    k = end + 1
    while k < len(lines) and len(out) < 2 and k <= end + 4:
        if lines[k].strip():
            if "\t" in lines[k] or _introduces_next(lines, k):
                break
            out.append(lines[k].strip())
        k += 1
    return out


def _introduces_next(lines: list[str], k: int) -> bool:
    """A sentence ending in a colon with another table just after it introduces that table: its unit
    is that table's, not the one above."""
    if not lines[k].rstrip().endswith(":"):
        return False
    ahead = [x.strip() for x in lines[k + 1:k + 6] if x.strip()]
    return bool(ahead) and (ahead[0] == "Table" or "\t" in ahead[0])


# ---------------------------------------------------------------- one table


_YEAR_CELL = re.compile(r"^\s*(19|20)\d\d\s*$")
# A year heading with a footnote digit run into it ("20181") or a percent sign ("2019 %").
_MARKED_YEAR = re.compile(r"^\s*((?:19|20)\d\d)(?:[1-9]|\s*%)\s*$")
# A table of targets says so in its title; "plan" there names a scheme (pension plan, incentive plan), not a forecast.
_TARGET_TABLE = re.compile(r"\b(targets?|forecasts?|outlook|guidance|projected(?!\s+benefit)|projections?)\b", re.I)


def _is_header_row(row: Row, cal: FiscalCalendar) -> bool:
    years = any(_YEAR_CELL.match(c) for c in row.cells[1:])
    numeric = [c for c, n in zip(row.cells[1:], row.numbers)
               if n is not None and not _YEAR_CELL.match(c) and not (_MARKED_YEAR.match(c) and (years or "%" in c))]
    if numeric:
        return False
    if not row.label:
        return True
    if parse_period(row.label, cal) is not None and not row.has_numbers or parse_unit(row.label) is not None:
        return True
    # A first cell naming the label column ("Application", "Year Ended June 30,") over column headings:
    # the other cells hold words or years, never amounts.
    return any(c.strip() and c.strip().lower() not in EMPTY_MARKS for c in row.cells[1:])


def _dates_rows_below(row: Row, cal: FiscalCalendar) -> bool:
    """A date alone under the column headings ("Level 1 | Level 2 | Total", then "June 30, 2019") dates the rows
    below it, up to the next such date; it is no heading of the columns."""
    return bool(row.label) and header_period(row.label, cal) is not None and not any(c.strip() for c in row.cells[1:])


def _header_blocks(rows: list[Row], cal: FiscalCalendar) -> list[list[Row]]:
    """A table restating its column headings part-way down ("Year Ended December 31, 2018" over "Activision
    Blizzard King Total" after the 2019 rows) is read as one table per set of headings."""
    blocks: list[list[Row]] = [[]]
    seen_body = False
    for r in rows:
        heading = _is_header_row(r, cal) and any(c.strip() for c in r.cells[1:])
        if heading and seen_body:
            blocks.append([])
            seen_body = False
        seen_body = seen_body or not _is_header_row(r, cal)
        blocks[-1].append(r)
    return [b for b in blocks if b]


def _parse_table(filing, rows, title, section, context, after, cal, warnings, preamble=(), notes: Optional["FilingNotes"] = None):
    header_rows: list[Row] = []
    i = 0
    while i < len(rows) and _is_header_row(rows[i], cal) and not (header_rows and _dates_rows_below(rows[i], cal)):
        header_rows.append(rows[i])
        i += 1
    body = _merge_continuations(rows[i:])
    if not any(r.has_numbers for r in body):
        return None, []
    ncol = max(len(r.cells) for r in rows) - 1
    # Trailing empty columns add nothing.
    while ncol > 0 and all(len(r.cells) <= ncol or not r.cells[ncol].strip() for r in rows):
        ncol -= 1
    notes = notes or FilingNotes("", [])
    table_unit, table_currency = _table_unit(rows, body, header_rows, title, context, after, preamble, notes)
    cols = _columns(header_rows, ncol, cal, context)
    transposed = not any(c.period for c in cols) and sum(1 for r in body if r.has_numbers and parse_period(r.label, cal)) >= max(1, len([r for r in body if r.has_numbers]) // 2)
    if not title:
        title = _fallback_title(cols, context, transposed)
    tid = content_id(filing, title, rows[0].line)
    target_table = bool(_TARGET_TABLE.search(title) or _TARGET_TABLE.search(section))
    _align_convenience_columns(cols, body)
    body = _name_unlabelled_totals(body, cols)
    paths = _row_paths(body, cols)
    widths = [len(r.cells) for r in body if r.has_numbers]
    modal = statistics.mode(widths) if widths else ncol + 1
    facts = []
    latest = _latest_period(cols)
    if latest is None and not transposed:
        # No column is dated: the sentence introducing the table may name the one period it covers.
        latest = _text_period([title] + context + preamble, cal)
    units = TableUnits(table_unit, table_currency, notes.currency, title, " ".join(h.label for h in header_rows), ncol,
                       " ".join(context + preamble))
    row_period, group_unit = None, None
    undated = not transposed and not any(c.period for c in cols)
    if undated and (latest is not None or any(not r.has_numbers and header_period(r.label, cal) for r in body)):
        _name_part_columns(cols)
    for r, path in zip(body, paths):
        if not r.has_numbers:
            if len(r.label) < 40 and not r.is_nil:
                group_unit = parse_unit(r.label) or group_unit  # "Million shares" over the rows it measures
            if undated:
                # "As at 31 December 2019" over a block of rows dates the rows under it.
                row_period = header_period(r.label, cal) or row_period
            continue
        if not _row_fits(r, cols, ncol, modal, transposed, title, warnings):
            continue
        for j, num in enumerate(r.numbers[:ncol]):
            if num is None or _NOTE_COLUMN.match(cols[j].header):
                continue  # a note reference ("10.4", "4(a)") points elsewhere: it is no figure
            col = cols[j]
            if transposed:
                period = parse_period(r.label, cal)
                if period is None:
                    continue
                metric, rpath, qualifier = col.metric or title, [col.metric or title], col.qualifier
            else:
                period = _cell_period(r, col, undated, row_period, latest, cal)
                metric, rpath, qualifier = r.label, path, col.qualifier
            if target_table and not period.is_target:
                period = Period(period.end, period.months, period.label + " target", period.fiscal_year, True)
            unit = cell_unit(num, r, path, col, units, j, group_unit)
            value = num.value if num.suffix == "scaled" else num.value * (unit.scale or 1)
            facts.append(
                Fact(
                    id=content_id(filing, r.line, j, r.cells[j + 1].strip()),
                    filing=filing,
                    table_id=tid,
                    table_title=title,
                    section=section,
                    metric=metric,
                    row_path=rpath,
                    column=_column_text(col, unit),
                    period=period,
                    value=round(value, 6),
                    unit=unit.unit or "unknown",
                    scale=unit.scale,
                    scale_label=unit.label if unit.scale else "unknown scale",
                    cell_text=r.cells[j + 1].strip(),
                    line=r.line,
                    qualifier=qualifier,
                    scale_known=bool(unit.scale),
                )
            )
    table = Table(
        tid,
        title,
        section,
        rows[0].line,
        rows[-1].line,
        [c.header or c.metric for c in cols],
        [c.unit.label if c.unit else (table_unit.label if table_unit else "") for c in cols],
        transposed,
    )
    return table, facts


_NOTE_LINE = re.compile(r"^\(?\s*(?:notes?\b|\d{1,2}\)|[a-z]\)|[" + re.escape(SUPERSCRIPTS) + r"])", re.I)


def _fallback_title(cols: list[Column], context: list[str], transposed: bool) -> str:
    """A name for a table without a heading: what its columns measure ("Basic EPS / Diluted EPS"), else the
    nearest introducing line that is neither a note nor a figure, else "Table"."""
    metrics = list(dict.fromkeys(c.metric for c in cols if c.metric and not _derived(c)))
    if transposed and metrics:
        return " / ".join(metrics)[:160]
    for line in context:  # nearest first
        if not _NOTE_LINE.match(line) and not re.search(r"\d", line) and len(line) <= 120:
            return line.rstrip(":")[:80]
    for line in context:  # a long sentence introducing it: "The following table summarizes the potentially dilutive ..."
        if _INTRO.search(line):
            return _first_words(line.rstrip(":"), 160)
    return "Table"


_INTRO = re.compile(r"\b(?:following|below|as follows|table)\b|:\s*$", re.I)


def _first_words(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " ..."


def _derived(col: Column) -> bool:
    """A column computed from others (a change or % change), not a reported figure."""
    return bool(col.qualifier) and bool(CHANGE_WORDS.search(col.qualifier) or "%" in col.qualifier)


def _row_fits(r: Row, cols: list[Column], ncol: int, modal: int, transposed: bool, title: str, warnings: list[str]) -> bool:
    """Whether a row's cells can be read under the table's columns; a short row is warned about either way."""
    width = len(r.cells) - 1
    if width >= ncol or len(r.cells) >= modal:
        return True
    if not _ragged_row_fits(cols, width, transposed):
        warnings.append(
            f"line {r.line}: row '{r.label}' has {width} cells where table '{title}' has {ncol}; "
            "its columns cannot be matched, so it was skipped. Fix the tabs on that line."
        )
        return False
    missing = ", ".join(c.header or c.metric or f"column {c.index + 1}" for c in cols[width:])
    warnings.append(
        f"line {r.line}: row '{r.label}' has {width} cells where table '{title}' has {ncol}; "
        f"its values were read into the first {width} columns and left blank under: {missing}. "
        "Check the tabs on that line."
    )
    return True


def _ragged_row_fits(cols: list[Column], width: int, transposed: bool) -> bool:
    """A row with only `width` cells can be read when those cells fall under reported-figure columns and
    only derived columns (changes) are missing at the end: "Rest of world  66.6  57.7" under
    (2019, 2018, % Change). Any other shape could shift values into the wrong period, so it is skipped."""
    if width <= 0:
        return False
    present, missing = cols[:width], cols[width:]
    reported = all(not _derived(c) and (c.period is not None or (transposed and c.metric)) for c in present)
    return reported and bool(missing) and all(_derived(c) for c in missing)


def _merge_continuations(rows: list[Row]) -> list[Row]:
    """A label-only row followed by a row of numbers with an empty label is one row."""
    out: list[Row] = []
    for r in rows:
        if not r.label and r.has_numbers and out and out[-1].label and not out[-1].has_numbers and not out[-1].is_nil:
            prev = out[-1]
            out[-1] = Row(r.line, prev.label, [prev.cells[0]] + r.cells[1:], r.numbers)
        else:
            out.append(r)
    return out


_PERCENT_INTRO = re.compile(r"\bas\s+an?\s+(?:%|percent(?:age)?)\s+of\b|\bpercentages?\s+of\s+(?:our\s+|total\s+|net\s+)*\w+\s+by\b", re.I)


def _table_unit(rows, body, header_rows, title, context, after, preamble, notes: "FilingNotes") -> tuple[Optional[Unit], str]:
    """The unit the table states (nearest first: lines around it, its header, the sentence introducing it,
    a running heading) and the one currency printed on its cells."""
    table_unit = _context_unit(context + after + [h.label for h in header_rows if h.label])
    if table_unit is None:
        table_unit = next((u for u in map(unit_from_sentence, preamble) if u), None)
    if table_unit is None:
        table_unit = notes.unit_for(rows[0].line)
    # "$" or "€" printed on some cells (often the first and total rows) names the currency of them all.
    cell_currencies = {n.currency for r in body for n in r.numbers if n is not None and n.currency}
    if not cell_currencies and any(_PERCENT_INTRO.search(t) for t in [title] + context[:2]):
        return Unit("%", 1, "%"), ""  # "... the contribution, as a percentage of net sales, of each product line"
    return table_unit, (cell_currencies.pop() if len(cell_currencies) == 1 else "")


def _name_part_columns(cols: list[Column]) -> None:
    """Undated columns of a table the text or its rows date are parts ("Products", "Level 1"), named as qualifiers."""
    headers = [clean_label(c.header) for c in cols]
    if len(set(headers)) > 1 and all(headers):
        for c, h in zip(cols, headers):
            c.qualifier = c.qualifier or h


def _cell_period(r: Row, col: Column, undated: bool, row_period: Optional[Period], latest: Optional[Period],
                 cal: FiscalCalendar) -> Period:
    """A cell's period: its column's; in a table of undated columns the row's own ("Balance as of June 30, 2017")
    or that of a dated row above it; a change column's later year; else the table's latest or the text's.
    A quarter row under a year's column ("First Quarter" under "Fiscal 2019") is that quarter of that year."""
    derived = _derived(col)
    own = header_period(r.label, cal) if undated and not derived else None
    period = col.period or (None if derived else own or row_period) or col.span_end or latest
    if period is None:
        return Period("", 12, col.header or "unlabelled column")
    q = quarter_named(r.label)
    if q and period.months == 12 and period.fiscal_year and not header_period(r.label, cal):
        return quarter_of(period, q, cal)
    return period


def _text_period(texts: list[str], cal: FiscalCalendar) -> Optional[Period]:
    """The one period the nearest text naming any period names ("... by major source for the year ended
    December 31, 2019:"); None when that text names several ("as of December 31, 2019 and 2018")."""
    for t in texts:
        found = [m.group(0) for m in _PERIOD_PHRASE.finditer(t)]
        if not found:
            continue
        periods = {p.key(): p for p in (header_period(f, cal) for f in found) if p is not None}
        years = set(re.findall(r"(?<![\d,.$])(?:19|20)\d\d(?![\d,.%])", t))
        if len(periods) != 1:
            return None
        p = next(iter(periods.values()))
        return p if years <= {p.end[:4], str(p.fiscal_year or "")} else None
    return None


_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_PERIOD_PHRASE = re.compile(
    r"\b(?:(?:fiscal\s+)?years?|(?:three|six|nine|twelve)\s+months|quarters?)\s+end(?:ed|ing)\s+(?:" + _MONTH + r"\s+\d{1,2},?\s+|\d{1,2}\s+" + _MONTH + r"\s+)(?:19|20)\d\d"
    r"|\b(?:as\s+(?:of|at)|at)\s+(?:" + _MONTH + r"\s+\d{1,2},?\s+|\d{1,2}\s+" + _MONTH + r"\s+)(?:19|20)\d\d"
    r"|\b(?:fiscal(?:\s+year)?|FY)\s*(?:19|20)\d\d\b",
    re.I,
)


def _context_unit(texts: list[str]) -> Optional[Unit]:
    for t in texts:
        u = unit_from_sentence(t) or (parse_unit(t) if len(t) < 40 else None)
        if u:
            return u
    return None


def _columns(header_rows: list[Row], ncol: int, cal: FiscalCalendar, context: list[str]) -> list[Column]:
    cols = [Column(j) for j in range(ncol)]
    texts: list[list[str]] = [[] for _ in range(ncol)]
    yoy = any("yoy" in c.lower() or "year-on-year" in c.lower() for c in context)
    prefix = " ".join(h.label for h in header_rows if h.label and parse_unit(h.label) is None)
    for h in header_rows:
        cells = [(h.cells[j + 1].strip() if j + 1 < len(h.cells) else "") for j in range(ncol)]
        cells = [re.sub(r"^((?:19|20)\d\d)[1-9]$", r"\1", c) for c in cells]  # "20181": 2018, note 1
        named = [c for c in cells if c]
        if ncol > 1 and len(named) == 1 and header_period(named[0], cal):
            cells = named * ncol  # one period heading over every column, wherever it was centred
        units = [parse_unit(c) for c in cells]
        if any(cells) and all(u is not None for c, u in zip(cells, units) if c):
            for j, u in enumerate(units):
                if u is not None:
                    cols[j].unit = u
            if not any(header_period(c, cal) for c in cells if c):
                continue  # a row of units only; "S$ Mil 2019" also names the period
        last = ""
        for j, c in enumerate(cells):
            if c:
                last = c
                texts[j].append(c)
            elif last:
                texts[j].append(last)
                cols[j].filled = True
    shared = _shared_prefix([texts[j][-1] if texts[j] else "" for j in range(ncol)])
    for j, col in enumerate(cols):
        pieces = [t for t in texts[j] if t]
        col.header = " ".join(pieces)
        full = (prefix + " " + col.header).strip()
        col.period = header_period(full, cal)
        own = " ".join(pieces[-1].split()[len(shared.split()):]) if pieces else ""
        if shared and not header_period(own, cal) and CHANGE_WORDS.search(shared):
            own = (shared + " " + own).strip()  # "Percent Change" spanning "Actual" and "Constant"
        if CHANGE_WORDS.search(own) and not parse_period(own, cal):
            col.qualifier = own
            col.period = None
            years = sorted(set(re.findall(r"(?<!\d)(?:19|20)\d\d(?!\d)", full)))
            col.span_end = header_period(years[-1], cal) if len(years) == 2 else None
            if "%" in own and col.unit is None:
                col.unit = Unit("%", 1, "%")
        if col.unit is None and _PERCENT_HEADER.search(own):
            col.unit = Unit("%", 1, "%")
        metric_bits = [p for p in pieces if not (parse_period(p, cal) or header_period(p, cal)) and not CHANGE_WORDS.search(p)]
        col.metric = clean_label(" ".join(dict.fromkeys(metric_bits))) if metric_bits else ""
        if col.filled and col.unit is not None and col.unit.unit == "%" and col.metric:
            col.qualifier = ("YoY " if yoy else "") + "% change"
        elif col.metric and len(dict.fromkeys(metric_bits)) > 1:
            col.metric, col.qualifier = clean_label(metric_bits[0]), clean_label(" ".join(metric_bits[1:]))
    _spread_group_periods(cols)
    _spread_group_names(cols)
    _name_same_period_columns(cols)
    _date_flows_by_lead(cols, context, cal)
    return cols


# "... results for the fiscal years ended:" over columns printed as bare dates makes each date a year's close.
_PERIOD_LEAD = re.compile(r"\b(?:(?:fiscal\s+)?years?|(?:three|six|nine|twelve|3|6|9|12)[\s-]+months?)\s+end(?:ed|ing)\s*:?$", re.I)


def _date_flows_by_lead(cols: list[Column], context: list[str], cal: FiscalCalendar) -> None:
    """Columns headed by a bare date cover the period the sentence just above the table names, ending on that
    date; read alone, the date would make every row a balance."""
    lead = next(filter(None, (_PERIOD_LEAD.search(c) for c in context[:2])), None)
    if lead is None:
        return
    for col in cols:
        if col.period is not None and col.period.months == 0:
            col.period = parse_period(lead.group(0).rstrip(":") + " " + col.header, cal) or col.period


def _spread_group_periods(cols: list[Column]) -> None:
    """A year printed over one column of each repeating group dates the whole group:
    "High | Fiscal 2019 Low | High | Fiscal 2018 Low" is High and Low of 2019, then of 2018."""
    n = len(cols)
    names = [" ".join(re.sub(r"\b(?:fiscal|year|fy)\b|(?<!\d)(?:19|20)\d\d(?!\d)", " ", c.header, flags=re.I).split()) for c in cols]
    for k in range(2, n // 2 + 1):
        if n % k or any(names[i].lower() != names[i % k].lower() for i in range(n)) or not all(names[:k]):
            continue
        blocks = [cols[b:b + k] for b in range(0, n, k)]
        dated = [[c for c in block if c.period is not None] for block in blocks]
        if all(len(d) == 1 for d in dated) and any(len(block) > 1 for block in blocks):
            for block, (d,) in zip(blocks, dated):
                for c, name in zip(block, names[:k]):
                    c.period, c.qualifier = d.period, c.qualifier or name
        return


_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
_PERIOD_WORDS = re.compile(r"\b(?:years?|ended|ending|fiscal|fy|months?|quarters?|half|as\s+(?:of|at)|" + "|".join(MONTHS) + r")\.?\b", re.I)


def _spread_group_names(cols: list[Column]) -> None:
    """A name printed once over a group of year columns names each of them: "Carrying Value (USD) 2019 | 2018"
    makes the bare "2018" the USD carrying value too, so that two such groups are told apart."""
    name = ""
    for c in cols:
        own = clean_label(_YEAR.sub(" ", c.header))
        if c.period is None or not _YEAR.search(c.header):
            name = ""
        elif own and not _PERIOD_WORDS.search(own):
            name = own
        elif not own and name:
            c.header = f"{name} {c.header}"


def _name_same_period_columns(cols: list[Column]) -> None:
    """Columns of one period told apart by other words ("Year Ended December 31, 2019 Activision" ...
    "... Blizzard", "June 1, 2019 Carrying Value" / "Fair Value") take those words as their qualifier."""
    groups: dict[tuple, list[Column]] = {}
    for c in cols:
        if c.period is not None and not c.qualifier and c.unit is None:
            groups.setdefault(c.period.key(), []).append(c)
    for group in groups.values():
        if len(group) < 2:
            continue
        words = [c.header.split() for c in group]
        n = 0
        while all(len(w) > n for w in words) and len({w[n].lower() for w in words}) == 1:
            n += 1
        names = [clean_label(_YEAR.sub(" ", " ".join(w[n:]))) for w in words]
        names = [re.sub(r"^\((.*)\)$", r"\1", x) for x in names]  # "(USD)": the words, without the brackets
        if all(names) and len(set(names)) == len(names) and not all(parse_unit(x) for x in names):
            for c, name in zip(group, names):
                c.qualifier = name


# A column of percentages: "(%)", "2019 %", "% of Revenue", "Percent Owned", "Percentage of plan assets".
_PERCENT_HEADER = re.compile(r"\(\s*(?:in\s+)?%\s*\)|^%|%$|\bper\s?cent(?:age)?s?\b|%\s+(?:of|to)\b", re.I)


def _shared_prefix(headers: list[str]) -> str:
    """Words every column header starts with, when each also has words of its own: a heading that spanned
    the columns, printed in each cell ("Year Ended May 31, Percent Change 2019" ... "... 2018")."""
    words = [h.split() for h in headers]
    if len(words) < 2 or not all(words):
        return ""
    n = 0
    while all(len(w) > n + 1 and w[n] == words[0][n] for w in words):
        n += 1
    return " ".join(words[0][:n]) if n else ""


def _latest_period(cols: list[Column]) -> Optional[Period]:
    ps = [c.period for c in cols if c.period and c.period.end]
    return max(ps, key=lambda p: (p.end, -p.months)) if ps else None


def _align_convenience_columns(cols: list[Column], body: list[Row]) -> None:
    """A column in a second currency (a convenience translation) takes the period of the main-currency
    column it translates: the one whose values keep a constant ratio to it."""
    currencies = [c.unit.unit for c in cols if c.unit and c.unit.unit not in ("", "%", "count")]
    if len(set(currencies)) < 2:
        return
    # Ties (JPY, USD, USD, JPY) go to the currency printed first: the reporting currency leads.
    main = max(dict.fromkeys(currencies), key=currencies.count)
    mains = [c for c in cols if c.unit and c.unit.unit == main and c.period]
    for c in cols:
        if not c.unit or c.unit.unit in ("", "%", "count", main):
            continue
        best, best_spread = None, 0.02
        for m in mains:
            ratios = []
            for r in body:
                a = r.numbers[m.index] if m.index < len(r.numbers) else None
                b = r.numbers[c.index] if c.index < len(r.numbers) else None
                if a and b and abs(b.value) >= 100 and a.value * b.value > 0:
                    ratios.append(a.value / b.value)
            if len(ratios) >= 3:
                med = statistics.median(ratios)
                spread = statistics.median(abs(x / med - 1) for x in ratios)
                if spread < best_spread:
                    best, best_spread = m, spread
        if best is not None:
            c.period = best.period


# ---------------------------------------------------------------- row hierarchy

_TOTAL = re.compile(r"^(total|consolidated total|net total)\b|\btotal$", re.I)
_SUBTRACT = re.compile(r"\b(elimination|eliminations|less|deduct|intersegment elimination)\b", re.I)


def _is_caps(label: str) -> bool:
    letters = [ch for ch in label if ch.isalpha()]
    return len(letters) >= 3 and all(ch.isupper() for ch in letters)


# The label of one side of a balance sheet, wherever it stands in the table.
_SIDE = re.compile(r"^(?:assets|liabilities(?:\s+and\s+.*)?|equity\s+and\s+liabilities|(?:share|stock)holders'?\s+equity\s+and\s+liabilities)$", re.I)


# A column of references to the notes ("Note", "Notes", "Note ref.").
_NOTE_COLUMN = re.compile(r"^\s*notes?(?:\s+ref(?:erence)?s?\.?)?\s*$", re.I)
# A row naming only a percentage of a whole ("% of net revenue", "As percentage of net revenues").
_PERCENT_OF_ROW = re.compile(r"^\s*(?:as\s+(?:an?\s+)?)?(?:%|percent(?:age)?)\s+(?:of|to)\b", re.I)


def _row_paths(body: list[Row], cols: list[Column]) -> list[list[str]]:
    """Parent rows for every row: group headings (label-only rows) and rows their children sum to."""
    additive = [c.index for c in cols if not (c.unit and c.unit.unit == "%") and "%" not in c.qualifier]
    n = len(body)
    child_end = [-1] * n
    for i in range(n - 1, -1, -1):
        child_end[i] = _children_end(body, i, child_end, additive)
    paths: list[list[str]] = []
    # Open headings: [label, caps, has_rows, side]. A label-only first row ("ASSETS") heads the whole
    # side of a statement; "REVENUES:" style rows head groups that a "Total ..." row or a new group closes.
    headers: list[list] = []
    sum_parents: list[tuple[str, int]] = []  # (label, last child index)
    for i, r in enumerate(body):
        sum_parents = [(lab, end) for lab, end in sum_parents if end >= i]
        if not r.has_numbers and not r.is_nil:
            caps = _is_caps(r.label)
            colon = r.cells[0].rstrip().endswith(":")
            # A side of a statement is written in capitals ("ASSETS"); "Revenue" over segments is a group.
            side = not colon and ((i == 0 and caps) or bool(_SIDE.match(r.label.strip())))
            if side and i > 0:
                headers, sum_parents = [], []  # "LIABILITIES AND EQUITY" after "Total assets": the other side begins
            nxt = body[i + 1] if i + 1 < len(body) else None
            if not side and not colon and not (nxt is not None and nxt.has_numbers):
                # A line with no amounts and nothing under it ("COMMITMENTS AND CONTINGENCIES").
                paths.append([h[0] for h in headers] + [r.label])
                continue
            if caps:
                headers = [h for h in headers if h[3]]
            while headers and not headers[-1][3] and not headers[-1][1] and headers[-1][2]:
                headers.pop()
            headers.append([r.label, caps, False, side])
            paths.append([h[0] for h in headers])
            continue
        # A line in capitals closes a group headed in capitals ("REVENUES:" ... "OPERATING INCOME"); under a
        # heading in ordinary case ("Total assets:") capitals are names ("AMER", "APAC").
        if _is_caps(r.label) and headers and headers[-1][1] and headers[-1][2] and not headers[-1][3]:
            headers = [h for h in headers if h[3]]
        for h in headers:
            h[2] = True
        path = [h[0] for h in headers] + [lab for lab, _ in sum_parents] + [r.label]
        if _PERCENT_OF_ROW.match(r.label) and i and body[i - 1].has_numbers and body[i - 1].label:
            path = paths[-1] + [r.label]  # "Cost of net revenue" over "% of net revenue": that row's percentage
        paths.append(path)
        if _TOTAL.search(r.label) and headers and (not headers[-1][3] or r.label.lower() in ("total", "totals")):
            headers.pop()
        if child_end[i] > i:
            sum_parents.append((r.label, child_end[i]))
    return paths


def _name_unlabelled_totals(body: list[Row], cols: list[Column]) -> list[Row]:
    """A row of amounts with no label that the rows just above add up to is their total ("Total"), so a
    heading's total ("Board of directors" ... "$2,202") is found by the heading's name."""
    additive = [c.index for c in cols if not (c.unit and c.unit.unit == "%") and "%" not in c.qualifier]
    out = list(body)
    for i, r in enumerate(body):
        if r.label or not r.has_numbers or not additive:
            continue
        targets = {j: r.numbers[j].value for j in additive if j < len(r.numbers) and r.numbers[j] is not None}
        acc, count = {j: 0.0 for j in targets}, 0
        for k in range(i - 1, -1, -1):
            above = body[k]
            if not above.has_numbers or not above.label or _TOTAL.search(above.label):
                break
            for j in targets:
                n = above.numbers[j] if j < len(above.numbers) else None
                acc[j] += n.value if n else 0.0
            count += 1
            if count >= 2 and targets and all(abs(acc[j] - t) <= 0.51 * count * _unit_step(r.numbers[j]) + 1e-9 for j, t in targets.items()):
                out[i] = Row(r.line, "Total", ["Total"] + r.cells[1:], r.numbers)
                break
    return out


def _children_end(body: list[Row], i: int, child_end: list[int], cols: list[int]) -> int:
    """Index of the last child when rows after i sum to row i (nested sums count once), else -1."""
    parent = body[i]
    if not parent.has_numbers or not cols:
        return -1
    targets = {j: parent.numbers[j].value for j in cols if j < len(parent.numbers) and parent.numbers[j] is not None}
    if not targets:
        return -1
    acc = {j: 0.0 for j in targets}
    k, count = i + 1, 0
    while k < len(body) and count < 30:
        r = body[k]
        if (not r.has_numbers and not r.is_nil) or _TOTAL.search(r.label):
            return -1
        sign = -1 if _SUBTRACT.search(r.label) else 1
        for j in targets:
            n = r.numbers[j] if j < len(r.numbers) else None
            acc[j] += sign * (n.value if n else 0.0)
        count += 1
        end = child_end[k] if child_end[k] > k else k
        if count >= 2 and all(abs(acc[j] - t) <= 0.51 * count * _unit_step(parent.numbers[j]) + 1e-9 for j, t in targets.items()):
            return end
        k = end + 1
    return -1


def _unit_step(n: Number) -> float:
    return 10.0 ** (-n.decimals)


# ---------------------------------------------------------------- units of one cell


def _column_text(col: Column, unit: Unit) -> str:
    bits = [col.period.label if col.period else col.header]
    if col.qualifier:
        bits.append(col.qualifier)
    bits.append(f"({unit.label})" if unit.scale else "(unknown scale)")
    return " ".join(b for b in bits if b)


# ---------------------------------------------------------------- notes, narrative, conflicts

_RATE = re.compile(
    r"(?:JPY|¥|yen)\s*([\d.]+)\s*(?:per|=|to)\s*(?:1\s*|one\s*)?(?:U\.?S\.?\s*dollars?|USD|US\$|\$)"
    r"|(?:U\.?S\.?\s*\$|USD|US\$|\$)\s*1(?:\.00)?\s*=\s*(?:JPY|¥)\s*([\d.]+)",
    re.I,
)


def _rate_facts(filing: str, lines: list[str], cal: FiscalCalendar) -> list[Fact]:
    """The convenience-translation rate stated in a note, as a fact the calculator can cite."""
    for i, line in enumerate(lines):
        m = _RATE.search(line)
        if m:
            rate = float(m.group(1) or m.group(2))
            when = re.search(r"as of\s+([A-Z][a-z]+ \d{1,2}, \d{4})", line)
            period = parse_period(when.group(1), cal) if when else None
            period = period or Period("", 0, "translation rate")
            text = m.group(0)
            return [
                Fact(
                    id=content_id(filing, i + 1, "rate", text),
                    filing=filing,
                    table_id="note",
                    table_title="Note on U.S. dollar translation",
                    section="Notes",
                    metric="Exchange rate (yen per US dollar)",
                    row_path=["Exchange rate (yen per US dollar)"],
                    column="note",
                    period=period,
                    value=rate,
                    unit="JPY/USD",
                    scale=1,
                    scale_label="JPY per 1 USD",
                    cell_text=text,
                    line=i + 1,
                )
            ]
    return []


def _headings(lines: list[str], table_lines: set) -> dict[int, str]:
    """The section heading in force at each line."""
    out, heading = {}, ""
    for i, raw in enumerate(lines):
        s = raw.strip().strip("*").strip()
        if i not in table_lines and s and _is_heading(s) and len(s) < 90 and (i == 0 or not lines[i - 1].strip()) and (
                i + 1 >= len(lines) or not lines[i + 1].strip()):
            heading = s.rstrip(":")
        out[i] = heading
    return out


def _main_period(facts: list[Fact]) -> Optional[Period]:
    """The period the filing mainly reports: the most frequent duration among its table figures."""
    counts: dict = {}
    for f in facts:
        if f.period.months and not f.period.is_target and f.period.end:
            counts[f.period.key()] = (counts.get(f.period.key(), (0, f.period))[0] + 1, f.period)
    if not counts:
        return None
    return max(counts.values(), key=lambda v: (v[0], v[1].end))[1]


def _narrative_chunks(filing: str, lines: list[str], blocks) -> list[Chunk]:
    table_lines = set()
    for s, e, is_table in blocks:
        if is_table:
            table_lines.update(range(s, e + 1))
    chunks: list[Chunk] = []
    heading = ""
    para: list[tuple[int, str]] = []

    def flush():
        if not para:
            return
        text = " ".join(t for _, t in para)
        body = f"{heading}: {text}" if heading and heading != text else text
        chunks.append(Chunk(content_id(filing, para[0][0], text), filing, heading, body, para[0][0], para[-1][0]))
        para.clear()

    for i, raw in enumerate(lines):
        if i in table_lines:
            flush()
            continue
        s = raw.replace("\t", " ").strip().strip("*").strip()
        if not s:
            flush()
            continue
        prev_blank = i == 0 or not lines[i - 1].strip()
        next_blank = i + 1 >= len(lines) or not lines[i + 1].strip()
        if _TABLE_MARK.match(s):
            flush()
            continue
        if _is_heading(s) and prev_blank and next_blank and len(s) < 90:
            flush()
            heading = s.rstrip(":")
            continue
        para.append((i + 1, s))
        if sum(len(t) for _, t in para) > 900:
            flush()
    flush()
    return chunks


def _row_chunks(filing: str, facts: list[Fact]) -> list[Chunk]:
    """Each table row as a text document repeating title, row path, columns and units."""
    by_row: dict[tuple[str, int], list[Fact]] = {}
    for f in facts:
        by_row.setdefault((f.table_id, f.line, f.metric), []).append(f)
    out = []
    for (_tid, line, _m), fs in by_row.items():
        f0 = fs[0]
        cells = "; ".join(f"{f.column}: {f.cell_text}" for f in fs)
        path = " > ".join(f0.row_path) if f0.row_path else f0.metric
        text = f"{f0.table_title} | {f0.section} | {path} | {cells}"
        out.append(Chunk(content_id(filing, "row", line, text), filing, f0.section or f0.table_title, text, line, line, "table_row", [f.id for f in fs]))
    return out


def norm_metric(path: list[str]) -> str:
    t = " ".join(path[-2:]).lower()
    t = re.sub(r"\btotal\b|\bconsolidated\b", " ", t)
    t = re.sub(r"\((?:loss|income|expense|benefit)\)|\(unaudited\)", " ", t)
    t = re.sub(r"[^a-z0-9 ]+", " ", t)
    return " ".join(t.split())


def _conflicts(facts: list[Fact]) -> list[dict]:
    """Figures printed twice with values that disagree beyond rounding."""
    groups: dict[tuple, list[Fact]] = {}
    for f in facts:
        if not f.scale_known or f.unit in ("%",) or f.qualifier:
            continue
        key = (norm_metric(f.row_path), f.period.key(), f.unit)
        groups.setdefault(key, []).append(f)
    out = []
    for (metric, _pk, unit), fs in groups.items():
        if len({f.table_id for f in fs}) < 2:
            continue
        # Coarser tables truncate or round: one unit of the coarsest scale is not a disagreement.
        tol = max(f.scale for f in fs) * 1.01
        lo, hi = min(fs, key=lambda f: f.value), max(fs, key=lambda f: f.value)
        if hi.value - lo.value > tol and (abs(lo.value) > 0 and hi.value / lo.value < 1.1 if lo.value > 0 else False):
            out.append(
                {
                    "metric": metric,
                    "period": fs[0].period.label,
                    "unit": unit,
                    "values": [
                        {"value": f.value, "cell_text": f.cell_text, "table": f.table_title, "line": f.line, "fact_id": f.id}
                        for f in sorted(fs, key=lambda f: f.line)
                    ],
                }
            )
    return out
