"""Every benchmark entry point runs (tiny sizes): a moved file or a broken path shows here, not in a session."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run(*args, timeout=300):
    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def test_engine_bench_prints_its_figures_side_by_side():
    proc = run("-m", "gan_core", "bench", "--steps", "20", "--rounds", "1", "--json")
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout)
    assert result["trainer_steps_per_s"] > 0 and result["bare_steps_per_s"] > 0 and result["ratio"] > 0


def test_compare_page_bench_finds_the_app(tmp_path):
    proc = run("-m", "gan_core.bench.compare_page", "--runs", "2", "--steps", "2000", "--select", "2", "--reps", "1",
               "--real-steps", "2")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Compare page, first render" in proc.stdout


@pytest.mark.browser
def test_live_bench_measures_the_playground():
    proc = run("-m", "gan_core.bench.live", "--seconds", "6", "--runs", "1", "--json", timeout=400)
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["bare_steps_per_s"] > 0 and result["median"]["ratio"] > 0 and result["median"]["live_samples_fps"] > 0
