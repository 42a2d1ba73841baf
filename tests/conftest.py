import os

import pytest
import torch

# AppTest pages train on the thread backend (the tests look at runner.trainer); the browser tests' server
# runs the default worker processes (tests/browser.py).
os.environ["GAN_CLASSROOM_TRAINERS"] = "thread"

from tests.browser import browser, page, server  # noqa: F401  (fixtures for the browser tests)
from tests.postgres import postgres_url  # noqa: F401  (a throwaway PostgreSQL server)

torch.set_num_threads(1)  # tests are small; one thread avoids oversubscribing a 2-core CI machine


@pytest.fixture
def tmp_runs(tmp_path, monkeypatch):
    root = tmp_path / "runs"
    monkeypatch.setenv("GAN_CLASSROOM_RUNS", str(root))
    return root
