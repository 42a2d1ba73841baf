import json

import numpy as np
import pytest

from gan_core import Config, Trainer, schedule
from gan_core.store import RunError, load_run, load_weights, runs_root, save_run, scan_runs, validate_name


@pytest.fixture(scope="module")
def trained():
    t = Trainer(Config(g_width=16, d_width=16, batch_size=64, metrics_every=50, seed=2))
    schedule.run(t, 30)
    t.update(lr_d=2e-4)
    schedule.run(t, 70)
    return t


def test_save_load_round_trip(tmp_path, trained):
    path = save_run(trained, tmp_path / "a")
    assert sorted(p.name for p in path.iterdir()) == ["config.json", "metrics.csv", "samples.npy", "summary.json",
                                                       "weights.pt"]
    run = load_run(path)
    assert run.config == trained.config and run.name == "a"
    np.testing.assert_allclose(run.history["d_loss"], trained.history.columns()["d_loss"])
    assert run.samples.shape == (2500, 2)
    np.testing.assert_allclose(run.samples, trained.sample(2500))
    assert run.summary["steps"] == 100 and run.summary["events"][0]["step"] == 30
    assert [m["step"] for m in run.summary["metrics_history"]] == [50, 100]
    weights = load_weights(path)
    assert set(weights) == {"G", "D"}


def test_no_overwrite_without_asking(tmp_path, trained):
    save_run(trained, tmp_path / "a")
    with pytest.raises(RunError, match="exists already"):
        save_run(trained, tmp_path / "a")
    save_run(trained, tmp_path / "a", overwrite=True)


@pytest.mark.parametrize("name", ["", ".", "..", "../x", "a/b", "a\\b", "/abs", "x" * 65, "bad:name", "end."])
def test_bad_run_names(name):
    with pytest.raises(RunError):
        validate_name(name)


@pytest.mark.parametrize("name", ["run-1", "lr 1e-4", "环形 稳定", "a.b_c"])
def test_good_run_names(name):
    assert validate_name(name) == name


@pytest.mark.parametrize("damage, message", [
    (lambda p: (p / "config.json").unlink(), "missing config.json"),
    (lambda p: (p / "config.json").write_text("{oops"), "config.json: not valid JSON"),
    (lambda p: (p / "config.json").write_text(json.dumps({"lr_d": 9})), "lr_d=9"),
    (lambda p: (p / "metrics.csv").write_text("a,b\n1,2\n"), "metrics.csv: expected a header"),
    (lambda p: (p / "metrics.csv").write_text("step,d_loss,g_loss\n1,x,2\n"), "non-numeric"),
    (lambda p: (p / "summary.json").write_text("[]"), "summary.json"),
    (lambda p: (p / "samples.npy").write_bytes(b"garbage"), "samples.npy: unreadable"),
])
def test_malformed_folders_name_file_and_problem(tmp_path, trained, damage, message):
    path = save_run(trained, tmp_path / "r")
    damage(path)
    with pytest.raises(RunError, match=message):
        load_run(path)


def test_corrupt_weights_and_listing(tmp_path, trained):
    good = save_run(trained, tmp_path / "good")
    bad = save_run(trained, tmp_path / "bad")
    (bad / "weights.pt").write_bytes(b"not a checkpoint")
    with pytest.raises(RunError, match="weights.pt: unreadable"):
        load_weights(bad)
    (tmp_path / "empty").mkdir()
    listing = {r.name: r for r in scan_runs(tmp_path)}
    assert listing["good"].ok and listing["good"].path == good
    assert "weights.pt: unreadable" in listing["bad"].error  # a cheap check: not a zip as torch.save writes
    assert not listing["empty"].ok and "incomplete run" in listing["empty"].error


def test_runs_root_env(tmp_runs):
    assert runs_root() == tmp_runs
    assert str(runs_root("elsewhere")) == "elsewhere"


# ---- a shared runs folder is user input: hostile and malformed folders -------------------------------

