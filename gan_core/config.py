"""The whole experiment as one frozen, flat, validated dataclass.

Flat on purpose: the same `key=value` pairs serve the CLI (`--set lr_d=1e-4`), JSON run folders,
URL query parameters and the dashboard's widgets, and a single validation covers them all.
Each field's metadata carries its group, its allowed range or choices and a one-line help text,
so the UI can build a widget with the right limits from the field itself.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from typing import Any

DATASETS = ("ring8", "grid25", "moons", "swissroll", "line", "two-gaussians", "digits", "custom")
LOSSES = ("minimax", "non-saturating", "lsgan", "wgan", "wgan-gp", "hinge")
# Losses whose D is a critic: its output is a score with a free offset (adding a constant changes neither
# loss nor penalty), not a probability, so charts show the raw score and never a 0.5 line.
CRITIC_LOSSES = ("wgan", "wgan-gp", "hinge")
OPTIMIZERS = ("sgd", "adam", "rmsprop")
ACTIVATIONS = ("relu", "leaky_relu", "tanh")
NOISES = ("gaussian", "uniform")
SCHEMES = ("alternating", "simultaneous")
GROUPS = ("data", "generator", "discriminator", "loss", "optimizers", "training")

# Settings a running Trainer can change without a reset (Trainer.update); the rest rebuild it.
MUTABLE = frozenset({
    "loss", "r1_gamma", "gp_lambda", "clip", "instance_noise", "label_smoothing",
    "g_optimizer", "d_optimizer", "lr_g", "lr_d", "beta1", "beta2", "momentum",
    "d_steps", "scheme", "metrics_every",
})
# One CLI / URL key that sets several fields at once.
ALIASES = {"optimizer": ("g_optimizer", "d_optimizer"), "activation": ("g_activation", "d_activation")}


def _num(default, lo, hi, group, help, log=False):
    return field(default=default, metadata=dict(lo=lo, hi=hi, group=group, help=help, log=log))


def _choice(default, choices, group, help):
    return field(default=default, metadata=dict(choices=choices, group=group, help=help))


def _flag(default, group, help):
    return field(default=default, metadata=dict(group=group, help=help))


@dataclass(frozen=True)
class Config:
    # Data
    dataset: str = _choice("ring8", DATASETS, "data", "target distribution")
    batch_size: int = _num(256, 8, 2048, "data", "samples per batch, real and fake each")
    custom_points: tuple = field(default=(), metadata=dict(group="data", help="2-D points for dataset=custom"))
    # Generator G: z -> x
    latent_dim: int = _num(2, 1, 128, "generator", "dimension of the noise z")
    noise: str = _choice("gaussian", NOISES, "generator", "distribution of z")
    g_depth: int = _num(2, 0, 6, "generator", "hidden layers of G")
    g_width: int = _num(64, 1, 512, "generator", "units per hidden layer of G")
    g_activation: str = _choice("relu", ACTIVATIONS, "generator", "activation of G")
    g_batch_norm: bool = _flag(False, "generator", "batch normalisation in G")
    g_dropout: float = _num(0.0, 0.0, 0.9, "generator", "dropout in G")
    # Discriminator D: x -> logit
    d_depth: int = _num(2, 0, 6, "discriminator", "hidden layers of D")
    d_width: int = _num(64, 1, 512, "discriminator", "units per hidden layer of D")
    d_activation: str = _choice("relu", ACTIVATIONS, "discriminator", "activation of D")
    d_dropout: float = _num(0.0, 0.0, 0.9, "discriminator", "dropout in D")
    d_spectral_norm: bool = _flag(False, "discriminator", "spectral normalisation of D's weights")
    # Loss and regularisers
    loss: str = _choice("non-saturating", LOSSES, "loss", "the game G and D play")
    r1_gamma: float = _num(0.0, 0.0, 100.0, "loss", "R1 penalty gamma/2 E|grad D(x_real)|^2 (0 = off)")
    gp_lambda: float = _num(10.0, 0.0, 100.0, "loss", "gradient penalty weight for wgan-gp")
    clip: float = _num(0.01, 1e-4, 1.0, "loss", "weight clipping bound for wgan", log=True)
    instance_noise: float = _num(0.0, 0.0, 2.0, "loss", "std of noise added to D's inputs (0 = off)")
    label_smoothing: float = _num(0.0, 0.0, 0.5, "loss", "one-sided: real target 1 - s")
    # Optimizers, one per network
    g_optimizer: str = _choice("adam", OPTIMIZERS, "optimizers", "optimizer of G")
    d_optimizer: str = _choice("adam", OPTIMIZERS, "optimizers", "optimizer of D")
    lr_g: float = _num(1e-3, 1e-5, 1.0, "optimizers", "learning rate of G", log=True)
    lr_d: float = _num(1e-3, 1e-5, 1.0, "optimizers", "learning rate of D", log=True)
    beta1: float = _num(0.5, 0.0, 0.99, "optimizers", "Adam beta1")
    beta2: float = _num(0.999, 0.5, 0.9999, "optimizers", "Adam beta2")
    momentum: float = _num(0.0, 0.0, 0.99, "optimizers", "SGD momentum / RMSprop momentum")
    # Training schedule
    d_steps: int = _num(1, 1, 10, "training", "D updates per G update")
    scheme: str = _choice("alternating", SCHEMES, "training", "D then G, or both from the same point")
    seed: int = _num(0, 0, 2**31 - 1, "training", "random seed: same seed, same numbers")
    metrics_every: int = _num(1000, 10, 100_000, "training", "compute quality metrics every K steps")

    def __post_init__(self):
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name == "custom_points":
                object.__setattr__(self, f.name, _check_points(value, self.dataset))
            else:
                _check(f, value)

    # ---- conversions -------------------------------------------------------------------------

    def replace(self, **changes) -> Config:
        return from_flat({**self.to_flat(), **changes}, base=None)

    def to_flat(self) -> dict[str, Any]:
        """Plain JSON-able key -> value (custom_points as a list of [x, y])."""
        flat = dataclasses.asdict(self)
        flat["custom_points"] = [list(p) for p in self.custom_points]
        return flat

    def to_json(self) -> str:
        return json.dumps(self.to_flat(), indent=2)

    def diff(self, other: Config) -> dict[str, tuple]:
        a, b = self.to_flat(), other.to_flat()
        return {k: (a[k], b[k]) for k in a if a[k] != b[k]}


FIELDS = {f.name: f for f in dataclasses.fields(Config)}


def field_spec(name: str) -> dict:
    """Metadata of one field: group, help and either lo/hi(/log) or choices, plus its type and default."""
    f = FIELDS[name]
    return {**f.metadata, "type": f.type, "default": f.default}


def from_flat(values: dict[str, Any], base: Config | None = None) -> Config:
    """Build a Config from key -> value pairs (strings allowed, as from a CLI or URL), over `base`."""
    flat = (base or Config()).to_flat()
    for key, value in values.items():
        for name in ALIASES.get(key, (key,)):
            if name not in FIELDS:
                allowed = ", ".join(sorted([*FIELDS, *ALIASES]))
                raise ValueError(f"unknown setting {key!r}; allowed: {allowed}")
            flat[name] = parse_value(name, value)
    flat["custom_points"] = tuple(tuple(p) for p in flat["custom_points"])
    return Config(**flat)


def parse_value(name: str, value: Any) -> Any:
    """Convert a string (or JSON value) to the field's type, with an error naming the field."""
    f = FIELDS[name]
    if name == "custom_points":
        return json.loads(value) if isinstance(value, str) else value
    kind = f.type if isinstance(f.type, str) else f.type.__name__
    if not isinstance(value, str):
        return value
    text = value.strip()
    if kind == "bool":
        if text.lower() in ("1", "true", "yes", "on"):
            return True
        if text.lower() in ("0", "false", "no", "off"):
            return False
        _bad(name, value, "true or false")
    if kind in ("int", "float"):
        try:
            number = float(text)
        except ValueError:
            _bad(name, value, "a number")
        if kind == "int":
            return int(number) if number.is_integer() else _bad(name, value, "a whole number")
        return number
    return text


