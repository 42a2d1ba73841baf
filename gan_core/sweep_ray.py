"""Sweep batches as Ray tasks on an existing Ray cluster; rows come back as tasks finish (ray.wait).

No scheduler of our own: Ray places the tasks (one CPU each) and we stream their results. The package
itself travels with the job (runtime_env py_modules), so cluster nodes need only torch and numpy.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import gan_core


def import_ray():
    """`import ray`, as a client of a cluster that `ray start` made. Since Ray 2.5x `ray start` turns on token
    authentication by default (the token in ~/.ray/auth_token), but a client whose RAY_AUTH_MODE is unset
    sends no token and fails with "Failed to connect to Ray cluster at ...". So, where the mode is unset and
    a token is at hand, this client uses it, as `ray start` itself does (Ray reads the mode when it is
    imported). A token-mode client also connects to a cluster started with RAY_AUTH_MODE=disabled (measured
    with Ray 2.60)."""
    if "RAY_AUTH_MODE" not in os.environ and _token_at_hand():
        os.environ["RAY_AUTH_MODE"] = "token"
    import ray

    return ray


def _token_at_hand() -> bool:
    path = os.environ.get("RAY_AUTH_TOKEN_PATH") or Path.home() / ".ray" / "auth_token"
    return bool(os.environ.get("RAY_AUTH_TOKEN")) or Path(path).is_file()


def connect(address: str):
    """ray, connected to `address` ("auto": RAY_ADDRESS or a cluster on this machine) unless already up."""
    try:
        ray = import_ray()
    except ImportError:
        raise ValueError("--ray needs Ray: pip install 'gan-classroom[cluster]'") from None
    if not ray.is_initialized():
        try:
            ray.init(address=address, log_to_driver=False, logging_level="ERROR",
                     runtime_env={"py_modules": [str(Path(gan_core.__file__).parent)]})
        except (ConnectionError, RuntimeError, ValueError) as e:
            first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            raise ValueError(f"--ray {address}: no Ray cluster reachable ({first}); "
                             "start one with `ray start --head` or give its address") from None
    return ray


def run_on_ray(run_batch, work: list[list[dict]], steps: int, address: str) -> Iterator[list[dict]]:
    """One Ray task of run_batch(batch, steps) per batch (sweep.run_batch: Ray ships it by reference);
    yields each batch's rows as soon as its task finishes."""
    ray = connect(address)
    task = ray.remote(num_cpus=1)(run_batch)
    pending = [task.remote(batch, steps) for batch in work]
    while pending:
        done, pending = ray.wait(pending, num_returns=1)
        yield ray.get(done[0])
