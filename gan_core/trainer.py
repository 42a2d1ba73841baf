"""One Trainer: each update method does exactly one D or one G update and returns plain floats.

    step() = d_steps x (1) update D, then (2) update G          [scheme "alternating"]
    step() = (d_steps - 1) x update D, then D and G together from the same point  [scheme "simultaneous"]

Same config and seed => the same numbers on CPU: data, noise and penalties draw from the Trainer's own
torch.Generator, and the weights are initialised under a forked, seeded global RNG.
NaN / inf never escape: the Trainer stops, sets status "diverged" and `reason` says where and why.
"""

from __future__ import annotations

import contextlib
import copy
import math
import time

import numpy as np
import torch

from . import losses
from .config import MUTABLE, Config
from .data import make_dataset
from .history import History
from .models import build_discriminator, build_generator, sample_noise
from .optim import make_optimizer

EVAL_SAMPLES = 2500
EVAL_NOISE_SEED = 2024  # one evaluation noise for every run: runs with the same latent_dim compare at equal z
HIST_BINS, HIST_EVERY = 20, 10


def _penalty(penalty) -> dict:
    return {} if penalty is None else {"d_penalty": penalty}


class Trainer:
    def __init__(self, config: Config | None = None):
        self.config = config or Config()
        self.data = make_dataset(self.config)
        with torch.random.fork_rng():  # seeded init without touching the caller's global RNG
            torch.manual_seed(self.config.seed)
            self.G = build_generator(self.config, self.data.dim, self.data.kind == "image")
            self.D = build_discriminator(self.config, self.data.dim)
        self._init_weights = (copy.deepcopy(self.G.state_dict()), copy.deepcopy(self.D.state_dict()))
        eval_gen = torch.Generator().manual_seed(EVAL_NOISE_SEED)
        self.eval_z = sample_noise(self.config, EVAL_SAMPLES, eval_gen)
        self.reset()

    # ---- lifecycle ---------------------------------------------------------------------------

    def reset(self) -> None:
        """Back to step 0 with the same initial weights and the same random stream."""
        self.G.load_state_dict(self._init_weights[0])
        self.D.load_state_dict(self._init_weights[1])
        self.gen = torch.Generator().manual_seed(self.config.seed)
        # Dropout draws from torch's global RNG; keep a private copy of it so two trainers in one process
        # (two students, or a lesson and its fix) don't disturb each other's numbers.
        with torch.random.fork_rng():
            torch.manual_seed(self.config.seed)
            self._global_rng = torch.get_rng_state()
        self._g_params, self._d_params = list(self.G.parameters()), list(self.D.parameters())
        self.opt_g = make_optimizer(self.config, "g", self.G.parameters())
        self.opt_d = make_optimizer(self.config, "d", self.D.parameters())
        self.step_count, self.status, self.reason = 0, "ok", None
        self.history = History()
        self.dist_history = History(keys=("step", "lo", "hi", *(f"r{i}" for i in range(HIST_BINS)),
                                          *(f"f{i}" for i in range(HIST_BINS))), recent=500, capacity=500)
        self.metrics_history: list[dict] = []
        self.events: list[dict] = []
        self._seen: set[str] = set()  # record keys that have had a value since the reset
        self._last = {"d_loss": math.nan, "d_penalty": math.nan, "g_loss": math.nan, "d_real": math.nan, "d_fake": math.nan,
                      "d_fake_after": math.nan, "g_grad_norm": math.nan, "d_grad_norm": math.nan}

    def update(self, **changes) -> dict:
        """Change settings mid-run (see config.MUTABLE); records an event. Others need a new Trainer."""
        frozen = sorted(set(changes) - MUTABLE - {"optimizer"})
        if frozen:
            raise ValueError(f"changing {', '.join(frozen)} needs a reset (a new Trainer); "
                             f"mid-run changes allowed: {', '.join(sorted(MUTABLE))}")
        new = self.config.replace(**changes)
        diff = self.config.diff(new)
        if not diff:
            return {}
        old, self.config = self.config, new
        for net, opt_name in (("g", "opt_g"), ("d", "opt_d")):
            keys = {f"{net}_optimizer", "beta1", "beta2", "momentum"}
            if keys & diff.keys():  # a new optimizer (its running averages start afresh)
                model = self.G if net == "g" else self.D
                setattr(self, opt_name, make_optimizer(new, net, model.parameters()))
            elif f"lr_{net}" in diff:
                for group in getattr(self, opt_name).param_groups:
                    group["lr"] = getattr(new, f"lr_{net}")
        event = {"step": self.step_count, "changes": {k: list(v) for k, v in diff.items()}}
        self.events.append(event)
        del old
        return event

    # ---- training ----------------------------------------------------------------------------

    def step(self) -> dict:
        """One round: d_steps D updates, then one G update. Returns the record (no-op once diverged)."""
        if self.status != "ok":
            return self._record()
        t0 = time.perf_counter()
        cfg = self.config
        n_d = cfg.d_steps if cfg.scheme == "alternating" else cfg.d_steps - 1
        raw: dict = {}  # the last D update's numbers and the G update's, still as tensors
        with self._own_global_rng():
            for _ in range(n_d):
                raw.update(self._d_update())
            raw.update(self._g_update() if cfg.scheme == "alternating" else self._joint_update())
        return self._finish(t0, raw)

    def d_step(self) -> dict:
        """One D update alone, recorded as its own step (G unchanged)."""
        return self._single(self._d_update)

    def g_step(self) -> dict:
        """One G update alone, recorded as its own step (D unchanged)."""
        return self._single(self._g_update)

    def run(self, n: int, callback=None) -> dict:
        """n steps (stops early if the run diverges); callback(record) after each step."""
        record = self._record()
        for _ in range(n):
            if self.status != "ok":
                break
            record = self.step()
            if callback is not None:
                callback(record)
        return record

    def _single(self, update) -> dict:
        if self.status != "ok":
            return self._record()
        t0 = time.perf_counter()
        with self._own_global_rng():
            raw = update()
        return self._finish(t0, raw)

    @contextlib.contextmanager
    def _own_global_rng(self):
        """Swap in this trainer's global-RNG state while it trains; only needed (and paid) with dropout."""
        if not (self.config.g_dropout or self.config.d_dropout):
            yield
            return
        outside = torch.get_rng_state()
        torch.set_rng_state(self._global_rng)
        try:
            yield
        finally:
            self._global_rng = torch.get_rng_state()
            torch.set_rng_state(outside)

    def _finish(self, t0: float, raw: dict) -> dict:
        self.step_count += 1
        self._last.update(self._numbers(raw))
        self._seen.update(raw, (f"{k}_grad_norm" for k in "dg" if f"{k}_loss" in raw))
        record = self._record(seconds=time.perf_counter() - t0)
        # Before the first G (or D) update its numbers are NaN by design: "not yet", not divergence.
        bad = [k for k in sorted(self._seen) if not math.isfinite(record[k])]
        if bad:
            self.status = "diverged"
            self.reason = f"diverged at step {self.step_count}: {bad[0]} became {record[bad[0]]}"
        self.history.append(record)
        if self.step_count % self.config.metrics_every == 0 and self.status == "ok":
            self.record_metrics()
        return record

    def _numbers(self, raw: dict) -> dict:
        """The step's tensors as plain floats, read in one go: D's outputs become mean D(x), D(G(z)) as the
        charts show them (losses.d_shown, one call over all of them), the losses and per-layer gradient norms one stacked tensor, and a single
        .tolist() replaces a dozen .item() calls. This keeps the bookkeeping cost near the bare loop's."""
        outs = [k for k in ("d_real", "d_fake", "d_fake_after") if k in raw]
        losses_ = [k for k in ("d_loss", "d_penalty", "g_loss") if k in raw]
        # Gradients of the networks updated in this step, still in .grad: D's from its last update (G's
        # backward leaves them alone), G's from its update. One call gives every layer's norm.
        nets = [(k, p) for k, p in (("d", self._d_params), ("g", self._g_params)) if f"{k}_loss" in raw]
        grads = [[p.grad for p in params if p.grad is not None] for _, params in nets]
        norms = torch._foreach_norm([g for net in grads for g in net])
        with torch.no_grad():
            shown = losses.d_shown(self.config.loss, torch.cat([raw[k] for k in outs], dim=1))
            if "d_real" in raw and (self.step_count == 1 or self.step_count % HIST_EVERY == 0):
                self._record_hist(shown[:, 0], shown[:, 1])
            values = torch.cat([shown.mean(dim=0), torch.stack([raw[k] for k in losses_] + list(norms))]).tolist()
        numbers = dict(zip(outs + losses_, values))
        if "d_loss" in raw and "d_penalty" not in raw:
            numbers["d_penalty"] = 0.0  # no regulariser on: D minimised L_D alone
        at = len(outs) + len(losses_)
        for (net, _), net_grads in zip(nets, grads):  # the 2-norm of all of a net's gradients together
            numbers[f"{net}_grad_norm"] = math.hypot(*values[at:at + len(net_grads)])
            at += len(net_grads)
        return numbers

    def _record(self, seconds: float = 0.0) -> dict:
        return {"step": self.step_count, **self._last, "seconds": seconds}

    def _d_input(self, x: torch.Tensor) -> torch.Tensor:
        sigma = self.config.instance_noise  # instance noise (Sonderby 2016), constant; lower it mid-run
        return x + sigma * torch.randn(x.shape, generator=self.gen) if sigma > 0 else x

    def _d_objective(self, x_real: torch.Tensor, x_fake: torch.Tensor):
        """L_D and its regulariser apart (as GAN_stability's trainer returns dloss and reg): returns
        (L_D, the weighted penalty gamma/2 R1 + lambda GP or None when none is on, D on real, D on fake).
        D minimises their sum; the record keeps them apart, so a chart of L_D is L_D."""
        cfg = self.config
        x_real, x_fake = self._d_input(x_real), self._d_input(x_fake)
        penalties = []  # added only when on: even "+ 0.0" is one more op and autograd node per D update
        if cfg.r1_gamma > 0:
            penalty, real_out = losses.r1_penalty(self.D, x_real)
            penalties.append(cfg.r1_gamma / 2 * penalty)
        else:
            real_out = self.D(x_real)
        fake_out = self.D(x_fake)
        loss = losses.d_loss(cfg.loss, real_out, fake_out, cfg.label_smoothing)
        if cfg.loss == "wgan-gp":
            penalties.append(cfg.gp_lambda * losses.gradient_penalty(self.D, x_real, x_fake.detach(), self.gen))
        return loss, (sum(penalties[1:], penalties[0]) if penalties else None), real_out, fake_out

    def _d_update(self) -> dict:
        # (1) Update D: minimise L_D, i.e. push D(x) up and D(G(z)) down. G is fixed here.
        cfg = self.config
        x_real = self.data.sample(cfg.batch_size, self.gen)
        with torch.no_grad():
            x_fake = self.G(sample_noise(cfg, cfg.batch_size, self.gen))
        loss, penalty, real_out, fake_out = self._d_objective(x_real, x_fake)
        self.opt_d.zero_grad(set_to_none=True)
        (loss if penalty is None else loss + penalty).backward()
        self.opt_d.step()
        self._clip_critic()
        return {"d_loss": loss, "d_real": real_out, "d_fake": fake_out, **_penalty(penalty)}

    def _g_update(self) -> dict:
        # (2) Update G: minimise L_G, i.e. make D(G(z)) look real to the D just updated.
        cfg = self.config
        fake_out = self.D(self._d_input(self.G(sample_noise(cfg, cfg.batch_size, self.gen))))
        loss = losses.g_loss(cfg.loss, fake_out)
        self.opt_g.zero_grad(set_to_none=True)
        # Only G's gradients: D's would be thrown away, and D keeps those of its own update for the record.
        loss.backward(inputs=self._g_params)
        self.opt_g.step()
        return {"g_loss": loss, "d_fake_after": fake_out}

    def _joint_update(self) -> dict:
        # Simultaneous gradient descent: both gradients at the same (G, D), then both steps.
        cfg = self.config
        x_real = self.data.sample(cfg.batch_size, self.gen)
        x_fake = self.G(sample_noise(cfg, cfg.batch_size, self.gen))
        d_loss, penalty, real_out, fake_out = self._d_objective(x_real, x_fake)
        g_out = fake_out if cfg.instance_noise == 0 else self.D(self._d_input(x_fake))
        g_loss = losses.g_loss(cfg.loss, g_out)
        d_grads = torch.autograd.grad(d_loss if penalty is None else d_loss + penalty, self._d_params, retain_graph=True)
        g_grads = torch.autograd.grad(g_loss, self._g_params)
        for p, g in zip(self._d_params + self._g_params, d_grads + g_grads):
            p.grad = g
        self.opt_d.step()
        self.opt_g.step()
        self._clip_critic()
        # d_fake_after: D(G(z)) where G's gradient was taken, the same D as d_fake (no D update in between).
        return {"d_loss": d_loss, "d_real": real_out, "d_fake": fake_out, "g_loss": g_loss, "d_fake_after": g_out,
                **_penalty(penalty)}

    def _record_hist(self, d_real: torch.Tensor, d_fake: torch.Tensor) -> None:
        """Histograms of this batch's D(x) and D(G(z)) (as shown: losses.d_shown), the 'distributions over
        time' view, over a range recorded with them: [0, 1] for probabilities; for LSGAN [0, 1] widened to
        the batch; for a critic the batch's own range (its scores have no fixed scale)."""
        both = torch.cat([d_real, d_fake])
        both = both[torch.isfinite(both)]
        lo, hi = (both.min().item(), both.max().item()) if len(both) else (0.0, 1.0)
        loss = self.config.loss
        if loss in losses.LOG_LOSSES:
            lo, hi = 0.0, 1.0
        elif loss == "lsgan":
            lo, hi = min(lo, 0.0), max(hi, 1.0)
        elif hi - lo < 1e-6:  # a critic scoring every point alike: a unit-wide range around it
            lo, hi = lo - 0.5, hi + 0.5

        def hist(d):
            d = torch.nan_to_num(d, nan=(lo + hi) / 2).clamp(lo, hi)
            return (torch.histc(d, HIST_BINS, lo, hi) / max(len(d), 1)).tolist()
        row = [self.step_count, lo, hi, *hist(d_real), *hist(d_fake)]
        self.dist_history.append(dict(zip(self.dist_history.keys, row)))

    def _clip_critic(self) -> None:
        if self.config.loss == "wgan":  # Arjovsky 2017: clip D's weights to [-c, c] after each update
            with torch.no_grad():
                for p in self.D.parameters():
                    p.clamp_(-self.config.clip, self.config.clip)

    # ---- evaluation ---------------------------------------------------------------------------

    @torch.no_grad()
    def sample(self, n: int = EVAL_SAMPLES, z: torch.Tensor | None = None) -> np.ndarray:
        """n generated samples in data space as numpy, at the fixed evaluation noise unless z is given.
        Beyond the EVAL_SAMPLES rows of eval_z, the rest come from a second fixed noise (seed
        EVAL_NOISE_SEED + 1), so sample(n) always has n rows and its first EVAL_SAMPLES are sample()'s."""
        if z is None:
            if n < 0:
                raise ValueError(f"sample: n = {n}; allowed: n >= 0")
            z = self.eval_z[:n]
            if n > len(z):
                more = sample_noise(self.config, n - len(z), torch.Generator().manual_seed(EVAL_NOISE_SEED + 1))
                z = torch.cat([z, more])
        self.G.eval()
        try:
            return self.G(z).numpy().astype(np.float64)
        finally:
            self.G.train()

    def record_metrics(self, full: bool = False) -> dict:
        """Quality metrics now, appended to metrics_history. full=False (the periodic case) skips MMD."""
        from .evaluate import evaluate  # lazy: metrics pull in scipy / the digits classifier

        metrics = {"step": self.step_count, **evaluate(self, full=full)}
        self.metrics_history.append(metrics)
        return metrics

    def latest_metrics(self) -> dict | None:
        return self.metrics_history[-1] if self.metrics_history else None

    def snapshot(self, **kw) -> dict:
        from .snapshot import snapshot

        return snapshot(self, **kw)

    # ---- persistence --------------------------------------------------------------------------

    def state_dict(self) -> dict:
        """A deep copy: later training does not change it (optimizer states are live tensors otherwise)."""
        return copy.deepcopy({"config": self.config.to_flat(), "G": self.G.state_dict(), "D": self.D.state_dict(),
                "opt_g": self.opt_g.state_dict(), "opt_d": self.opt_d.state_dict(),
                "gen": self.gen.get_state(), "global_rng": self._global_rng, "step_count": self.step_count, "status": self.status,
                "reason": self.reason, "last": dict(self._last), "seen": sorted(self._seen),
                "history": self.history.state(), "dist_history": self.dist_history.state(),
                "metrics_history": self.metrics_history, "events": self.events})

    def load_state_dict(self, state: dict) -> None:
        """Restore a state from state_dict() of a Trainer built with the same config."""
        self.G.load_state_dict(state["G"])
        self.D.load_state_dict(state["D"])
        self.opt_g.load_state_dict(state["opt_g"])
        self.opt_d.load_state_dict(state["opt_d"])
        self.gen.set_state(state["gen"])
        self._global_rng = state["global_rng"]
        self.step_count, self.status, self.reason = state["step_count"], state["status"], state["reason"]
        self._last, self._seen = dict(state["last"]), set(state["seen"])
        self.history.load(state["history"])
        self.dist_history.load(state["dist_history"])
        self.metrics_history, self.events = list(state["metrics_history"]), list(state["events"])
