import pytest
import torch

from tests.browser import browser, page, server  # noqa: F401  (fixtures for the browser tests)

torch.set_num_threads(1)  # tests are small; one thread avoids oversubscribing a 2-core CI machine


@pytest.fixture
def tmp_runs(tmp_path, monkeypatch):
    root = tmp_path / "runs"
    monkeypatch.setenv("GAN_CLASSROOM_RUNS", str(root))
    return root
