"""Your own data: a CSV file of 2-D points for dataset=custom. Header optional; numbers only; at most
MAX_ROWS rows. Any other file gets a ValueError saying what is wrong and where (nothing half-read is used).
More rows than the config keeps (config: 20,000 points) are thinned evenly, and the caller says so."""

from __future__ import annotations

import csv
import io
import math

MAX_ROWS = 100_000
MAX_BYTES = 8_000_000
KEEP = 20_000  # config.Config's limit on custom_points


def parse_csv(data: bytes) -> tuple[list[list[float]], int]:
    """(points, rows read): at most KEEP points, evenly thinned from the rows read."""
    if not data.strip():
        raise ValueError("the file is empty: expected rows of 'x, y'")
    if len(data) > MAX_BYTES:
        raise ValueError(f"the file is {len(data) / 1e6:.1f} MB: at most {MAX_BYTES / 1e6:.0f} MB "
                         f"({MAX_ROWS:,} rows of 'x, y')")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError("the file is not text (UTF-8): expected a CSV of 'x, y' rows") from None
    dialect = csv.excel_tab if "\t" in text.splitlines()[0] and "," not in text.splitlines()[0] else csv.excel
    points = []
    for n, row in enumerate(csv.reader(io.StringIO(text), dialect), start=1):
        cells = [c.strip() for c in row]
        if not any(cells):
            continue
        if len(cells) != 2:
            raise ValueError(f"row {n} has {len(cells)} column(s): expected exactly 2 (x, y)")
        try:
            x, y = float(cells[0]), float(cells[1])
        except ValueError:
            if n == 1 and not points:
                continue  # a header
            raise ValueError(f"row {n}: {row!r} is not two numbers") from None
        if not (math.isfinite(x) and math.isfinite(y)):
            raise ValueError(f"row {n}: {cells[0]}, {cells[1]} is not finite (NaN or infinity)")
        if abs(x) > 1e3 or abs(y) > 1e3:
            raise ValueError(f"row {n}: {cells[0]}, {cells[1]} lies outside +-1000")
        points.append([x, y])
        if len(points) > MAX_ROWS:
            raise ValueError(f"more than {MAX_ROWS:,} rows: at most {MAX_ROWS:,}")
    if len(points) < 2:
        raise ValueError(f"{len(points)} point(s): at least 2 are needed")
    rows = len(points)
    if rows > KEEP:
        points = [points[i * rows // KEEP] for i in range(KEEP)]
    return points, rows
