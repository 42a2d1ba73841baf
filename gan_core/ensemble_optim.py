"""torch.optim's Adam, SGD and RMSprop, single-tensor updates written out op for op, for stacked per-member
weights (M, ...) with per-member lr, betas and momentum as (M, 1, 1) float32 tensors (a Python float
setting becomes float32 the same way when torch.optim multiplies a tensor by it).

Same operation order as torch/optim/adam.py, sgd.py and rmsprop.py (foreach off, as on CPU), e.g. Adam:
m.lerp_(g, 1 - b1); v.mul_(b2).addcmul_(g, g, value=1 - b2); p.addcdiv_(m, v.sqrt() / sqrt(bc2) + eps,
value=-lr / bc1); addcdiv computes (value * m) / denom, and so does this.
"""

from __future__ import annotations

import torch

ADAM_EPS, RMS_ALPHA, RMS_EPS = 1e-8, 0.99, 1e-8  # torch.optim's defaults, as optim.make_optimizer uses them


class EnsembleOptimizer:
    """torch.optim's Adam / SGD / RMSprop single-tensor updates with per-member lr, betas and momentum."""

    def __init__(self, kind: str, params: list[torch.Tensor], net: str):
        self.kind, self.params, self.net, self.k = kind, params, net, 0
        zeros = [torch.zeros_like(p) for p in params]
        self.state = {"adam": lambda: {"m": zeros, "v": [torch.zeros_like(p) for p in params]},
                      "sgd": lambda: {"buf": [None] * len(params)},
                      "rmsprop": lambda: {"sq": zeros, "buf": [torch.zeros_like(p) for p in params]}}[kind]()

    def select(self, index: torch.Tensor) -> None:
        for key, tensors in self.state.items():
            self.state[key] = [None if t is None else t[index].clone() for t in tensors]

    @torch.no_grad()
    def step(self, hyper: dict) -> None:
        self.k += 1
        lr = hyper[f"lr_{self.net}"]
        col = lambda v: v.float().view(-1, 1, 1)  # noqa: E731  float64 per member -> float32, like a scalar
        if self.kind == "adam":
            b1, b2 = hyper["beta1"], hyper["beta2"]
            step_size = lr / (1 - b1**self.k)
            w1, beta2, w2 = col(1 - b1), col(b2), col(1 - b2)
            bc2, neg = col((1 - b2**self.k).sqrt()), col(-step_size)
            for p, m, v in zip(self.params, self.state["m"], self.state["v"]):
                g = p.grad
                m.lerp_(g, w1)
                v.mul_(beta2).add_(g.mul(w2).mul_(g))
                denom = (v.sqrt() / bc2).add_(ADAM_EPS)
                p.add_(m.mul(neg).div_(denom))
        elif self.kind == "sgd":
            mom, neg = col(hyper["momentum"]), col(-lr)
            for i, p in enumerate(self.params):
                buf = self.state["buf"][i]
                if buf is None:
                    buf = self.state["buf"][i] = p.grad.detach().clone()
                else:
                    buf.mul_(mom).add_(p.grad)
                p.add_(buf * neg)
        else:
            mom, neg = col(hyper["momentum"]), col(-lr)
            for p, sq, buf in zip(self.params, self.state["sq"], self.state["buf"]):
                g = p.grad
                sq.mul_(RMS_ALPHA).addcmul_(g, g, value=1 - RMS_ALPHA)
                avg = sq.sqrt().add_(RMS_EPS)
                if bool((hyper["momentum"] > 0).any()):  # all or none in a group (group_key)
                    buf.mul_(mom).addcdiv_(g, avg)
                    p.add_(buf * neg)
                else:
                    p.add_(g.mul(neg).div_(avg))
