"""The whole GAN training loop in plain PyTorch: the same G, D, data, batch and optimizers as the Trainer,
with none of its bookkeeping. The benchmark races the Trainer against it (`python -m gan_core bench`), and
the Theory page's Code tab shows students this very function."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from .config import Config
from .data import make_dataset
from .models import build_discriminator, build_generator, sample_noise


def bare_loop(config: Config):
    """The same G, D, data, batch and optimizers as the Trainer, with none of its bookkeeping."""
    data = make_dataset(config)
    torch.manual_seed(config.seed)
    G, D = build_generator(config, data.dim, False), build_discriminator(config, data.dim)
    opt_g = torch.optim.Adam(G.parameters(), lr=config.lr_g, betas=(config.beta1, config.beta2))
    opt_d = torch.optim.Adam(D.parameters(), lr=config.lr_d, betas=(config.beta1, config.beta2))
    gen, B, g_params = torch.Generator().manual_seed(config.seed), config.batch_size, list(G.parameters())

    def run(n: int) -> None:
        for _ in range(n):
            x_real = data.sample(B, gen)
            with torch.no_grad():
                x_fake = G(sample_noise(config, B, gen))
            d_loss = F.softplus(-D(x_real)).mean() + F.softplus(D(x_fake)).mean()
            opt_d.zero_grad()
            d_loss.backward()
            opt_d.step()
            g_loss = F.softplus(-D(G(sample_noise(config, B, gen)))).mean()
            opt_g.zero_grad()
            g_loss.backward(inputs=g_params)  # as the Trainer: no gradients for D here
            opt_g.step()
    return run
