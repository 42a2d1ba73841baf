"""Many small GANs of one architecture trained at once, as one batched computation.

Member m of an Ensemble computes exactly what `Trainer(configs[m])` computes, step for step: the same
initial weights (built by models.py under a forked RNG seeded with its seed), the same draws from its own
torch.Generator(seed) in the same order, the same losses (losses.py, vmapped over members), the same
optimizer updates as torch.optim's (written out with per-member lr, betas, momentum) and the same record.
Only float32 rounding differs: a batched matmul sums in another order than a single one.

Layers are stacked per member: W (M, in, out), b (M, 1, out), and y = baddbmm(b, x, W). Per-member
settings (lr_g, lr_d, beta1, beta2, momentum, r1_gamma, gp_lambda, clip, instance_noise, seed) are
(M, 1, 1) tensors. Settings that change the computation itself (width, depth, loss, d_steps, optimizer
kind, batch, ...) make a different group: `group_key`. A member whose numbers turn NaN / inf is stopped
at that step exactly as a Trainer would stop ("diverged") and taken out of the batch; the others go on.
"""

from __future__ import annotations

import functools
import math
import time

import torch
import torch.nn.functional as F
from torch import nn

from . import losses
from .config import Config
from .data import make_dataset
from .ensemble_optim import EnsembleOptimizer
from .history import History
from .models import build_discriminator, build_generator, sample_noise
from .trainer import Trainer

# Settings each member may have its own value of; every other setting must be equal in a group.
MEMBER_KEYS = ("lr_g", "lr_d", "beta1", "beta2", "momentum", "r1_gamma", "gp_lambda", "clip",
               "instance_noise", "seed", "metrics_every")
STATS = ("d_loss", "d_penalty", "g_loss", "d_real", "d_fake", "d_fake_after", "g_grad_norm", "d_grad_norm")
ACT = {"relu": F.relu, "leaky_relu": functools.partial(F.leaky_relu, negative_slope=0.2), "tanh": torch.tanh}


def unsupported(config: Config) -> str | None:
    """Why this config cannot run in an ensemble (it then runs on the plain Trainer), or None."""
    if config.scheme != "alternating":
        return "scheme=simultaneous"
    for key in ("g_batch_norm", "d_spectral_norm"):
        if getattr(config, key):
            return f"{key}=true"
    for key in ("g_dropout", "d_dropout"):
        if getattr(config, key) > 0:
            return f"{key}>0"
    return None


def group_key(config: Config) -> tuple:
    """Configs with the same key can share one ensemble. On/off switches that change which ops run (R1,
    instance noise, RMSprop momentum) are part of the key; their values are per member."""
    flat = config.to_flat()
    fixed = tuple((k, repr(v)) for k, v in sorted(flat.items()) if k not in MEMBER_KEYS)
    rms = "rmsprop" in (config.g_optimizer, config.d_optimizer)
    return fixed + (("r1", config.r1_gamma > 0), ("noise", config.instance_noise > 0),
                    ("rms_momentum", rms and config.momentum > 0))