def _bad(name, value, allowed):
    raise ValueError(f"{name}={value!r} is not allowed; expected {allowed}")


def _check(f, value):
    meta, kind = f.metadata, (f.type if isinstance(f.type, str) else f.type.__name__)
    if "choices" in meta:
        if value not in meta["choices"]:
            _bad(f.name, value, "one of " + ", ".join(meta["choices"]))
        return
    if kind == "bool":
        if not isinstance(value, bool):
            _bad(f.name, value, "true or false")
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        _bad(f.name, value, f"a number in [{meta['lo']:g}, {meta['hi']:g}]")
    if kind == "int" and int(value) != value:
        _bad(f.name, value, f"a whole number in [{meta['lo']}, {meta['hi']}]")
    if not (meta["lo"] <= value <= meta["hi"]):  # also rejects NaN
        _bad(f.name, value, f"a value in [{meta['lo']:g}, {meta['hi']:g}]")


def _check_points(points, dataset) -> tuple:
    try:
        pts = tuple((float(x), float(y)) for x, y in points)
    except (TypeError, ValueError):
        _bad("custom_points", points, "a list of [x, y] pairs")
    if any(v != v or abs(v) > 1e3 for p in pts for v in p):
        _bad("custom_points", "...", "finite coordinates within +-1000")
    if dataset == "custom" and len(pts) < 2:
        _bad("custom_points", f"{len(pts)} points", "at least 2 points when dataset=custom")
    if len(pts) > 20_000:
        _bad("custom_points", f"{len(pts)} points", "at most 20,000 points")
    return pts
