"""Dirac-GAN: the smallest GAN that does not converge, and the fixes that make it converge.

Mescheder, Geiger, Nowozin 2018, "Which Training Methods for GANs do actually Converge?", Sec. 2-3.
Real data δ_0, generator δ_θ, discriminator D_ψ(x) = ψx. The GAN objective

    L(θ, ψ) = f(ψθ) + f(0),    f(t) = -log(1 + e^{-t}),  f'(t) = sigmoid(-t),  f'(0) = 1/2.

G descends L and D ascends it, so training follows the vector field v = (v1, v2) = (-∂L/∂θ, ∂L/∂ψ)
(v1 moves the generator θ, v2 the discriminator ψ) with steps (θ, ψ) += h v. The equilibrium is (0, 0).

Defaults follow the paper's notebook (LMescheder/GAN_stability, notebooks/DiracGAN.ipynb, diracgan/*.py):
start (θ, ψ) = (1, 1), h = 0.2, 500 steps, quiver on linspace(-2, 2, 10)^2.
"""

from __future__ import annotations

import numpy as np

METHODS = ("gan", "non-saturating", "wgan", "wgan-gp", "instance-noise", "r1", "consensus")
SCHEMES = ("simultaneous", "alternating")

# Each method's one parameter, by its honest name, with the value the paper's notebook plots
# (DiracGAN.ipynb, `plot_configs`): WGAN(1.) clips ψ to [-c, c] with c = 1; WGAN_GP(0.7, 1.) is penalty
# weight γ = 0.7 with target g0 = 1; GAN_InstNoise(0.7) is noise std σ = 0.7; GAN_GradPenalty(0.3) is R1
# γ = 0.3 (the notebook also shows the critical γ = 1); GAN_Consensus(1.) is γ = 1. "gan" and
# "non-saturating" have none. The functions below take it as `param`; the CLI as --clip, --sigma, --gamma.
PARAM_NAME = {"wgan": "clip", "wgan-gp": "gamma", "instance-noise": "sigma", "r1": "gamma", "consensus": "gamma"}
DEFAULT_PARAM = {"gan": 0.0, "non-saturating": 0.0, "wgan": 1.0, "wgan-gp": 0.7, "instance-noise": 0.7,
                 "r1": 0.3, "consensus": 1.0}
WGAN_GP_TARGET = 1.0  # g0, the gradient norm WGAN-GP pulls |ψ| towards (Gulrajani et al. 2017)

# A state beyond this is "overflowed": the trajectory stops there (NaN after) instead of reaching inf,
# so every number we report stays finite and JSON-serialisable.
_BLOWUP = 1e50

# Gauss-Hermite rule: ∫ e^{-z²} g(z) dz ≈ Σ w_i g(z_i); with ε = sqrt(2) σ z it gives E_{ε~N(0,σ²)} g(ε).
# 64 nodes are exact for polynomials of degree 127 and accurate to ~1e-12 for the smooth sigmoids here.
_GH_Z, _GH_W = np.polynomial.hermite.hermgauss(64)
_GH_W = _GH_W / np.sqrt(np.pi)


def _fp(t):
    """f'(t) = sigmoid(-t), written with tanh so no t overflows or warns."""
    return 0.5 * (1.0 - np.tanh(0.5 * t))


def _fpp(t):
    """f''(t) = -sigmoid(t) sigmoid(-t); f''(0) = -1/4."""
    return -0.25 * (1.0 - np.tanh(0.5 * t) ** 2)


def _check_choice(name, value, choices):
    if value not in choices:
        raise ValueError(f"unknown {name} {value!r}; choose one of: {', '.join(choices)}")


def _resolve_param(method, param):
    _check_choice("method", method, METHODS)
    param = DEFAULT_PARAM[method] if param is None else float(param)
    if not (np.isfinite(param) and param >= 0):
        raise ValueError(f"{PARAM_NAME.get(method, 'the parameter')} must be a finite number >= 0, got {param!r}")
    return param


