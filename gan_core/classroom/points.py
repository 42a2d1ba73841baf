"""Your own data: a CSV file of 2-D points for dataset=custom. Header optional; numbers only; at most
MAX_ROWS rows. Any other file gets a PointsError (a ValueError) saying what is wrong and where (nothing
half-read is used); its `key` and `params` give the same message in the UI's languages (points.err.KEY).
More rows than the config keeps (config: 20,000 points) are thinned evenly, and the caller says so."""

from __future__ import annotations

import csv
import io
import math

MAX_ROWS = 100_000
MAX_BYTES = 8_000_000
KEEP = 20_000  # config.Config's limit on custom_points


class PointsError(ValueError):
    def __init__(self, key: str, text: str, **params):
        super().__init__(text)
        self.key, self.params = key, params


def parse_csv(data: bytes) -> tuple[list[list[float]], int]:
    """(points, rows read): at most KEEP points, evenly thinned from the rows read."""
    if not data.strip():
        raise PointsError("empty", "the file is empty: expected rows of 'x, y'")
    if len(data) > MAX_BYTES:
        mb, limit = f"{len(data) / 1e6:.1f}", f"{MAX_BYTES / 1e6:.0f}"
        raise PointsError("too_big", f"the file is {mb} MB: at most {limit} MB ({MAX_ROWS:,} rows of 'x, y')",
                          mb=mb, limit=limit, rows=f"{MAX_ROWS:,}")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PointsError("not_text", "the file is not text (UTF-8): expected a CSV of 'x, y' rows") from None
    dialect = csv.excel_tab if "\t" in text.splitlines()[0] and "," not in text.splitlines()[0] else csv.excel
    points = []
    for n, row in enumerate(csv.reader(io.StringIO(text), dialect), start=1):
        cells = [c.strip() for c in row]
        if not any(cells):
            continue
        if len(cells) != 2:
            raise PointsError("columns", f"row {n} has {len(cells)} column(s): expected exactly 2 (x, y)",
                              row=n, cols=len(cells))
        try:
            x, y = float(cells[0]), float(cells[1])
        except ValueError:
            if n == 1 and not points:
                continue  # a header
            raise PointsError("not_numbers", f"row {n}: {row!r} is not two numbers", row=n,
                                  cells=", ".join(cells)[:80]) from None
        if not (math.isfinite(x) and math.isfinite(y)):
            raise PointsError("not_finite", f"row {n}: {cells[0]}, {cells[1]} is not finite (NaN or infinity)",
                              row=n, cells=f"{cells[0]}, {cells[1]}"[:80])
        if abs(x) > 1e3 or abs(y) > 1e3:
            raise PointsError("outside", f"row {n}: {cells[0]}, {cells[1]} lies outside +-1000", row=n,
                              cells=f"{cells[0]}, {cells[1]}"[:80])
        points.append([x, y])
        if len(points) > MAX_ROWS:
            raise PointsError("too_many", f"more than {MAX_ROWS:,} rows: at most {MAX_ROWS:,}", rows=f"{MAX_ROWS:,}")
    if len(points) < 2:
        raise PointsError("too_few", f"{len(points)} point(s): at least 2 are needed", n=len(points))
    rows = len(points)
    if rows > KEEP:
        points = [points[i * rows // KEEP] for i in range(KEEP)]
    return points, rows
