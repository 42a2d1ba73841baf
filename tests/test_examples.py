"""Compare is never empty: the example runs are real runs of the engine, made at first use, marked as
examples, and only the teacher key changes them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from gan_core import Trainer
from gan_core.classroom import examples, owners
from gan_core.presets import PRESETS
from gan_core.store import RunError, load_run

ROOT = Path(__file__).resolve().parents[1]


def test_examples_are_real_runs_marked_and_protected(tmp_runs, monkeypatch):
    steps = 60
    seen = []
    made = examples.make_examples(tmp_runs, progress=lambda d, n: seen.append((d, n)), steps=steps)
    assert made == list(examples.EXAMPLES) and seen[-1] == (steps * 4, steps * 4)
    assert not examples.wanted(tmp_runs)
    run = load_run(tmp_runs / "example collapse fixed R1")
    assert run.config == PRESETS["ring-mode-collapse"].config(metrics_every=steps // 5, r1_gamma=0.1)
    reference = Trainer(run.config)
    reference.run(steps)
    np.testing.assert_allclose(run.history["d_loss"], reference.history.columns()["d_loss"], rtol=0, atol=1e-12)
    assert run.summary["diagnosis"]["label"] and run.summary["metrics_history"]
    assert all(examples.is_example(owners.owner_of(name)) for name in made)
    with pytest.raises(RunError, match="belongs to examples"):
        owners.delete_run("example stable", tmp_runs, None)
    monkeypatch.setenv(owners.TEACHER_ENV, "k")
    owners.delete_run("example stable", tmp_runs, None, teacher_key="k")
    assert examples.make_examples(tmp_runs, steps=steps) == ["example stable"]  # the others exist: kept


def test_the_compare_page_makes_them_on_first_visit(tmp_runs, monkeypatch):
    monkeypatch.setattr(examples, "EXAMPLES_STEPS", 50)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    at.switch_page("pages/compare.py").run()
    assert not at.exception
    assert sorted(p.name for p in tmp_runs.iterdir() if not p.name.startswith(".")) == sorted(examples.EXAMPLES)
    assert any("Examples: " in c.value for c in at.caption)
    assert len(at.multiselect(key="cmp_runs").value) == 2  # two of them already overlaid