def consensus_grad(theta, psi):
    """∇(1/2 ‖v‖²) of the GAN field v, the term consensus optimisation subtracts (Mescheder et al. 2017).

    With s = ψθ, a = f'(s), b = f''(s): v = (-ψa, θa), ‖v‖² = (θ² + ψ²) a², so
    ∂/∂θ = θa² + ψab(θ² + ψ²) and ∂/∂ψ = ψa² + θab(θ² + ψ²).
    (The notebook's GAN_Consensus has 0.5 in front of the second terms: it drops the 2 from d(a²) = 2ab.
    Both agree at the origin, so the eigenvalues there are the same.)
    """
    s = psi * theta
    a, b = _fp(s), _fpp(s)
    r2 = theta**2 + psi**2
    return theta * a**2 + psi * a * b * r2, psi * a**2 + theta * a * b * r2


def _instance_noise_field(theta, psi, sigma):
    """The GAN field averaged over noise ε ~ N(0, σ²) added to both the real and the fake sample.

    With noise the objective is L = E_ε f(ψ(θ + ε)) + E_x f(-ψx), x ~ N(0, σ²) (paper Sec. 3, "Instance
    noise": real data δ_0 plus noise), hence
        v1 = -E_ε[ψ f'(ψ(θ + ε))],  v2 = E_ε[(θ + ε) f'(ψ(θ + ε))] - E_x[x f'(-ψx)].
    The expectations use Gauss-Hermite quadrature: deterministic, unlike the notebook's 1000 samples.
    """
    theta, psi = np.broadcast_arrays(theta, psi)
    shape = (-1,) + (1,) * theta.ndim
    eps = (np.sqrt(2.0) * sigma * _GH_Z).reshape(shape)  # (nodes, *theta.shape)
    w = _GH_W.reshape(shape)
    fake = theta + eps
    v1 = -psi * np.sum(w * _fp(psi * fake), axis=0)
    v2 = np.sum(w * (fake * _fp(psi * fake) - eps * _fp(-psi * eps)), axis=0)
    return v1, v2


def vector_field(method, theta, psi, param=None):
    """(v1, v2) at (θ, ψ), elementwise over arrays; the table in REFERENCE.md Sec. 5 (paper Sec. 2-3).

    WGAN's clipping is a projection applied after each D step by `simulate`, not part of the field.
    """
    p = _resolve_param(method, param)  # σ (instance-noise) or γ (wgan-gp, r1, consensus)
    theta, psi = np.broadcast_arrays(np.asarray(theta, float), np.asarray(psi, float))
    if method == "instance-noise":
        return _instance_noise_field(theta, psi, p)
    if method in ("wgan", "wgan-gp"):
        # WGAN: L = ψθ, f(t) = t (paper Sec. 3, "Wasserstein GAN").
        v2 = theta.copy()
        if method == "wgan-gp":
            # Penalty γ/2 (|ψ| - g0)², from |∇_x D| = |ψ|: it pulls |ψ| to g0, not ψ to 0.
            v2 = theta - p * (np.abs(psi) - WGAN_GP_TARGET) * np.sign(psi)
        return -psi, v2
    a = _fp(psi * theta)
    v1, v2 = -psi * a, theta * a
    if method == "non-saturating":
        v1 = -psi * _fp(-psi * theta)  # G maximises f(-ψθ) instead of minimising f(ψθ)
    elif method == "r1":
        # R1 = γ/2 |∇_x D(x_real)|² = γ/2 ψ² at x_real = 0 (paper Sec. 4, simplified gradient penalties)
        v2 = v2 - p * psi
    elif method == "consensus":
        g1, g2 = consensus_grad(theta, psi)  # v -= γ ∇(1/2 ‖v‖²) (paper Sec. 3, "Consensus optimization")
        v1, v2 = v1 - p * g1, v2 - p * g2
    return v1, v2


