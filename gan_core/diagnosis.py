"""What went wrong (or right) in a run, read off its recent history and latest metrics.

One label per run, the first rule that fires in this order, from the most certain to the least:

    divergence          the run stopped on NaN / inf
    not-converged-yet   too few steps to judge anything
    vanishing-gradients D rejects every fake AND G's gradient is tiny (the log losses' trap)
    oscillation         D(G(z)) swings up and down instead of settling (a critic: the gap D(x) - D(G(z)))
    failed-to-learn     the samples are not on the data: almost none near a mode, or far from the data
                        by the energy distance (datasets without modes)
    mode-collapse       the samples are on the data but on at most half the modes / digit classes, or
                        sharp samples that leave some modes empty
    not-converged-yet   on the data, not collapsed, but the samples are not good yet
    healthy             otherwise

Every rule that fires adds its evidence, so a collapsed run that also oscillates says both, and
the label says which one to fix first. Only the recent window of the history is read: what the
run did 10,000 steps ago says nothing about its state now. The teaching text for each label lives
in assets/<lang>/diagnosis/<label>.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .config import CRITIC_LOSSES

LOG_LOSSES = ("minimax", "non-saturating")  # as losses.LOG_LOSSES (that module needs torch)

LABELS = ("healthy", "not-converged-yet", "mode-collapse", "failed-to-learn", "vanishing-gradients", "oscillation",
          "divergence")

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

# ... and only with at least COLLAPSE_HQ of the samples within 3 std of a mode: collapse means sharp samples
# on few modes. G a single point far from every mode (1 of 8 "covered" by 0.2% of the samples) has not
# collapsed onto the data, it has not reached it: below FAILED_HQ that is failed-to-learn.
COLLAPSE_HQ = 0.25
FAILED_HQ = 0.1

# Oscillation: D(G(z)), smoothed over 25 steps to remove batch-to-batch noise, must span at least
# 0.25 (central 90% of the window) AND cross its own median at least 6 times: a swing, not a trend.
# Measured: settled runs span 0.01-0.06; the oscillation preset 0.2-0.4 with 25-35 crossings.
SMOOTH_STEPS = 25
OSC_AMPLITUDE = 0.25
OSC_MIN_CROSSINGS = 6

# Datasets without modes (moons, swissroll, line, custom) and two-gaussians: the energy distance divided by
# the real reference's own mean distance E|Y-Y'| (metrics "energy_distance_rel", scale-free) and js_grid
# (30x30 over the dataset's bounds). Off the data = both large (failed-to-learn; with modes, hq decides);
# good = a small energy distance (js_grid alone is no judge of good: from a custom set of 40 points, the
# real sample is 40 atoms, and a good G's spread around them scores 0.71); between: not-converged-yet.
# Calibration (seed 0, default 2x64 nets, batch 256, one torch thread; energy distance rel / js_grid at the
# last step; the script: each run trained from its config, then evaluate() on 2,500 samples):
#   good, non-saturating + R1 0.1, lr_g 4e-4, lr_d 1e-3, beta2 0.9 (ring-stable's recipe), 1,500 steps:
#     swissroll 0.0030 / 0.281, line 0.0079 / 0.104, custom 0.0028 / 0.713, two-gaussians 0.0079 / 0.144
#     (hq 0.97, 2 of 2); moons (3,000 steps) 0.0028 / 0.141
#   untrained (the same, lr_g 1e-5, 300 steps): moons 0.365 / 0.951, line 0.341 / 0.691,
#     custom (40 points on two circles) 0.374 / 1.0, two-gaussians 0.593 / 1.0 (hq 0.003)
#   vanishing-gradients recipe (minimax, 5 D steps, SGD G), 600 steps: moons 0.090 / 0.610 (between: G is
#     partly on the data), swissroll 0.364 / 0.682, line 3.72 / 1.0, custom 1.32 / 0.957;
#     two-gaussians 0.715 / 0.355 with hq 0.99 on 1 of 2 modes (collapse, so with modes hq and coverage decide)
#   references without training: two samples of the same moons 0.0003 / 0.051; one moon of the two (a
#     collapsed G on the data) 0.249 / 0.348: on the data, so js stays low; a point at the centre 0.496 / 1.0;
#     a Gaussian blob (std 0.8) over the moons 0.054 / 0.594.
# So good <= 0.02 (good runs 0.003-0.008, the nearest bad 0.054); off the data from 0.3 with js from 0.65
# (bad runs 0.34-3.7 with js 0.68-1.0; a collapsed-but-on-the-data G 0.25 with js 0.35 stays below).
REL_GOOD = 0.02
REL_FAILED, JS_FAILED = 0.3, 0.65

# Which label wins when several rules fire (all their evidence is kept). Oscillation before collapse:
# while G is being thrown about, its mode coverage changes from one moment to the next, so calm the
# dynamics first. Collapsed runs measured here swing by 0.05-0.17 at most, below OSC_AMPLITUDE.
PRIORITY = ("vanishing-gradients", "oscillation", "failed-to-learn", "mode-collapse", "not-converged-yet")

# A critic (WGAN, WGAN-GP, hinge) has a free offset: adding a constant to D changes neither its loss nor its
# penalty, so D(G(z)) alone (raw or squashed) can drift without meaning anything. Its oscillation is read off
# the gap D(x) - D(G(z)), smoothed as above: a swing of at least OSC_GAP (in the critic's own units: with
# WGAN-GP's unit slope, units of distance in the data) AND at least as wide as the gap's median level,
# with OSC_MIN_CROSSINGS median crossings. A wgan-gp ring run whose gap has median 0.017 and wobbles by
# a few hundredths is settled, not oscillating (it was labelled oscillation from sigmoid(D(G(z)))).
OSC_GAP = 0.25

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
    "gap_swing": "the critic's gap D(x) - D(G(z)) swings between {lo:.3g} and {hi:.3g} over the last {n} steps "
                 "(crossing its median {crossings} times)",
    "no_metrics": "no quality metrics yet: judged by the losses alone",
    "hq_failed": "only {hq:.1%} of samples within 3 std of a mode (on the data from {limit:.0%})",
    "distance": "energy distance {rel:.1%} of the data's own spread, js_grid {js:.2f} (thresholds measured on good "
                "and bad runs: good up to {rel_good:.0%}; off the data from {rel_failed:.0%} with js_grid from "
                "{js_failed:.2f})",
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
    # Only the log losses saturate: there d_fake is a probability and G's push per fake is -D(G(z)).
    if loss in LOG_LOSSES and d_fake < VANISH_D_FAKE and g_grad < VANISH_G_GRAD:
        fired["vanishing-gradients"] = [
            Evidence("vanish_d_fake", d_fake=d_fake, n=n),
            Evidence("vanish_g_grad", g_grad=g_grad, limit=VANISH_G_GRAD),
            Evidence("loss_is_minimax") if loss == "minimax" else Evidence("loss_is", loss=loss),
        ]

    coverage = _coverage(metrics, modes_total)
    quality = _quality(metrics)
    good = quality is not None and quality[0]
    hq = float(metrics["hq_fraction"]) if metrics and "hq_fraction" in metrics else None
    hq = 0.0 if hq is not None and not np.isfinite(hq) else hq  # non-finite samples are near no mode
    # Datasets without modes, and two modes (which say little about the shape): the distance metrics.
    distance = _distance(metrics) if coverage is None or (coverage[2] == "modes" and coverage[1] <= 2) else None
    if hq is not None and hq < FAILED_HQ:
        fired["failed-to-learn"] = [Evidence("hq_failed", hq=hq, limit=FAILED_HQ)]
    if distance is not None and distance[0] == "failed" and coverage is None:  # with modes: hq says it
        fired.setdefault("failed-to-learn", []).append(distance[1])
    if coverage is not None and "failed-to-learn" not in fired:
        covered, total, what = coverage
        if covered <= COLLAPSE_FRACTION * total and (hq is None or hq >= COLLAPSE_HQ):
            fired["mode-collapse"] = [Evidence(f"covered_{what}", covered=covered, total=total)]
        elif covered < total and good:  # sharp samples, yet some modes stay empty: G gave up on them
            fired["mode-collapse"] = [Evidence(f"missing_{what}", covered=covered, total=total,
                                               missing=total - covered)]

    swing = _critic_swing(win) if loss in CRITIC_LOSSES else _swing(win.get("d_fake"))
    if swing is not None:
        lo, hi, crossings, wide = swing
        if wide and crossings >= OSC_MIN_CROSSINGS:
            key = "gap_swing" if loss in CRITIC_LOSSES else "swing"
            fired["oscillation"] = [Evidence(key, lo=lo, hi=hi, n=n, crossings=crossings), *_loss_ranges(win)]

    if "failed-to-learn" not in fired:
        if quality is not None and not good:
            fired["not-converged-yet"] = [quality[1]]
        if distance is not None and distance[0] != "good":
            fired.setdefault("not-converged-yet", []).append(distance[1])

    for label in PRIORITY:
        if label in fired:
            evidence = [e for lines in fired.values() for e in lines]
            if coverage is not None and label == "failed-to-learn":
                evidence.append(Evidence(f"covered_{coverage[2]}", covered=coverage[0], total=coverage[1]))
            return Diagnosis(label, evidence)
    evidence = [Evidence("d_values", d_real=_nanmedian(win.get("d_real")), d_fake=d_fake, n=n)]
    if coverage is not None:
        evidence.append(Evidence(f"covered_{coverage[2]}", covered=coverage[0], total=coverage[1]))
    if quality is not None:
        evidence.append(quality[1])
    if distance is not None:
        evidence.append(distance[1])
    if quality is None and distance is None:
        evidence.append(Evidence("no_metrics"))
    return Diagnosis("healthy", evidence)


def diagnose_trainer(trainer) -> Diagnosis:
    """Diagnose a Trainer as it stands (its latest metrics, not fresh ones: those cost time)."""
    metrics = trainer.latest_metrics()
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


def _smoothed(x) -> np.ndarray | None:
    x = np.asarray(x if x is not None else [], dtype=np.float64)
    x = x[np.isfinite(x)]
    if x.size < 4 * SMOOTH_STEPS:
        return None
    return np.convolve(x, np.ones(SMOOTH_STEPS) / SMOOTH_STEPS, mode="valid")


def _swing_stats(smooth: np.ndarray) -> tuple[float, float, int]:
    """(5th, 95th percentile, median crossings) of a smoothed series."""
    above = smooth > np.median(smooth)
    crossings = int(np.count_nonzero(above[1:] != above[:-1]))
    lo, hi = np.percentile(smooth, [5, 95])
    return float(lo), float(hi), crossings


def _swing(x) -> tuple[float, float, int, bool] | None:
    """D(G(z)) smoothed over SMOOTH_STEPS: (5th, 95th percentile, crossings, wide enough?); None if too short."""
    smooth = _smoothed(x)
    if smooth is None:
        return None
    lo, hi, crossings = _swing_stats(smooth)
    return lo, hi, crossings, hi - lo >= OSC_AMPLITUDE


def _critic_swing(win: dict) -> tuple[float, float, int, bool] | None:
    """The same for a critic's gap D(x) - D(G(z)) (offset-free): wide = at least OSC_GAP and its median level."""
    real, fake = win.get("d_real"), win.get("d_fake")
    if real is None or fake is None:
        return None
    smooth = _smoothed(real - fake)
    if smooth is None:
        return None
    lo, hi, crossings = _swing_stats(smooth)
    return lo, hi, crossings, hi - lo >= max(OSC_GAP, abs(float(np.median(smooth))))


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


