"""Trainer hosting: where a session's trainer runs. Beside gan_core.ui, never imports streamlit.

    open_trainer(config) -> a session handle (the protocol in gan_core.host.runner's docstring)

GAN_CLASSROOM_TRAINERS selects the backend:
    local   (default) a worker process on this machine, from a bounded pool (gan_core.host.local)
    ray     a Ray actor on an existing Ray cluster; RAY_ADDRESS as Ray defines it (gan_core.host.ray_actor)
    thread  a thread of the web process (tests)
A full host raises ServerFull.
"""

from __future__ import annotations

import os

from .base import CRASHED, Handle, ServerFull

BACKENDS = ("local", "ray", "thread")

__all__ = ["BACKENDS", "CRASHED", "Handle", "ServerFull", "backend", "is_handle", "open_trainer"]


def backend() -> str:
    name = os.environ.get("GAN_CLASSROOM_TRAINERS", "local").strip().lower() or "local"
    if name not in BACKENDS:
        raise ValueError(f"GAN_CLASSROOM_TRAINERS={name!r}: use one of {', '.join(BACKENDS)}")
    return name


def open_trainer(config, kind: str | None = None):
    kind = kind or backend()
    if kind == "local":
        from .local import LocalTrainer

        return LocalTrainer(config)
    if kind == "ray":
        from .ray_actor import RayTrainer

        return RayTrainer(config)
    from .thread import ThreadTrainer

    return ThreadTrainer(config)


def is_handle(obj) -> bool:
    from .thread import ThreadTrainer

    return isinstance(obj, (Handle, ThreadTrainer))