def simulate(method, scheme="simultaneous", *, d_steps=1, param=None, h=0.2, steps=500, start=(1.0, 1.0)):
    """Gradient-descent trajectory, shape (steps + 1, 2), columns (θ, ψ); row 0 is the start.

    "simultaneous": G and D both step from the same point (θ_t, ψ_t). With d_steps > 1, D takes its
      d_steps steps against the old θ_t (it has not seen G's move yet), as a simultaneous update would.
    "alternating" (the notebook's trajectory_altgd): one G step at (θ_t, ψ_t), then d_steps D steps,
      each at the new θ and the latest ψ.
    WGAN clips ψ to [-c, c] after every D step (and at the start, like the notebook).
    If the state overflows (non-finite or beyond 1e50) the remaining rows are NaN; never raises or warns.
    """
    _check_choice("scheme", scheme, SCHEMES)
    param = _resolve_param(method, param)
    if int(d_steps) != d_steps or d_steps < 1:
        raise ValueError(f"d_steps must be an integer >= 1, got {d_steps!r}")
    if int(steps) != steps or steps < 0:
        raise ValueError(f"steps must be an integer >= 0, got {steps!r}")
    if not np.isfinite(h):
        raise ValueError(f"h must be a finite number, got {h!r}")
    if len(start) != 2 or not np.all(np.isfinite(start)):
        raise ValueError(f"start must be two finite numbers (theta, psi), got {start!r}")
    c = param if method == "wgan" else np.inf  # the clip value

    def d_step(theta, psi):  # (2) D: ascend L in ψ, then (WGAN) project onto [-c, c]
        return float(np.clip(psi + h * vector_field(method, theta, psi, param)[1], -c, c))

    trajectory = np.full((int(steps) + 1, 2), np.nan)
    theta, psi = float(start[0]), float(np.clip(start[1], -c, c))
    trajectory[0] = theta, psi
    with np.errstate(all="ignore"):
        for t in range(1, int(steps) + 1):
            theta_new = theta + h * float(vector_field(method, theta, psi, param)[0])  # (1) G: descend L
            theta_d = theta if scheme == "simultaneous" else theta_new  # the θ that D sees
            for _ in range(int(d_steps)):
                psi = d_step(theta_d, psi)
            theta = theta_new
            if not (abs(theta) <= _BLOWUP and abs(psi) <= _BLOWUP):  # also catches NaN
                break
            trajectory[t] = theta, psi
    return trajectory


def norms(trajectory):
    """Distance ‖(θ, ψ)‖ to the equilibrium (0, 0) at every step (NaN after an overflow)."""
    trajectory = np.asarray(trajectory, float)
    return np.hypot(trajectory[:, 0], trajectory[:, 1])


