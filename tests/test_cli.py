import json
import subprocess
import sys

import pytest

from gan_core.cli import main


def run_cli(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_presets_lists_names_and_descriptions(capsys):
    code, out, _ = run_cli(capsys, "presets", "--json")
    presets = json.loads(out)
    assert code == 0 and {"ring-stable", "digits"} <= set(presets)
    assert all(isinstance(v, str) and v for v in presets.values())


def test_train_json_has_design_keys_and_repeats_exactly(capsys, tmp_path):
    args = ["train", "--preset", "ring-stable", "--steps", "120", "--seed", "0", "--set", "metrics_every=60",
            "--json"]
    code, out, err = run_cli(capsys, *args, "--out", str(tmp_path / "run"))
    first = json.loads(out)
    assert code == 0
    assert set(first) >= {"steps", "status", "d_loss", "g_loss", "d_real", "d_fake", "metrics", "diagnosis",
                          "seconds"}
    assert first["steps"] == 120 and first["status"] == "ok"
    assert {"modes_covered", "modes_total", "hq_fraction", "js_grid", "energy_distance"} <= set(first["metrics"])
    assert "train [" in err  # a progress bar on stderr
    assert sorted(p.name for p in (tmp_path / "run").iterdir()) == [
        "config.json", "metrics.csv", "samples.npy", "summary.json", "weights.pt"]
    _, out2, _ = run_cli(capsys, *args)
    second = json.loads(out2)
    first.pop("seconds"), second.pop("seconds")
    assert first == second  # same config and seed, the same numbers


def test_train_digits_reports_digit_metrics(capsys):
    code, out, _ = run_cli(capsys, "train", "--preset", "digits", "--steps", "20", "--json")
    metrics = json.loads(out)["metrics"]
    assert code == 0
    assert {"digits_score", "digits_score_real", "classes_covered", "frechet"} <= set(metrics)


def test_divergence_is_a_status_not_a_crash(capsys):
    code, out, _ = run_cli(capsys, "train", "--steps", "3000", "--json", "--set", "loss=wgan", "--set", "clip=1",
                           "--set", "optimizer=sgd", "--set", "lr_g=1", "--set", "lr_d=1")
    result = json.loads(out)
    assert code == 0 and result["status"] == "diverged" and result["reason"].startswith("diverged at step")


@pytest.mark.parametrize("args, words", [
    (["train", "--preset", "nope"], ["unknown preset 'nope'", "ring-stable"]),
    (["train", "--set", "foo=1"], ["unknown setting 'foo'", "lr_d"]),
    (["train", "--set", "lr_d=5"], ["lr_d=5", "[1e-05, 1]"]),
    (["train", "--set", "lr_d=abc"], ["lr_d='abc'", "a number"]),
    (["train", "--set", "novalue"], ["KEY=VALUE"]),
    (["train", "--steps", "many"], ["--steps", "invalid int"]),
    (["bench", "--steps", "1"], ["--steps"]),
    (["dirac", "--method", "magic"], ["magic", "gan"]),
    (["presets", "--verify", "--seeds", "x"], ["--seeds"]),
    (["frobnicate"], ["invalid choice"]),
])
def test_bad_input_exits_2_with_one_line(capsys, args, words):
    code, out, err = run_cli(capsys, *args)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1, err
    for w in words:
        assert w in err


def test_no_traceback_from_a_real_process():
    proc = subprocess.run([sys.executable, "-m", "gan_core", "train", "--set", "g_depth=9"], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.strip() == "error: g_depth=9 is not allowed; expected a value in [0, 6]"


def test_bench_prints_both_rates_and_ratio(capsys):
    code, out, _ = run_cli(capsys, "bench", "--steps", "20", "--rounds", "1", "--json")
    result = json.loads(out)
    assert code == 0 and result["trainer_steps_per_s"] > 0 and result["bare_steps_per_s"] > 0
    assert result["ratio"] == pytest.approx(result["trainer_steps_per_s"] / result["bare_steps_per_s"], rel=0.01)


def test_dirac_json_matches_engine(capsys):
    from gan_core import dirac

    code, out, _ = run_cli(capsys, "dirac", "--method", "r1", "--scheme", "alternating", "--json")
    assert code == 0
    assert json.loads(out) == json.loads(json.dumps(dirac.summary("r1", "alternating")))


def test_dirac_takes_each_method_s_own_parameter(capsys):
    code, out, _ = run_cli(capsys, "dirac", "--method", "wgan", "--clip", "0.5", "--steps", "20", "--json")
    assert code == 0 and json.loads(out)["clip"] == 0.5
    code, out, _ = run_cli(capsys, "dirac", "--method", "wgan", "--gamma", "0.5", "--steps", "20", "--json")
    assert code == 0 and json.loads(out)["clip"] == 0.5  # the older spelling still works
    code, out, _ = run_cli(capsys, "dirac", "--method", "instance-noise", "--sigma", "1.5", "--steps", "20", "--json")
    assert code == 0 and json.loads(out)["sigma"] == 1.5
    code, _, err = run_cli(capsys, "dirac", "--method", "r1", "--sigma", "1.5")
    assert code == 2 and "--gamma" in err
