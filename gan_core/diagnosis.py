"""What went wrong (or right) in a run, read off its recent history and latest metrics.

One label per run, the first rule that fires in this order, from the most certain to the least:

    divergence          the run stopped on NaN / inf
    not-converged-yet   too few steps to judge anything
    vanishing-gradients D rejects every fake AND G's gradient is tiny (the minimax loss's trap)
    oscillation         D(G(z)) swings up and down instead of settling
    mode-collapse       the metrics show at most half the modes / digit classes, or sharp samples
                        that leave some modes empty
    not-converged-yet   no collapse, but the samples are not good yet
    healthy             otherwise

Every rule that fires adds its evidence, so a collapsed run that also oscillates says both, and
the label says which one to fix first. Only the recent window of the history is read: what the
run did 10,000 steps ago says nothing about its state now. The teaching text for each label lives
in assets/<lang>/diagnosis/<label>.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

LABELS = ("healthy", "not-converged-yet", "mode-collapse", "vanishing-gradients", "oscillation", "divergence")

# The window: the last 1,000 steps (a few seconds of dashboard training), or the last half of a
# shorter run, so the run's first steps, when D has not learnt anything yet, never count.
WINDOW_STEPS = 1000
# Below this many steps every GAN looks broken: D is still learning what real data looks like.
MIN_STEPS = 300

# Vanishing gradients. The minimax G loss has dL/dl = -sigmoid(l) = -D(G(z)) per fake logit, so when
# D(G(z)) < 0.05 G receives at most 5% of the push the non-saturating loss would give it.
VANISH_D_FAKE = 0.05
# ... and G's gradient norm (over all its weights) below 1e-3. Measured: working 2-D runs show 0.07-60,
# minimax against a strong D 1e-8 to 1e-5, so the line sits orders of magnitude from both.
VANISH_G_GRAD = 1e-3

# Mode collapse: at most half of the modes (or digit classes) covered, whatever the sample quality.
# With more than half covered it takes good samples too (see HQ_GOOD): a run still on its way misses
# a mode or two while its samples are blurry (not-converged-yet), but sharp samples with empty modes
# mean G has given those modes up (the vanilla GAN's 6-of-8 in PacGAN's table).
COLLAPSE_FRACTION = 0.5

# Oscillation: D(G(z)), smoothed over 25 steps to remove batch-to-batch noise, must span at least
# 0.25 (central 90% of the window) AND cross its own median at least 6 times: a swing, not a trend.
# Measured: settled runs span 0.01-0.06; the oscillation preset 0.2-0.4 with 25-35 crossings.
SMOOTH_STEPS = 25
OSC_AMPLITUDE = 0.25
OSC_MIN_CROSSINGS = 6

# Which label wins when several rules fire (all their evidence is kept). Oscillation before collapse:
# while G is being thrown about, its mode coverage changes from one moment to the next, so calm the
# dynamics first. Collapsed runs measured here swing by 0.05-0.17 at most, below OSC_AMPLITUDE.
PRIORITY = ("vanishing-gradients", "oscillation", "mode-collapse", "not-converged-yet")

# "Good samples": at least half the samples within 3 std of a mode (the VEEGAN / PacGAN quality test),
# or a digits classifier score at least 75% of what the real digits score.
HQ_GOOD = 0.5
SCORE_RATIO_GOOD = 0.75


# Every evidence line's English text (the CLI, JSON and saved runs show these). The dashboard shows the same
# facts in the session's language from its own table (keys "evidence.<key>", the same placeholders).
EVIDENCE = {
    "too_early": "only {steps} steps so far; judge after {min_steps}",
    "vanish_d_fake": "D(G(z)) = {d_fake:.3g} over the last {n} steps: D rejects almost every fake",
    "vanish_g_grad": "G's gradient norm = {g_grad:.2g} (below {limit:g}): almost no signal reaches G",
    "loss_is": "loss is {loss}",
    "loss_is_minimax": "loss is minimax: its G gradient is -D(G(z)) per fake, near 0 here",
    "covered_modes": "{covered} of {total} modes covered",
    "covered_classes": "{covered} of {total} digit classes covered",
    "missing_modes": "{covered} of {total} modes covered: the samples are good, but {missing} are missing",
    "missing_classes": "{covered} of {total} digit classes covered: the samples are good, but {missing} are missing",
    "swing": "D(G(z)) swings between {lo:.2f} and {hi:.2f} over the last {n} steps "
             "(crossing its median {crossings} times)",
    "loss_range": "{net} loss from {lo:.2f} to {hi:.2f}",
    "no_losses": "no finite losses in the window",
    "d_values": "D(x) = {d_real:.2f}, D(G(z)) = {d_fake:.2f} over the last {n} steps",
    "no_metrics": "no quality metrics yet: judged by the losses alone",
    "hq": "{hq:.0%} of samples within 3 std of a mode (good from {good:.0%})",
    "digits_score": "digits score {score:.2f} vs {real:.2f} for real digits ({ratio:.0%})",
    "stopped": "training stopped at step {steps}: a value became NaN or infinite",
    "grad_reached": "{net}'s gradient norm reached {top:.3g} (last finite {last:.3g})",
}


class Evidence(str):
    """One evidence line: its English text, which also keeps its EVIDENCE key and numbers for translation."""

    def __new__(cls, key: str, **params):
        self = super().__new__(cls, EVIDENCE[key].format(**params))
        self.key, self.params = key, params
        return self

    def __getnewargs_ex__(self):  # copy and pickle rebuild it from the key and numbers
        return (self.key,), self.params


@dataclass(frozen=True)
class Diagnosis:
    label: str
    evidence: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"label": self.label, "evidence": [str(e) for e in self.evidence]}


def diagnose(history: dict[str, np.ndarray], metrics: dict | None, status: str, loss: str,
             modes_total: int | None = None) -> Diagnosis:
    """history: History.columns() (NaNs allowed); metrics: the latest metrics dict or None;
    status: "ok" | "diverged"; loss: the loss name (the vanishing-gradients rule names it)."""
    steps = _last_step(history)
    if status == "diverged":
        return Diagnosis("divergence", _divergence_evidence(history, steps))
    if steps < MIN_STEPS:
        return Diagnosis("not-converged-yet", [Evidence("too_early", steps=steps, min_steps=MIN_STEPS)])

    win = _window(history, steps)
    n = int(steps - win["step"][0] + 1) if len(win["step"]) else 0
    fired: dict[str, list[Evidence]] = {}

    d_fake = _nanmedian(win.get("d_fake_after", win.get("d_fake")))
    g_grad = _nanmedian(win.get("g_grad_norm"))
    if d_fake < VANISH_D_FAKE and g_grad < VANISH_G_GRAD:
        fired["vanishing-gradients"] = [
            Evidence("vanish_d_fake", d_fake=d_fake, n=n),
            Evidence("vanish_g_grad", g_grad=g_grad, limit=VANISH_G_GRAD),
            Evidence("loss_is_minimax") if loss == "minimax" else Evidence("loss_is", loss=loss),
        ]

    coverage = _coverage(metrics, modes_total)
    quality = _quality(metrics)
    good = quality is not None and quality[0]
    if coverage is not None:
        covered, total, what = coverage
        if covered <= COLLAPSE_FRACTION * total:
            fired["mode-collapse"] = [Evidence(f"covered_{what}", covered=covered, total=total)]
        elif covered < total and good:  # sharp samples, yet some modes stay empty: G gave up on them
            fired["mode-collapse"] = [Evidence(f"missing_{what}", covered=covered, total=total,
                                               missing=total - covered)]

    swing = _swing(win.get("d_fake"))
    if swing is not None:
        lo, hi, crossings = swing
        if hi - lo >= OSC_AMPLITUDE and crossings >= OSC_MIN_CROSSINGS:
            fired["oscillation"] = [Evidence("swing", lo=lo, hi=hi, n=n, crossings=crossings),
                                    *_loss_ranges(win)]

    if quality is not None and not good:
        fired["not-converged-yet"] = [quality[1]]

    for label in PRIORITY:
        if label in fired:
            return Diagnosis(label, [e for lines in fired.values() for e in lines])
    evidence = [Evidence("d_values", d_real=_nanmedian(win.get("d_real")), d_fake=d_fake, n=n)]
    if coverage is not None:
        evidence.append(Evidence(f"covered_{coverage[2]}", covered=coverage[0], total=coverage[1]))
    evidence.append(quality[1] if quality is not None else Evidence("no_metrics"))
    return Diagnosis("healthy", evidence)


def diagnose_trainer(trainer) -> Diagnosis:
    """Diagnose a Trainer as it stands (its latest metrics, not fresh ones: those cost time)."""
    metrics = trainer.metrics_history[-1] if trainer.metrics_history else None
    modes = trainer.data.modes
    return diagnose(trainer.history.columns(), metrics, trainer.status, trainer.config.loss,
                    None if modes is None else len(modes))


# ---- pieces ------------------------------------------------------------------------------------


def _last_step(history: dict) -> int:
    step = np.asarray(history.get("step", []), dtype=np.float64)
    step = step[np.isfinite(step)]
    return int(step.max()) if step.size else 0


def _window(history: dict, steps: int) -> dict[str, np.ndarray]:
    width = min(WINDOW_STEPS, max(1, steps // 2))
    step = np.asarray(history["step"], dtype=np.float64)
    keep = step > steps - width
    return {k: np.asarray(v, dtype=np.float64)[keep] for k, v in history.items()}


def _nanmedian(x) -> float:
    x = np.asarray(x if x is not None else [], dtype=np.float64)
    x = x[np.isfinite(x)]
    return float(np.median(x)) if x.size else float("nan")


def _swing(x) -> tuple[float, float, int] | None:
    """(5th, 95th percentile, median crossings) of x smoothed over SMOOTH_STEPS; None if too short."""
    x = np.asarray(x if x is not None else [], dtype=np.float64)
    x = x[np.isfinite(x)]
    if x.size < 4 * SMOOTH_STEPS:
        return None
    smooth = np.convolve(x, np.ones(SMOOTH_STEPS) / SMOOTH_STEPS, mode="valid")
    above = smooth > np.median(smooth)
    crossings = int(np.count_nonzero(above[1:] != above[:-1]))
    lo, hi = np.percentile(smooth, [5, 95])
    return float(lo), float(hi), crossings


def _loss_ranges(win: dict) -> list[Evidence]:
    parts = []
    for key, net in (("d_loss", "D"), ("g_loss", "G")):
        x = win.get(key, np.array([]))
        x = x[np.isfinite(x)]
        if x.size:
            lo, hi = np.percentile(x, [5, 95])
            parts.append(Evidence("loss_range", net=net, lo=float(lo), hi=float(hi)))
    return parts or [Evidence("no_losses")]


def _coverage(metrics: dict | None, modes_total: int | None) -> tuple[int, int, str] | None:
    if not metrics:
        return None
    if "classes_covered" in metrics:
        return int(metrics["classes_covered"]), len(metrics.get("class_counts", [])) or 10, "classes"
    total = metrics.get("modes_total", modes_total)
    if "modes_covered" in metrics and total:
        return int(metrics["modes_covered"]), int(total), "modes"
    return None


def _quality(metrics: dict | None) -> tuple[bool, Evidence] | None:
    """(good enough?, evidence) from hq_fraction or the digits score ratio; None without them."""
    if not metrics:
        return None
    if "hq_fraction" in metrics:
        hq = float(metrics["hq_fraction"])
        return hq >= HQ_GOOD, Evidence("hq", hq=hq, good=HQ_GOOD)
    if "digits_score" in metrics and metrics.get("digits_score_real"):
        ratio = float(metrics["digits_score"]) / float(metrics["digits_score_real"])
        return ratio >= SCORE_RATIO_GOOD, Evidence("digits_score", score=float(metrics["digits_score"]),
                                                   real=float(metrics["digits_score_real"]), ratio=ratio)
    return None


def _divergence_evidence(history: dict, steps: int) -> list[Evidence]:
    evidence = [Evidence("stopped", steps=steps)]
    for key, name in (("d_grad_norm", "D"), ("g_grad_norm", "G")):
        x = np.asarray(history.get(key, []), dtype=np.float64)
        finite = x[np.isfinite(x)]
        if finite.size:
            evidence.append(Evidence("grad_reached", net=name, top=float(finite.max()), last=float(finite[-1])))
    return evidence