def _distance(metrics: dict | None) -> tuple[str, Evidence] | None:
    """("good" | "between" | "failed", evidence) from the energy distance relative to the data's own spread
    (scale-free, so one threshold serves every dataset) and js_grid; None without them."""
    if not metrics or "energy_distance_rel" not in metrics or "js_grid" not in metrics:
        return None
    rel, js = float(metrics["energy_distance_rel"]), float(metrics["js_grid"])
    if not (np.isfinite(rel) and np.isfinite(js)):
        return None
    if rel >= REL_FAILED and js >= JS_FAILED:
        verdict = "failed"
    else:
        verdict = "good" if rel <= REL_GOOD else "between"
    return verdict, Evidence("distance", rel=rel, js=js, rel_good=REL_GOOD, rel_failed=REL_FAILED, js_failed=JS_FAILED)


def _divergence_evidence(history: dict, steps: int) -> list[Evidence]:
    evidence = [Evidence("stopped", steps=steps)]
    for key, name in (("d_grad_norm", "D"), ("g_grad_norm", "G")):
        x = np.asarray(history.get(key, []), dtype=np.float64)
        finite = x[np.isfinite(x)]
        if finite.size:
            evidence.append(Evidence("grad_reached", net=name, top=float(finite.max()), last=float(finite[-1])))
    return evidence
