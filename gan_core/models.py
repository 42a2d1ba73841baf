"""Small MLPs for G and D: depth hidden layers of `width` units (depth 0 = a linear map)."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm

from .config import Config

ACTIVATION = {"relu": nn.ReLU, "leaky_relu": lambda: nn.LeakyReLU(0.2), "tanh": nn.Tanh}


def mlp(in_dim, out_dim, depth, width, activation, *, batch_norm=False, dropout=0.0, spectral=False):
    def linear(a, b):
        layer = nn.Linear(a, b)
        return spectral_norm(layer) if spectral else layer  # one power iteration per forward

    layers, dim = [], in_dim
    for _ in range(depth):
        layers.append(linear(dim, width))
        if batch_norm:
            layers.append(nn.BatchNorm1d(width))
        layers.append(ACTIVATION[activation]())
        if dropout > 0:
            layers.append(nn.Dropout(dropout))
        dim = width
    layers.append(linear(dim, out_dim))
    return nn.Sequential(*layers)


def build_generator(config: Config, data_dim: int, image: bool) -> nn.Module:
    G = mlp(config.latent_dim, data_dim, config.g_depth, config.g_width, config.g_activation,
            batch_norm=config.g_batch_norm, dropout=config.g_dropout)
    if image:
        G.append(nn.Tanh())  # images live in [-1, 1] (ganhacks #1)
    return G


def build_discriminator(config: Config, data_dim: int) -> nn.Module:
    """D outputs a logit l; D(x) = sigmoid(l) for the log-loss games, a raw score otherwise."""
    return mlp(data_dim, 1, config.d_depth, config.d_width, config.d_activation,
               dropout=config.d_dropout, spectral=config.d_spectral_norm)


def sample_noise(config: Config, n: int, gen: torch.Generator) -> torch.Tensor:
    if config.noise == "uniform":
        return torch.rand(n, config.latent_dim, generator=gen) * 2 - 1
    return torch.randn(n, config.latent_dim, generator=gen)
