"""A synthetic filing N times the size of a real one, for the scale figures.

Copy 0 is the filing unchanged. Copies 1..N-1 repeat the whole text (narrative kept) with every year
moved back 1..8 years ("1H12" -> "1H09", "September 30, 2012" -> "September 30, 2009") and every
table row label prefixed "Segment K ", so each copy's rows are new facts under other period names.
Years stay >= 2000 because two-digit years ("1H05") read as 20yy. The original stays the latest
period, so the eval questions still resolve to it.
"""
from __future__ import annotations

import re
from pathlib import Path

_YEAR4 = re.compile(r"(?<![\d,.])(20[0-9]{2})(?![\d,])")
_YEAR2 = re.compile(r"\b([1-4][HQ]|FY|H[12]|Q[1-4])(\d{2})\b")


def _shift_years(line: str, back: int) -> str:
    line = _YEAR4.sub(lambda m: str(int(m.group(1)) - back), line)
    return _YEAR2.sub(lambda m: f"{m.group(1)}{(int(m.group(2)) - back) % 100:02d}", line)


def _copy(lines: list[str], k: int) -> list[str]:
    back = 1 + (k - 1) % 8
    out = []
    for line in lines:
        line = _shift_years(line, back)
        if "\t" in line:
            cells = line.split("\t")
            if cells[0].strip():
                cells[0] = f"Segment {k} {cells[0].strip()}"
            line = "\t".join(cells)
        out.append(line)
    return out


def synthesize(filing: Path, factor: int, out: Path) -> Path:
    """Writes the filing repeated `factor` times (see the module doc) to `out` and returns it."""
    text = Path(filing).read_text(encoding="utf-8")
    lines = text.rstrip("\n").split("\n")
    parts = ["\n".join(lines)]
    for k in range(1, max(1, int(factor))):
        parts.append("\n".join(_copy(lines, k)))
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n\n".join(parts) + "\n", encoding="utf-8")
    return out