def run_factor(trajectory):
    """The distance's average factor per step over this run: (r_end / r0)^(1/steps), r_end the mean
    distance over the last tenth of the steps (a cycle's distance oscillates). Below 1 the run came
    closer on the whole, above 1 it moved away; None for an empty run, inf after an overflow."""
    r = norms(trajectory)
    steps = len(r) - 1
    if steps < 1 or r[0] == 0:
        return None
    if not np.all(np.isfinite(r)):
        return float("inf")
    return float((r[-max(1, steps // 10):].mean() / r[0]) ** (1.0 / steps))


def verdict(trajectory, tol=1e-2, grow=2.0):
    """"converges", "cycles" or "diverges", from the distance r to the equilibrium.

    r0 is the starting distance, `last` the distances over the last tenth of the steps (a cycle's
    distance oscillates, so one final point is not enough), `before` those over the tenth before it.
    converges: max(last) <= tol * r0.
    diverges: an overflow, or max(last) >= grow * r0, or r still climbing (every r in `last` above
      every r in `before`) and already 10% beyond r0 (the GAN's outward spiral under simultaneous GD).
    cycles: the rest: a bounded distance that does not reach the equilibrium within these steps
      (a true cycle, like WGAN's, or a convergence too slow to see, like R1 with a tiny gamma).
    """
    r = norms(trajectory)
    if not np.all(np.isfinite(r)):
        return "diverges"
    r0, k = r[0], max(1, len(r) // 10)
    if r0 == 0:
        return "converges" if r.max() <= tol else "diverges"
    last, before = r[-k:], r[-2 * k : -k]
    climbing = len(before) > 0 and last.min() > before.max() and last.max() > 1.1 * r0
    if last.max() <= tol * r0:
        return "converges"
    if last.max() >= grow * r0 or climbing:
        return "diverges"
    return "cycles"


def jacobian(method, param=None, theta=0.0, psi=0.0, eps=1e-6):
    """2x2 Jacobian ∂(v1, v2)/∂(θ, ψ) of the continuous field by central differences.

    Rows (v1, v2), columns (θ, ψ). For WGAN the clipping is left out (inactive near ψ = 0 for c > 0).
    WGAN-GP's v2 jumps by 2γg0 across ψ = 0 (sign(ψ) flips), so ∂v2/∂ψ does not exist there:
    that entry is NaN when |ψ| < eps.
    """
    param = _resolve_param(method, param)
    J = np.empty((2, 2))
    for j, (dt, dp) in enumerate(((eps, 0.0), (0.0, eps))):
        plus = vector_field(method, theta + dt, psi + dp, param)
        minus = vector_field(method, theta - dt, psi - dp, param)
        J[:, j] = (np.asarray(plus, float) - np.asarray(minus, float)) / (2 * eps)
    if method == "wgan-gp" and abs(psi) < eps:
        J[1, 1] = np.nan
    return J


def eigenvalues(method, param=None):
    """Eigenvalues (complex) of the Jacobian at the equilibrium (0, 0), largest imaginary part first.

    Closed forms (paper Sec. 2-3): GAN ±i/2 (f'(0) = 1/2: a centre, no convergence); WGAN ±i;
    R1 -γ/2 ± sqrt(γ²/4 - 1/4); consensus -γ/4 ± i/2; instance noise -σ²/4 ± sqrt(σ⁴/16 - 1/4)
    (from ∂v2/∂ψ = 2f''(0)σ² = -σ²/2), real from the critical σ = sqrt(2) on.
    WGAN-GP returns an empty array: its field is discontinuous at ψ = 0, there is no linearisation
    there, and none can predict its (non-)convergence (paper Sec. 3, "WGAN-GP").
    """
    if method == "wgan-gp":
        _resolve_param(method, param)
        return np.array([], dtype=complex)
    ev = np.linalg.eigvals(jacobian(method, param)).astype(complex)
    return ev[np.argsort(-ev.imag, kind="stable")]


def summary(method, scheme="simultaneous", **kw):
    """Plain-Python result of one run (what `python -m gan_core dirac --json` prints).

    theta, psi, norm are the last finite state; eigenvalues are [real, imag] pairs at the equilibrium.
    """
    trajectory = simulate(method, scheme, **kw)
    theta, psi = trajectory[np.isfinite(trajectory).all(axis=1)][-1]
    return {
        "theta": float(theta),
        "psi": float(psi),
        "norm": float(np.hypot(theta, psi)),
        "eigenvalues": [[float(z.real), float(z.imag)] for z in eigenvalues(method, kw.get("param"))],
        "verdict": verdict(trajectory),
        **({PARAM_NAME[method]: _resolve_param(method, kw.get("param"))} if method in PARAM_NAME else {}),
    }


def quiver_grid(method, param=None, n=10, lim=2.0):
    """(theta_grid, psi_grid, v1, v2), each (n, n), on linspace(-lim, lim, n)^2; θ varies along x (columns)."""
    theta_grid, psi_grid = np.meshgrid(np.linspace(-lim, lim, n), np.linspace(-lim, lim, n))
    with np.errstate(all="ignore"):
        v1, v2 = vector_field(method, theta_grid, psi_grid, param)
    return theta_grid, psi_grid, np.broadcast_to(v1, theta_grid.shape), np.broadcast_to(v2, theta_grid.shape)