class Ensemble:
    def __init__(self, configs: list[Config]):
        if not configs:
            raise ValueError("an ensemble needs at least one config")
        keys = {group_key(c) for c in configs}
        reasons = {unsupported(c) for c in configs} - {None}
        if len(keys) > 1 or reasons:
            raise ValueError(f"configs cannot share an ensemble: {', '.join(reasons) or 'different groups'}")
        self.configs, self.cfg = list(configs), configs[0]
        self.data = [make_dataset(c) for c in configs]
        self.image = self.data[0].kind == "image"
        self.gens = [torch.Generator().manual_seed(c.seed) for c in configs]
        nets = [_build(c, d) for c, d in zip(configs, self.data)]
        self.g_names = [n for n, mod in nets[0][0].named_modules() if isinstance(mod, nn.Linear)]
        self.d_names = [n for n, mod in nets[0][1].named_modules() if isinstance(mod, nn.Linear)]
        self.g_params = _stack([g for g, _ in nets], self.g_names)
        self.d_params = _stack([d for _, d in nets], self.d_names)
        self.members = list(range(len(configs)))  # row a of the batch is member self.members[a]
        self.hyper = {k: torch.tensor([float(getattr(c, k)) for c in configs], dtype=torch.float64)
                      for k in MEMBER_KEYS}
        self.opt_g = EnsembleOptimizer(self.cfg.g_optimizer, self.g_params, "g")
        self.opt_d = EnsembleOptimizer(self.cfg.d_optimizer, self.d_params, "d")
        self.step_count = 0
        self.status = ["ok"] * len(configs)
        self.reason: list[str | None] = [None] * len(configs)
        self.histories = [History() for _ in configs]
        self.last: list[dict] = [{k: math.nan for k in STATS} for _ in configs]
        self._final: dict[int, tuple[list, list]] = {}  # weights of members taken out of the batch
        self._pending: list[tuple[int, float, torch.Tensor]] = []
        self._d_loss = torch.func.vmap(functools.partial(losses.d_loss, self.cfg.loss,
                                                         smoothing=self.cfg.label_smoothing))
        self._g_loss = torch.func.vmap(functools.partial(losses.g_loss, self.cfg.loss))

    # ---- training ----------------------------------------------------------------------------

    @property
    def active(self) -> int:
        return len(self.members)

    def run(self, n: int, callback=None) -> None:
        """n steps of every member still training; callback(ensemble) after each step."""
        for _ in range(n):
            if not self.members:
                break
            self.step()
            if callback is not None:
                callback(self)
        self._flush()

    def step(self) -> None:
        t0 = time.perf_counter()
        raw: dict = {}
        for _ in range(self.cfg.d_steps):
            raw.update(self._d_update())
        raw.update(self._g_update())
        self.step_count += 1
        stats = self._numbers(raw)
        self._pending.append((self.step_count, (time.perf_counter() - t0) / self.active, stats))
        bad = ~torch.isfinite(stats).all(dim=1)
        if bool(bad.any()):
            self._flush()
            self._freeze([a for a in range(self.active) if bad[a]])
        elif len(self._pending) >= 500:
            self._flush()

    def _col(self, key: str) -> torch.Tensor:
        """A per-member setting as a float32 (A, 1, 1) tensor, its value rounded as torch rounds a scalar."""
        return self.hyper[key].float().view(-1, 1, 1)

    def _draw(self, with_data: bool) -> dict:
        """Each member's random numbers for one update, from its own generator, in the Trainer's order."""
        cfg, B = self.cfg, self.cfg.batch_size
        noise, gp = cfg.instance_noise > 0, with_data and cfg.loss == "wgan-gp"
        out: dict = {"x": [], "z": [], "nx": [], "nz": [], "eps": []}
        for m in self.members:
            gen = self.gens[m]
            if with_data:
                out["x"].append(self.data[m].sample(B, gen))
            out["z"].append(sample_noise(self.configs[m], B, gen))
            if noise:
                if with_data:
                    out["nx"].append(torch.randn(B, self.data[m].dim, generator=gen))
                out["nz"].append(torch.randn(B, self.data[m].dim, generator=gen))
            if gp:
                out["eps"].append(torch.rand(B, 1, generator=gen))
        return {k: torch.stack(v) for k, v in out.items() if v}

    def _d_update(self) -> dict:
        r = self._draw(with_data=True)
        x_real = r["x"]
        with torch.no_grad():
            x_fake = self._G(r["z"])
        if "nx" in r:  # instance noise, as Trainer._d_input
            sigma = self._col("instance_noise")
            x_real, x_fake = x_real + sigma * r["nx"], x_fake + sigma * r["nz"]
        penalties = []
        if self.cfg.r1_gamma > 0:  # R1 (losses.r1_penalty, per member)
            x = x_real.detach().requires_grad_(True)
            real_out = self._D(x)
            (grad,) = torch.autograd.grad(real_out.sum(), x, create_graph=True)
            penalties.append((self.hyper["r1_gamma"] / 2).float() * grad.pow(2).sum(dim=2).mean(dim=1))
        else:
            real_out = self._D(x_real)
        fake_out = self._D(x_fake)
        loss = self._d_loss(real_out, fake_out)
        if self.cfg.loss == "wgan-gp":  # losses.gradient_penalty, per member
            eps, xf = r["eps"], x_fake.detach()
            x_hat = (eps * x_real + (1 - eps) * xf).requires_grad_(True)
            (grad,) = torch.autograd.grad(self._D(x_hat).sum(), x_hat, create_graph=True)
            penalties.append(self.hyper["gp_lambda"].float() * ((grad.norm(dim=2) - 1) ** 2).mean(dim=1))
        penalty = sum(penalties) if penalties else torch.zeros_like(loss)  # recorded apart, as the Trainer does
        for p in self.d_params:
            p.grad = None
        (loss + penalty).sum().backward()  # members are independent: d(sum)/d(member m's weights) = d(loss_m)/d(...)
        self.opt_d.step(self.hyper)
        if self.cfg.loss == "wgan":
            with torch.no_grad():
                c = self._col("clip")
                for p in self.d_params:
                    torch.clamp(p, -c, c, out=p.data)
        return {"d_loss": loss, "d_penalty": penalty, "d_real": real_out, "d_fake": fake_out}

    def _g_update(self) -> dict:
        r = self._draw(with_data=False)
        x = self._G(r["z"])
        if "nz" in r:
            x = x + self._col("instance_noise") * r["nz"]
        fake_out = self._D(x)
        loss = self._g_loss(fake_out)
        for p in self.g_params:
            p.grad = None
        loss.sum().backward(inputs=self.g_params)
        self.opt_g.step(self.hyper)
        return {"g_loss": loss, "d_fake_after": fake_out}

    @torch.no_grad()
    def _numbers(self, raw: dict) -> torch.Tensor:
        """(A, 8) float64 in STATS order: losses, mean D outputs as Trainer._numbers shows them, grad norms."""
        probs = [losses.d_shown(self.cfg.loss, raw[k]).mean(dim=(1, 2)) for k in ("d_real", "d_fake", "d_fake_after")]
        norms = []
        for params in (self.g_params, self.d_params):
            per_layer = torch.stack([p.grad.flatten(1).norm(dim=1) for p in params])
            norms.append(per_layer.double().pow(2).sum(dim=0).sqrt())
        cols = [raw["d_loss"].double(), raw["d_penalty"].double(), raw["g_loss"].double(), *(p.double() for p in probs),
                *norms]
        return torch.stack(cols, dim=1)

    def _G(self, z: torch.Tensor) -> torch.Tensor:
        x = _forward(self.g_params, z, ACT[self.cfg.g_activation])
        return torch.tanh(x) if self.image else x

    def _D(self, x: torch.Tensor) -> torch.Tensor:
        return _forward(self.d_params, x, ACT[self.cfg.d_activation])

    # ---- bookkeeping -------------------------------------------------------------------------

    def _flush(self) -> None:
        """Pending step records into each member's History (the Trainer's record, row for row)."""
        if not self._pending:
            return
        values = torch.stack([s for _, _, s in self._pending]).tolist()
        for (step, seconds, _), rows in zip(self._pending, values):
            for m, row in zip(self.members, rows):
                record = {"step": step, **dict(zip(STATS, row)), "seconds": seconds}
                self.histories[m].append(record)
        for m, row in zip(self.members, values[-1]):
            self.last[m] = dict(zip(STATS, row))
        self._pending = []

    def _freeze(self, rows: list[int]) -> None:
        """Stop the members in these batch rows, as Trainer._finish stops a run, and drop them from the batch."""
        for a in rows:
            m = self.members[a]
            bad = [k for k in sorted(STATS) if not math.isfinite(self.last[m][k])]
            self.status[m] = "diverged"
            self.reason[m] = f"diverged at step {self.step_count}: {bad[0]} became {self.last[m][bad[0]]}"
            self._final[m] = ([p.detach()[a].clone() for p in self.g_params],
                              [p.detach()[a].clone() for p in self.d_params])
        keep = [a for a in range(self.active) if a not in rows]
        index = torch.tensor(keep, dtype=torch.long)
        self.members = [self.members[a] for a in keep]
        self.hyper = {k: v[index] for k, v in self.hyper.items()}
        for params, opt in ((self.g_params, self.opt_g), (self.d_params, self.opt_d)):
            for i, p in enumerate(params):
                params[i] = p.detach()[index].clone().requires_grad_(True)
            opt.select(index)

    # ---- results -----------------------------------------------------------------------------

    def weights(self, m: int) -> tuple[dict, dict]:
        """Member m's G and D weights as the state dicts of models.py's networks."""
        if m in self._final:
            g, d = self._final[m]
        else:
            a = self.members.index(m)
            g, d = [p.detach()[a] for p in self.g_params], [p.detach()[a] for p in self.d_params]
        return _state(g, self.g_names), _state(d, self.d_names)

    def trainer(self, m: int) -> Trainer:
        """A plain Trainer of member m's config holding its final weights, history and status: the single-run
        code (metrics, diagnosis, samples, saving) applies to it unchanged."""
        self._flush()
        trainer = Trainer(self.configs[m])
        g, d = self.weights(m)
        trainer.G.load_state_dict(g)
        trainer.D.load_state_dict(d)
        trainer.step_count, trainer.status, trainer.reason = self.step_count, self.status[m], self.reason[m]
        if m in self._final:
            trainer.step_count = int(self.histories[m].last()["step"])
        trainer.history = self.histories[m]
        trainer._last.update(self.last[m])
        return trainer


