"""A private Ray instance on loopback for the `ray` tests (2 CPUs, no dashboard)."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@contextlib.contextmanager
def local_ray():
    os.environ.setdefault("RAY_raylet_start_wait_time_s", "180")  # a loaded CI machine starts Ray slowly
    import ray

    ray.shutdown()
    os.environ.pop("RAY_ADDRESS", None)
    ray.init(num_cpus=2, include_dashboard=False, _node_ip_address="127.0.0.1", logging_level="warning",
             runtime_env={"env_vars": {"PYTHONPATH": str(ROOT)}})
    try:
        yield
    finally:
        ray.shutdown()
