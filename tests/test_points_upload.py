"""Your own data: a CSV of 2-D points. Every malformed file gets its own message, no other exception
escapes (fuzzed), and good files (header or not, commas or tabs) give the points, thinned past 20,000."""

from __future__ import annotations

import random

import pytest

from gan_core import Trainer
from gan_core.classroom.points import KEEP, MAX_ROWS, PointsError, parse_csv
from gan_core.config import Config
from gan_core.ui.i18n import table


@pytest.mark.parametrize("data,says", [
    (b"", "the file is empty"),
    (b"  \n\n", "the file is empty"),
    (b"x,y,z\n1,2,3\n", "row 1 has 3 column(s)"),
    (b"1,2\n3\n", "row 2 has 1 column(s)"),
    (b"1,2\n3,nan\n", "row 2: 3, nan is not finite"),
    (b"1,2\ninf,1\n", "not finite"),
    (b"x,y\n1,2\nthree,4\n", "row 3: ['three', '4'] is not two numbers"),
    (b"1,2\n", "1 point(s): at least 2"),
    (b"x,y\n", "0 point(s)"),
    (b"1,2\n5000,1\n", "outside +-1000"),
    (b"\xff\xfe\x00garbage", "not text"),
    (b"1,2\n" * (MAX_ROWS + 1), f"more than {MAX_ROWS:,} rows"),
    (b"1" * 9_000_000, "at most 8 MB"),
])
def test_every_malformed_file_gets_its_message(data, says):
    with pytest.raises(PointsError) as e:
        parse_csv(data)
    assert says in str(e.value)
    # the page shows it in the student's language: every key has both texts, every placeholder filled
    for lang in ("en", "zh"):
        text = table(lang)[f"points.err.{e.value.key}"].format(**e.value.params)
        assert "{" not in text and len(text) > 8
    assert table("en")[f"points.err.{e.value.key}"].format(**e.value.params).replace("±", "+-") == str(e.value) \
        or e.value.key == "not_numbers"  # the page quotes the cells, not Python's list


def test_good_files_header_optional_commas_or_tabs():
    assert parse_csv(b"x,y\n1,2\n-3.5,4e-1\n") == ([[1.0, 2.0], [-3.5, 0.4]], 2)
    assert parse_csv(b"\xef\xbb\xbf1\t2\n3\t4\n\n")[0] == [[1.0, 2.0], [3.0, 4.0]]
    big = "".join(f"{i % 100 / 10},{i % 7}\n" for i in range(MAX_ROWS)).encode()
    pts, rows = parse_csv(big)
    assert rows == MAX_ROWS and len(pts) == KEEP and pts[1] == [0.5, 5.0]  # every 5th row
    trainer = Trainer(Config(dataset="custom", custom_points=tuple(map(tuple, pts)), batch_size=32))
    trainer.run(2)
    assert trainer.status == "ok"


def test_fuzz_nothing_but_a_value_error_ever_escapes():
    rng = random.Random(0)
    alphabet = b"0123456789,.-+eE \t\nnaif\"x"
    for _ in range(3000):
        data = bytes(rng.choice(alphabet) for _ in range(rng.randint(0, 60)))
        try:
            pts, rows = parse_csv(data)
        except ValueError:
            continue
        assert len(pts) == rows >= 2 and all(len(p) == 2 for p in pts)
        Config(dataset="custom", custom_points=tuple(map(tuple, pts)))  # what it accepts, the config takes
