import json

import numpy as np
import pytest

from gan_core import Config, Trainer
from gan_core.runs import RunError, list_runs, load_run, load_weights, runs_root, save_run, validate_name


@pytest.fixture(scope="module")
def trained():
    t = Trainer(Config(g_width=16, d_width=16, batch_size=64, metrics_every=50, seed=2))
    t.run(30)
    t.update(lr_d=2e-4)
    t.run(70)
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
    listing = dict(list_runs(tmp_path))
    assert listing["good"].path == good and listing["bad"].path == bad  # weights aren't read for listing
    assert isinstance(listing["empty"], RunError) and "incomplete run" in str(listing["empty"])


def test_runs_root_env(tmp_runs):
    assert runs_root() == tmp_runs
    assert str(runs_root("elsewhere")) == "elsewhere"