HOSTILE = {
    "seed-infinity": ("config.json", '{"seed": Infinity}', "Infinity is not a JSON number"),
    "seed-nan": ("config.json", '{"lr_d": NaN}', "NaN is not a JSON number"),
    "seed-huge": ("config.json", '{"seed": 1e400}', "config.json"),
    "config-list": ("config.json", "[1, 2]", "expected a JSON object"),
    "deep-json": ("config.json", "[" * 100_000, "not valid JSON"),
    "metrics-dict": ("summary.json", '{"steps": 3, "metrics_history": {"a": 1}}', "'metrics_history'"),
    "metrics-int": ("summary.json", '{"steps": 3, "metrics_history": 7}', "'metrics_history'"),
    "metrics-items": ("summary.json", '{"steps": 3, "metrics_history": [1, 2]}', "'metrics_history'"),
    "events-int": ("summary.json", '{"steps": 3, "events": 5}', "'events'"),
    "steps-bool": ("summary.json", '{"steps": true}', "'steps'"),
    "steps-negative": ("summary.json", '{"steps": -4}', "'steps'"),
    "status-odd": ("summary.json", '{"steps": 1, "status": {"x": 1}}', "'status'"),
    "diagnosis-str": ("summary.json", '{"steps": 1, "diagnosis": "healthy"}', "'diagnosis'"),
    "csv-binary": ("metrics.csv", b"\xff\xfe\x00garbage", "metrics.csv"),
    "csv-text": ("metrics.csv", "step,d_loss,g_loss\n1,abc,2\n", "metrics.csv"),
    "csv-ragged": ("metrics.csv", "step,d_loss,g_loss\n1,2\n3,4,5,6\n", "metrics.csv"),
    "csv-empty": ("metrics.csv", "", "metrics.csv"),
}


BODY_ONLY = {"csv-text", "csv-ragged"}


@pytest.fixture(scope="module")
def hostile_root(tmp_path_factory, trained):
    root = tmp_path_factory.mktemp("hostile")
    save_run(trained, root / "fine")
    for name, (file, content, _) in HOSTILE.items():
        path = save_run(trained, root / name)
        (path / file).write_bytes(content if isinstance(content, bytes) else content.encode())
    (root / "a file, not a folder").write_text("x")
    return root


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_folder_is_a_clear_error_and_the_others_still_list(hostile_root, name):
    listing = {r.name: r for r in scan_runs(hostile_root)}
    assert listing["fine"].ok
    if name not in BODY_ONLY:  # listing reads headers only; a bad row shows when the run is opened
        assert not listing[name].ok and HOSTILE[name][2] in listing[name].error, listing[name].error
    with pytest.raises(RunError, match=HOSTILE[name][0]):
        load_run(hostile_root / name)


def test_hostile_folders_never_reach_the_tables(hostile_root):
    from gan_core import tables

    runs = {r.name: r for r in scan_runs(hostile_root) if r.ok}
    assert sorted(runs) == sorted({"fine", *BODY_ONLY})
    assert {r["run"] for r in tables.listing_rows(list(runs.values()))} == set(runs)


@pytest.mark.parametrize("name", ["seed-infinity", "metrics-dict", "csv-binary", "events-int"])
def test_cli_compare_exit_2_and_one_line_for_a_hostile_folder(hostile_root, tmp_path, name):
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "gan_core", "compare", str(hostile_root / name),
                           "--out", str(tmp_path / "c.csv")], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and proc.stderr.startswith("error:")


def test_save_refuses_a_file_and_a_folder_of_other_files(tmp_path, trained):
    (tmp_path / "note.txt").write_text("mine")
    with pytest.raises(RunError, match="is a file"):
        save_run(trained, tmp_path / "note.txt", overwrite=True)
    with pytest.raises(RunError, match="holds files a run does not write"):
        save_run(trained, tmp_path, overwrite=True)  # `train --out .` in a folder of other files
    assert (tmp_path / "note.txt").read_text() == "mine" and not (tmp_path / "config.json").exists()


def test_save_is_atomic(tmp_path, trained, monkeypatch):
    """A save that fails half-way leaves the previous run untouched and no partial folder behind."""
    import gan_core.store as store_module

    good = save_run(trained, tmp_path / "r")
    before = (good / "summary.json").read_text()

    def broken(*a, **k):
        raise OSError("disk full")
    monkeypatch.setattr(store_module.np, "save", broken)
    with pytest.raises(OSError, match="disk full"):
        save_run(trained, tmp_path / "r", overwrite=True)
    with pytest.raises(OSError):
        save_run(trained, tmp_path / "new")
    assert (good / "summary.json").read_text() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]  # no '.saving-*' leftovers, no 'new'