def _build(config: Config, data) -> tuple[nn.Module, nn.Module]:
    """G and D exactly as the Trainer builds them: same calls, under a forked RNG seeded with the seed."""
    with torch.random.fork_rng():
        torch.manual_seed(config.seed)
        G = build_generator(config, data.dim, data.kind == "image")
        D = build_discriminator(config, data.dim)
    return G, D


def _stack(nets: list[nn.Module], names: list[str]) -> list[torch.Tensor]:
    """[W0, b0, W1, b1, ...]: W (M, in, out) = the Linear weights transposed, b (M, 1, out)."""
    params = []
    for name in names:
        layers = [net.get_submodule(name) for net in nets]
        params.append(torch.stack([lin.weight.detach().t() for lin in layers]).contiguous().requires_grad_(True))
        params.append(torch.stack([lin.bias.detach()[None] for lin in layers]).contiguous().requires_grad_(True))
    return params


def _state(params: list[torch.Tensor], names: list[str]) -> dict:
    state = {}
    for i, name in enumerate(names):
        state[f"{name}.weight"] = params[2 * i].t().contiguous().clone()
        state[f"{name}.bias"] = params[2 * i + 1][0].clone()
    return state


def _forward(params: list[torch.Tensor], x: torch.Tensor, act) -> torch.Tensor:
    n = len(params) // 2
    for i in range(n):
        x = torch.baddbmm(params[2 * i + 1], x, params[2 * i])
        if i < n - 1:
            x = act(x)
    return x
