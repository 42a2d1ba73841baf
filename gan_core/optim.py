"""One optimizer per network, from the config's shared hyperparameters."""

from __future__ import annotations

import torch

from .config import Config


def make_optimizer(config: Config, net: str, params) -> torch.optim.Optimizer:
    """net is "g" or "d". Adam uses (beta1, beta2); SGD and RMSprop use `momentum`."""
    name, lr = getattr(config, f"{net}_optimizer"), getattr(config, f"lr_{net}")
    if name == "adam":
        return torch.optim.Adam(params, lr=lr, betas=(config.beta1, config.beta2))
    if name == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr, momentum=config.momentum)
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr, momentum=config.momentum)
    raise ValueError(f"unknown optimizer {name!r}")
