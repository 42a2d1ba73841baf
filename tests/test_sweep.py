"""The sweep CLI and engine: rows per (cell, seed), one-line errors for bad grids, determinism, Ray."""

import json

import numpy as np
import pytest

from gan_core.cli import main
from gan_core.presets import get_preset
from gan_core.sweep import batches, parse_grid, plan, run_sweep, summarize
from gan_core.trainer import Trainer

SMALL = ["--grid", "lr_d=1e-3,1e-2", "--seeds", "0-1", "--steps", "15", "--threads", "1"]


def run_cli(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def small_base():
    return get_preset("ring-stable").config(g_width=16, d_width=16, batch_size=64)


def test_sweep_json_one_row_per_cell_and_seed(capsys, tmp_path):
    code, out, err = run_cli(capsys, "sweep", *SMALL, "--json", "--out", str(tmp_path / "map"))
    assert code == 0, err
    result = json.loads(out)
    assert set(result) == {"rows", "seconds"} and result["seconds"] > 0
    rows = result["rows"]
    assert [(r["cell"], r["seed"]) for r in rows] == [([0], 0), ([0], 1), ([1], 0), ([1], 1)]
    for r in rows:
        assert {"config", "metrics", "diagnosis", "status", "steps", "engine", "evidence"} <= set(r)
        assert r["config"]["lr_d"] == (1e-3 if r["cell"] == [0] else 1e-2) and r["config"]["seed"] == r["seed"]
        assert r["config"]["r1_gamma"] == 0.1  # the preset's settings under the grid's
        assert r["status"] == "ok" and r["steps"] == 15 and r["engine"] == "ensemble"
        assert r["diagnosis"] == "not-converged-yet"  # 15 steps: too early to judge, as for a single run
        assert {"modes_covered", "hq_fraction", "js_grid"} <= set(r["metrics"])
    assert "sweep [" in err  # the progress bar
    # The ensemble's final numbers are a plain Trainer's (float32 rounding aside).
    t = Trainer(get_preset("ring-stable").config(lr_d=1e-2, seed=1))
    t.run(15)
    np.testing.assert_allclose(rows[3]["d_loss"], t.history.last()["d_loss"], rtol=1e-4)
    assert sorted(p.name for p in (tmp_path / "map").iterdir()) == ["map.json", "map.png", "sweep.csv"]
    doc = json.loads((tmp_path / "map" / "map.json").read_text())
    assert doc["axes"] == [{"key": "lr_d", "values": [1e-3, 1e-2]}] and len(doc["cells"]) == 2
    assert (tmp_path / "map" / "map.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (tmp_path / "map" / "sweep.csv").read_text().count("\n") == 5


@pytest.mark.parametrize("grid, message", [
    (["--grid", "lr_dd=1e-3"], "--grid lr_dd: unknown setting"),
    (["--grid", "lr_d=5"], "lr_d=5.0 is not allowed"),
    (["--grid", "lr_d=abc"], "expected a number"),
    (["--grid", "lr_d"], "expected KEY=V1,V2"),
    (["--grid", "lr_d=1e-3,,1e-2"], "comma-separated values"),
    (["--grid", "lr_d=1e-3,0.001"], "given twice"),
    (["--grid", "seed=1,2"], "use --seeds"),
    (["--grid", "loss=minimax,nope"], "one of"),
    (["--grid", "lr_d=1e-3", "--grid", "lr_g=1e-3", "--grid", "beta1=0.5"], "at most 2 --grid axes"),
    ([], "at least one --grid"),
    (["--grid", "lr_d=1e-3", "--steps", "0"], "--steps 0"),
    (["--grid", "lr_d=1e-3", "--seeds", "x"], "--seeds"),
])
def test_bad_grids_exit_2_with_one_line(capsys, grid, message):
    code, out, err = run_cli(capsys, "sweep", *grid, "--threads", "1")
    assert code == 2 and out == ""
    assert err.startswith("error:") and message in err and err.count("\n") == 1, err


def test_architecture_and_mutable_axes_mix_into_groups_and_unsupported_runs_fall_back():
    base = small_base()
    axes = parse_grid(["d_width=8,16", "lr_d=1e-3,1e-2"], base)
    work, fallback = batches(plan(base, axes, [0, 1]))
    assert sorted(len(b) for b in work) == [4, 4] and fallback == {}  # one batch per width
    axes = parse_grid(["scheme=alternating,simultaneous"], base)
    work, fallback = batches(plan(base, axes, [0]))
    assert fallback == {"scheme=simultaneous": 1}
    rows = run_sweep(base, axes, [0], 5)
    assert [r["engine"] for r in rows] == ["ensemble", "trainer"]
    t = Trainer(base.replace(scheme="simultaneous"))
    t.run(5)
    assert rows[1]["d_loss"] == t.history.last()["d_loss"]  # the fallback is the Trainer itself


def test_same_seeds_same_map():
    base = small_base().replace(metrics_every=100_000)
    axes = parse_grid(["lr_d=1e-3,3e-2", "lr_g=1e-3,3e-2"], base)
    first = run_sweep(base, axes, [0, 1], 320)
    second = run_sweep(base, axes, [0, 1], 320)
    assert first == second
    cells = summarize(first, axes)
    assert len(cells) == 4
    assert all(0 <= c["healthy"] <= 1 and sum(c["counts"].values()) == 2 for c in cells)


def test_summarize_majority_and_ties():
    rows = [{"cell": [0, 0], "seed": s, "diagnosis": d} for s, d in enumerate(["healthy", "mode-collapse"])]
    rows += [{"cell": [1, 0], "seed": s, "diagnosis": d} for s, d in enumerate(["healthy", "healthy", "oscillation"])]
    axes = [("lr_d", [1e-3, 1e-2]), ("lr_g", [1e-3])]
    a, b = summarize(rows, axes)
    assert a["majority"] == "mode-collapse" and a["healthy"] == 0.5  # a tie goes to the failure
    assert b["majority"] == "healthy" and b["healthy"] == pytest.approx(2 / 3)
    assert b["settings"] == {"lr_d": 1e-2, "lr_g": 1e-3}


def test_bench_sweep_smoke(capsys):
    code, out, err = run_cli(capsys, "bench", "--sweep", "--sizes", "1,3", "--steps", "10", "--rounds", "1",
                             "--threads", "1", "--json")
    assert code == 0, err
    r = json.loads(out)
    assert {"member_steps_per_s", "trainer_steps_per_s", "ratio", "by_size", "best_size"} <= set(r)
    assert set(r["by_size"]) == {"1", "3"} and r["member_steps_per_s"] == max(r["by_size"].values())
    assert r["ratio"] == pytest.approx(r["member_steps_per_s"] / r["trainer_steps_per_s"], rel=0.02)
    assert r["trainer_steps_per_s"] == max(r["trainer_by_threads"].values()) and set(r["trainer_by_threads"]) == {"1"}
    code, out, err = run_cli(capsys, "bench", "--sweep", "--sizes", "2", "--steps", "10", "--rounds", "1",
                             "--threads", "2", "--json")
    r = json.loads(out)  # the Trainer on one thread and on the ensemble's two: the faster is the baseline
    assert code == 0 and set(r["trainer_by_threads"]) == {"1", "2"} and r["threads"] == 2
    assert r["trainer_steps_per_s"] == max(r["trainer_by_threads"].values())
    code, _, err = run_cli(capsys, "bench", "--sweep", "--sizes", "0,x")
    assert code == 2 and "--sizes" in err


def test_shipped_lesson_map_is_what_its_command_gives_today():
    """The Stability page's precomputed maps (and the texts written from them) are what the code gives today:
    the smaller one, made again by the command it records, has the same diagnosis in every run. (A single
    cell trained alone can end otherwise: the batch's float rounding differs, and GAN training grows it;
    the page says so when it opens a cell in the Playground.)"""
    from gan_core.ui.stability import ASSETS

    doc = json.loads((ASSETS / "maps" / "ring-collapse.json").read_text(encoding="utf-8"))
    assert doc["command"].startswith("python -m gan_core sweep --preset ring-mode-collapse")
    base = get_preset(doc["preset"]).config(**doc["set"])
    axes = [(a["key"], a["values"]) for a in doc["axes"]]
    again = run_sweep(base, axes, doc["seeds"], doc["steps"])
    assert [(r["cell"], r["seed"], r["diagnosis"], r["status"]) for r in again] == \
        [(r["cell"], r["seed"], r["diagnosis"], r["status"]) for r in doc["rows"]]
