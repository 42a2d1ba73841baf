"""Saved runs compared: save/load round trip, malformed folders, names, rename/delete, curves aligned by
step, CSV, PNG, the `compare` CLI, fork (same initial weights, replayed changes), the GIF export, and the
overlay figures."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from gan_core import Trainer, cli, from_flat, gif, replay, schedule, store, tables
from gan_core.compare_cli import compare_cli
from gan_core.figures import runs as fc
from gan_core.store import RunError, load_run, load_weights, save_run, validate_name

ROOT = Path(__file__).resolve().parents[1]


def small(**kw):
    return from_flat({"g_width": 16, "d_width": 16, "batch_size": 64, "metrics_every": 20, **kw})


def trained(steps=40, change_at=None, **kw) -> Trainer:
    tr = Trainer(small(**kw))
    if change_at:
        schedule.run(tr, change_at)
        tr.update(lr_d=1e-4)
    schedule.run(tr, steps - tr.step_count)
    return tr


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    """Two good runs (one with a mid-run change) in a fresh runs folder."""
    root = tmp_path_factory.mktemp("runs")
    save_run(trained(40, change_at=20, seed=1), root / "alpha")
    save_run(trained(30, seed=1, loss="lsgan"), root / "beta")
    return root


def copy_run(root: Path, name: str, dest: Path) -> Path:
    dest.mkdir()
    for f in (root / name).iterdir():
        (dest / f.name).write_bytes(f.read_bytes())
    return dest


# ---- save, load, names -----------------------------------------------------------------------------

def test_save_load_round_trip(tmp_path):
    tr = trained(30, change_at=10, seed=2)
    save_run(tr, tmp_path / "r", diagnosis={"label": "healthy", "evidence": []})
    run = load_run(tmp_path / "r")
    assert run.config == tr.config and run.name == "r"
    for key, col in tr.history.columns().items():
        np.testing.assert_array_equal(run.history[key], col)
    assert run.summary["steps"] == 30 and run.summary["events"] == tr.events
    assert run.summary["diagnosis"]["label"] == "healthy"
    np.testing.assert_array_equal(run.samples, tr.sample(2500))
    weights = load_weights(tmp_path / "r")
    assert all(torch.equal(weights["G"][k], v) for k, v in tr.G.state_dict().items())


@pytest.mark.parametrize("name", ["../x", "a/b", "", ".", "..", "a\\b", "/abs", " ", "-x", "x" * 65])
def test_bad_names_are_refused(name):
    with pytest.raises(RunError):
        validate_name(name)


def test_existing_name_needs_overwrite(tmp_path):
    tr = trained(5)
    save_run(tr, tmp_path / "same")
    with pytest.raises(RunError, match="exists already"):
        save_run(tr, tmp_path / "same")
    tr.run(5)
    save_run(tr, tmp_path / "same", overwrite=True)
    assert load_run(tmp_path / "same").summary["steps"] == 10
    assert validate_name(" ring8 lr 1e-05 中文 ") == "ring8 lr 1e-05 中文"


def test_unique_and_suggested_names_are_valid(tmp_path):
    assert store.unique_name("a/b ../c", []) == "a b .. c"
    assert store.unique_name("run", ["run", "run 2"]) == "run 3"
    assert store.unique_name("", []) == "run" and store.unique_name("é", []) == "run"
    assert len(store.unique_name("x" * 100, [])) <= 64
    (tmp_path / "ring8 non-saturating lr 0.001 step 0").mkdir()
    assert store.suggest_name(small(lr_d=1e-3), 0, tmp_path) == "ring8 non-saturating lr 0.001 step 0 2"


# ---- malformed folders -----------------------------------------------------------------------------

def broken_folders(root: Path, base: Path) -> dict[str, str]:
    """Each kind of damage in its own folder; returns name -> a word the reason must contain."""
    damage = {}
    for name, file, text, word in [
        ("no-summary", "summary.json", None, "summary.json"),
        ("bad-json", "config.json", "{not json", "not valid JSON"),
        ("bad-csv-header", "metrics.csv", "a,b\n1,2\n", "header"),
        ("bad-config-value", "config.json", json.dumps({"lr_d": 5.0}), "lr_d"),
        ("bad-steps", "summary.json", json.dumps({"steps": "many"}), "steps"),
        ("corrupt-weights", "weights.pt", b"\x00garbage", "weights.pt"),
    ]:
        folder = copy_run(root, "alpha", base / name)
        if text is None:
            (folder / file).unlink()
        else:
            (folder / file).write_bytes(text if isinstance(text, bytes) else text.encode())
        damage[name] = word
    (base / "empty").mkdir()
    damage["empty"] = "missing"
    (base / "a-file.txt").write_text("not a run")  # files in the runs folder are ignored
    return damage


def test_scan_lists_every_malformed_folder_with_its_reason(root, tmp_path):
    damage = broken_folders(root, tmp_path)
    copy_run(root, "beta", tmp_path / "good")
    entries = {e.name: e for e in store.scan_runs(tmp_path)}
    assert set(entries) == {*damage, "good"}
    assert entries["good"].ok and entries["good"].config.loss == "lsgan"
    for name, word in damage.items():
        assert not entries[name].ok and word in entries[name].error, (name, entries[name].error)
        assert "\n" not in entries[name].error and str(tmp_path) not in entries[name].error
    assert store.scan_runs(tmp_path / "nowhere") == []


def test_bad_csv_rows_are_found_when_the_run_is_loaded(root, tmp_path):
    folder = copy_run(root, "alpha", tmp_path / "bad-row")
    rows = (folder / "metrics.csv").read_text().splitlines()
    rows[5] = rows[5].replace(rows[5].split(",")[1], "oops", 1)
    (folder / "metrics.csv").write_text("\n".join(rows) + "\n")
    assert store.scan_runs(tmp_path)[0].ok  # listing reads only the header
    with pytest.raises(RunError, match="non-numeric"):
        store.check_run(folder)


# ---- rename and delete -----------------------------------------------------------------------------

def test_rename_and_delete(root, tmp_path):
    copy_run(root, "alpha", tmp_path / "one")
    copy_run(root, "beta", tmp_path / "two")
    for bad in ("../x", "a/b", "", "two"):
        with pytest.raises(RunError):
            store.rename_run("one", bad, tmp_path)
    with pytest.raises(RunError):
        store.rename_run("../one", "x", tmp_path)
    assert store.rename_run("one", "uno", tmp_path) == tmp_path / "uno"
    assert load_run(tmp_path / "uno").config.lr_d == 1e-4
    (tmp_path / "two" / "notes.txt").write_text("mine")
    with pytest.raises(RunError, match="notes.txt"):
        store.delete_run("two", tmp_path)
    (tmp_path / "two" / "notes.txt").unlink()
    store.delete_run("two", tmp_path)
    with pytest.raises(RunError):
        store.delete_run("..", tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["uno"]


# ---- curves, tables, exports -----------------------------------------------------------------------

def test_align_uses_the_union_of_steps_without_interpolation():
    a = {"step": np.array([1.0, 2, 3]), "d_loss": np.array([1.0, 2, 3])}
    b = {"step": np.array([2.0, 4]), "d_loss": np.array([20.0, 40])}
    steps, out = tables.align({"a": a, "b": b}, ("d_loss",))
    np.testing.assert_array_equal(steps, [1, 2, 3, 4])
    np.testing.assert_array_equal(out["a"]["d_loss"], [1, 2, 3, np.nan])
    np.testing.assert_array_equal(out["b"]["d_loss"], [np.nan, 20, np.nan, 40])


def test_tables_final_numbers_config_diff_and_events(root):
    runs = {n: load_run(root / n) for n in ("alpha", "beta")}
    rows = {r["run"]: r for r in tables.final_rows(runs)}
    assert rows["alpha"]["steps"] == 40 and rows["beta"]["status"] == "ok"
    assert np.isclose(rows["beta"]["d_loss"], np.mean(runs["beta"].history["d_loss"][-100:]))
    assert "js_grid" in rows["alpha"] and "mode_counts" not in rows["alpha"]
    diff = {r["setting"]: r for r in tables.config_diff(runs)}
    assert set(diff) == {"loss", "lr_d"}
    assert diff["loss"]["beta"] == "lsgan" and diff["lr_d"]["alpha"] == "0.001 → 0.0001 @20"
    assert tables.event_rows(runs) == [{"run": "alpha", "step": 20, "change": "lr_d 0.001→0.0001"}]
    assert "js_grid" in tables.metric_keys(runs)


def test_curves_csv_is_aligned_by_step(root):
    hist = {n: load_run(root / n).history for n in ("alpha", "beta")}
    rows = list(csv.reader(io.StringIO(tables.curves_csv(hist, smoothing=0.9))))
    assert rows[0][:3] == ["step", "alpha:d_loss", "alpha:d_loss_ema"] and "beta:d_fake_ema" in rows[0]
    assert [int(r[0]) for r in rows[1:]] == list(range(1, 41))
    beta = rows[0].index("beta:g_loss")
    assert rows[-1][beta] == "" and rows[30][beta] != ""  # beta stops at step 30


def test_comparison_png(root):
    runs = {n: load_run(root / n) for n in ("alpha", "beta")}
    events = {n: tables.valid_events(r.summary["events"]) for n, r in runs.items()}
    png = fc.comparison_png({n: r.history for n, r in runs.items()}, events, smoothing=0.5, log_y=True)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20_000


# ---- the CLI ---------------------------------------------------------------------------------------

def test_cli_compare_writes_png_and_csv(root, tmp_path, capsys):
    assert cli.main(["compare", str(root / "alpha"), str(root / "beta"), "--out", str(tmp_path / "c.png")]) == 0
    assert (tmp_path / "c.png").read_bytes()[:4] == b"\x89PNG"
    assert cli.main(["compare", str(root / "alpha"), str(root / "beta"), "--out", str(tmp_path / "c.csv")]) == 0
    assert (tmp_path / "c.csv").read_text().startswith("step,alpha:d_loss")
    assert "wrote" in capsys.readouterr().out


@pytest.mark.parametrize("damage", ["missing", "bad-json", "corrupt-weights", "suffix", "out-folder"])
def test_cli_compare_bad_input_exits_2_with_one_line(root, tmp_path, capsys, damage):
    (tmp_path / "b").mkdir()
    broken_folders(root, tmp_path / "b")
    folder = tmp_path / "b" / damage if damage in ("bad-json", "corrupt-weights") else tmp_path / "nothing-here"
    out = {"suffix": tmp_path / "c.jpg", "out-folder": tmp_path / "no" / "c.png"}.get(damage, tmp_path / "c.png")
    runs = [str(root / "alpha")] + ([str(folder)] if damage not in ("suffix", "out-folder") else [])
    assert cli.main(["compare", *runs, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ") and "Traceback" not in err
    if damage not in ("suffix", "out-folder"):
        assert str(folder) in err
    assert not out.exists()


def test_cli_compare_finds_run_names_in_the_runs_folder(root, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("GAN_CLASSROOM_RUNS", str(root))
    assert cli.main(["compare", "alpha", "beta", "--out", str(tmp_path / "c.csv")]) == 0
    assert compare_cli(["alpha"], str(tmp_path / "d.csv"), runs_dir=tmp_path) == 2  # not in that folder
    assert "alpha: no such run folder" in capsys.readouterr().err


def test_cli_compare_subprocess_has_no_traceback(root, tmp_path):
    bad = copy_run(root, "alpha", tmp_path / "bad")
    (bad / "metrics.csv").write_text("step,d_loss,g_loss\n1,x,2\n")
    result = subprocess.run([sys.executable, "-m", "gan_core", "compare", str(root / "alpha"), str(bad),
                             "--out", str(tmp_path / "c.png")], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and str(bad) in result.stderr and "non-numeric" in result.stderr


# ---- fork ------------------------------------------------------------------------------------------

def test_same_seed_and_architecture_give_identical_initial_weights():
    assert replay.same_initial_weights(small(seed=3), small(seed=3, lr_d=0.1, loss="hinge", d_steps=3))
    assert not replay.same_initial_weights(small(seed=3), small(seed=4))
    assert not replay.same_initial_weights(small(seed=3), small(seed=3, g_width=8))
    assert not replay.same_initial_weights(small(seed=3), small(seed=3, dataset="digits"))


def test_fork_starts_from_the_runs_initial_weights(root):
    run = load_run(root / "alpha")
    original = Trainer(tables.initial_config(run))  # step 0 of the saved run
    forked = Trainer(replay.fork_config(run, {"lr_g": 1e-4, "loss": "hinge"}))
    for a, b in ((original.G, forked.G), (original.D, forked.D)):
        assert all(torch.equal(a.state_dict()[k], v) for k, v in b.state_dict().items())
    assert forked.config.lr_d == 1e-3 and forked.config.loss == "hinge"  # lr_d as at step 0


def test_fork_replays_mid_run_changes_and_an_unchanged_fork_reproduces_the_run(root):
    run = load_run(root / "alpha")
    assert tables.initial_config(run).lr_d == 1e-3 and run.config.lr_d == 1e-4
    assert replay.plan(run) == [(20, {"lr_d": 1e-4})] and replay.plan(run, {"lr_d": 1e-2}) == []
    same = replay.fork_run(run, {})
    assert same.step_count == 40 and same.events == run.summary["events"]
    weights = load_weights(root / "alpha")
    assert all(torch.equal(weights["G"][k], v) for k, v in same.G.state_dict().items())
    changed = replay.fork_run(run, {"lr_d": 1e-2})
    assert changed.step_count == 40 and changed.config.lr_d == 1e-2 and changed.events == []


def test_fork_and_save_writes_a_new_run(root, tmp_path):
    entry = next(e for e in store.scan_runs(root) if e.name == "beta")
    name = replay.fork_and_save(entry, {"lr_g": 2e-3}, tmp_path, ["beta"])
    assert name == "beta lr_g 0.002"
    saved = load_run(tmp_path / name)
    assert saved.summary["steps"] == 30 and saved.summary["fork_of"] == {"run": "beta", "changes": {"lr_g": 2e-3}}
    assert saved.summary["diagnosis"]["label"] and tables.listing_rows(store.scan_runs(tmp_path))[0]["fork_of"] == "beta"
    with pytest.raises(ValueError, match="lr_g"):
        replay.fork_config(entry, {"lr_g": 7.0})


# ---- GIF -------------------------------------------------------------------------------------------

def test_gif_of_a_saved_run(root):
    data, info = gif.run_gif(load_run(root / "alpha"), max_frames=5, n=200)
    assert data[:6] == b"GIF89a"
    assert info == {"frames": 5, "steps": 40, "every": 10, "matches": True, "status": "ok"}
    from PIL import Image

    assert Image.open(io.BytesIO(data)).n_frames == 5


def test_gif_says_when_a_replay_cannot_match(tmp_path):
    tr = trained(10, seed=5)
    tr.d_step()  # single D updates are not replayed
    save_run(tr, tmp_path / "r")
    assert gif.run_gif(load_run(tmp_path / "r"), max_frames=3, n=100)[1]["matches"] is False


def test_gif_of_digits_frames():
    tr = Trainer(small(dataset="digits", latent_dim=8))
    frames = gif.record_frames(tr, 4, every=2, n=64)
    assert [s for s, _ in frames] == [0, 2, 4] and frames[0][1].shape == (64, 64)
    assert gif.gif_bytes(frames, "image")[:6] == b"GIF89a"


# ---- overlay figures -------------------------------------------------------------------------------

def test_overlay_figure_has_a_trace_per_run_and_marks_events(root):
    runs = {n: load_run(root / n) for n in ("alpha", "beta")}
    hist = {n: r.history for n, r in runs.items()}
    events = {n: tables.valid_events(r.summary["events"]) for n, r in runs.items()}
    fig = fc.overlay_figure(hist, "d_loss", smoothing=0.9, events=events)
    assert [t.name for t in fig.data if t.showlegend is not False] == ["alpha", "beta"]
    assert len(fig.data) == 4 and fig.data[0].line.color != fig.data[2].line.color
    assert [s.x0 for s in fig.layout.shapes] == [20] and "alpha: lr_d" in fig.layout.annotations[0].text
    means = fc.overlay_figure(hist, "d_real", smoothing=0, show_raw=False)
    assert len(means.data) == 2 and means.layout.yaxis.range[0] <= 0 and means.layout.shapes[0].y0 == 0.5
    log = fc.overlay_figure({"w": {"step": np.arange(3.0), "g_loss": np.array([-1.0, 0.5, 2])}}, "g_loss",
                            smoothing=0, log_y=True)
    assert log.layout.yaxis.type == "log" and np.isnan(log.data[0].y[0])
    metric = fc.metric_figure({n: r.summary["metrics_history"] for n, r in runs.items()}, "js_grid")
    assert [t.name for t in metric.data] == ["alpha", "beta"] and len(metric.data[0].x) == 2


def test_overlay_payload_stays_small():
    n = 10_000
    hist = {f"r{i}": {"step": np.arange(1.0, n + 1), "d_loss": np.random.default_rng(i).random(n)} for i in range(5)}
    fig = fc.overlay_figure(hist, "d_loss")
    assert all(len(t.x) <= 1000 for t in fig.data) and len(fig.to_json()) < 150_000


def test_figure_module_imports_neither_torch_nor_streamlit():
    code = ("import sys, types; pkg = types.ModuleType('gan_core'); pkg.__path__ = [sys.argv[1]]\n"
            "sys.modules['gan_core'] = pkg\nimport gan_core.figures.runs\n"
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'streamlit'))\n"
            "print(bad); sys.exit(1 if bad else 0)\n")
    result = subprocess.run([sys.executable, "-c", code, str(ROOT / "gan_core")], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_replay_is_capped_and_interruptible():
    tr = Trainer(small())
    with pytest.raises(RunError, match="at most"):
        replay.replay(tr, replay.MAX_STEPS + 1)
    assert tr.step_count == 0

    class Stop(Exception):
        pass

    def progress(done, total):  # what a Streamlit rerun does to a running script: raise at the next call
        if done >= 40:
            raise Stop
    with pytest.raises(Stop):
        replay.replay(tr, 1000, progress=progress, chunk=20)
    assert tr.step_count == 40
