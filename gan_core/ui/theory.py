"""The Theory page's helpers: Dirac-GAN explorer, loss explainer, maths with live numbers, FAQ.

Dirac numbers: gan_core.dirac.summary with the CLI's arguments (page and `python -m gan_core dirac` agree).
Live numbers: one fixed batch through the session's Playground run (gan_core.views.fixed_batch)."""

from __future__ import annotations

import json
import re

import numpy as np
import streamlit as st

from gan_core import dirac, losses
from gan_core.figures import dirac as fd
from gan_core.figures import losses as fl
from gan_core.views import fixed_batch

from .i18n import lang, sections, t
from .panels import PLOT

# (min, max, step) of the method's one parameter; None: the method has none.
PARAM_RANGE = {"gan": None, "non-saturating": None, "wgan": (0.05, 5.0, 0.05), "wgan-gp": (0.0, 5.0, 0.1),
               "instance-noise": (0.0, 3.0, 0.1), "r1": (0.0, 5.0, 0.1), "consensus": (0.0, 5.0, 0.1)}
DIRAC_DEFAULTS = {"dirac_method": "gan", "dirac_scheme": "simultaneous", "dirac_h": 0.2, "dirac_d_steps": 1,
                  "dirac_param": 0.0, "dirac_steps": 500, "dirac_theta": 1.0, "dirac_psi": 1.0}


# ---- Dirac-GAN ---------------------------------------------------------------------------------
def _reset_param(key: str = "dirac_method") -> None:
    st.session_state.dirac_param = dirac.DEFAULT_PARAM[st.session_state[key]]


def _translated_choice(widget, name: str, options, **kw):
    """A selectbox / radio with translated options, one widget per language (Streamlit 1.67 keeps a keyed widget's
    old option text when format_func changes); the value lives on in st.session_state[name]."""
    key = f"{name}_{lang()}"
    st.session_state.setdefault(key, st.session_state[name])
    st.session_state[name] = widget(options=options, key=key, **kw)
    return st.session_state[name]


def dirac_controls() -> dict:
    """The explorer's widgets; returns the keyword arguments of dirac.simulate / dirac.summary."""
    for key, value in DIRAC_DEFAULTS.items():
        st.session_state.setdefault(key, value)
    c = st.columns([3, 3, 2, 2])
    method = _translated_choice(c[0].selectbox, "dirac_method", dirac.METHODS, label=t("theory.dirac.method"),
                                format_func=lambda m: t(f"theory.method.{m}"), help=t("theory.dirac.method_help"),
                                on_change=_reset_param, args=(f"dirac_method_{lang()}",))
    scheme = _translated_choice(c[1].radio, "dirac_scheme", dirac.SCHEMES, label=t("theory.dirac.scheme"),
                                format_func=lambda s: t(f"theory.scheme.{s}"), help=t("theory.dirac.scheme_help"),
                                horizontal=True)
    rng = PARAM_RANGE[method]
    if rng and not rng[0] <= st.session_state.dirac_param <= rng[1]:
        _reset_param()
    lo, hi, step = rng or (0.0, 1.0, 0.1)
    param = c[2].number_input(t(f"theory.gamma.{method}"), min_value=lo, max_value=hi, step=step, key="dirac_param",
                              disabled=rng is None, help=t(f"theory.gamma_help.{method}"), format="%.2f")
    steps = c[3].number_input(t("theory.dirac.steps"), 10, 2000, step=10, key="dirac_steps")
    c = st.columns(4)
    h = c[0].slider(t("theory.dirac.h"), 0.01, 1.0, step=0.01, key="dirac_h", help=t("theory.dirac.h_help"))
    d_steps = c[1].slider(t("theory.dirac.d_steps"), 1, 10, key="dirac_d_steps", help=t("theory.dirac.d_steps_help"))
    theta = c[2].number_input(t("theory.dirac.theta"), -2.0, 2.0, step=0.1, key="dirac_theta", format="%.2f")
    psi = c[3].number_input(t("theory.dirac.psi"), -2.0, 2.0, step=0.1, key="dirac_psi", format="%.2f")
    return dict(method=method, scheme=scheme, d_steps=int(d_steps), param=None if rng is None else float(param),
                h=float(h), steps=int(steps), start=(float(theta), float(psi)))


@st.cache_data(max_entries=64, show_spinner=False)
def dirac_run(method, scheme, d_steps, param, h, steps, start):
    """(summary, trajectory, quiver grid, spectral radius of one step); pure numbers, so safe to share."""
    kw = dict(d_steps=d_steps, param=param, h=h, steps=steps, start=start)
    summary = dirac.summary(method, scheme, **kw)  # exactly what the CLI prints
    trajectory = dirac.simulate(method, scheme, **kw)
    radius = step_radius(method, scheme, d_steps, param, h)
    return summary, trajectory, dirac.quiver_grid(method, param), radius, dirac.run_factor(trajectory)


def step_radius(method, scheme, d_steps, param, h, eps=1e-6) -> float | None:
    """Spectral radius of one training step (G step, then d_steps D steps) linearised at (0, 0): the factor by
    which the distance grows (> 1) or shrinks (< 1) per step near it. None for WGAN-GP (not differentiable)."""
    if method == "wgan-gp":
        return None
    def one_step(start):
        return dirac.simulate(method, scheme, d_steps=d_steps, param=param, h=h, steps=1, start=tuple(start))[1]
    J = np.stack([(one_step(e) - one_step(-e)) / (2 * eps) for e in np.eye(2) * eps], axis=1)  # columns: ∂/∂θ, ∂/∂ψ
    return float(np.abs(np.linalg.eigvals(J)).max())


def _num(x: float) -> str:
    """Shortest text that reads back as exactly x (so the CLI reproduces the page's numbers)."""
    return f"{x:g}" if float(f"{x:g}") == x else repr(float(x))


def cli_command(kw: dict, method: str, scheme: str) -> str:
    param = "" if kw["param"] is None else f" --{dirac.PARAM_NAME[method]} {_num(kw['param'])}"
    return (f"python -m gan_core dirac --method {method} --scheme {scheme} --d-steps {kw['d_steps']}{param}"
            f" --h {_num(kw['h'])} --steps {kw['steps']} --start {_num(kw['start'][0])} {_num(kw['start'][1])}"
            " --json")


def format_eigenvalues(pairs) -> str:
    """[[re, im], [re, im]] -> 'a ± bi' (a conjugate pair: the Jacobian is real) or 'a, b'; '' for none."""
    def g(v):
        return f"{0.0 if abs(v) < 1e-9 else v:.3g}"
    if pairs and abs(pairs[0][1]) > 1e-9:
        return f"{g(pairs[0][0])} ± {g(abs(pairs[0][1]))}i"
    return ", ".join(g(re) for re, _ in pairs)


def dirac_view(kw: dict) -> dict:
    """Run (cached) and draw the explorer; returns the summary it shows."""
    method, scheme = kw.pop("method"), kw.pop("scheme")
    summary, trajectory, grid, radius, factor = dirac_run(method, scheme, **kw)
    c = st.columns(4)
    c[0].metric(t("theory.dirac.verdict"), t(f"theory.verdict.{summary['verdict']}"), border=True)
    c[1].metric(t("theory.dirac.norm"), f"{summary['norm']:.4g}", border=True, help=t("theory.dirac.norm_help"))
    c[2].metric(t("theory.dirac.eig"), format_eigenvalues(summary["eigenvalues"]) or t("theory.dirac.no_eig"),
                border=True, help=t("theory.dirac.eig_help"))
    c[3].metric(t("theory.dirac.factor"), "–" if factor is None else f"{factor:.4f}", border=True,
                help=t("theory.dirac.factor_help"))
    st.markdown(_why(summary, radius, scheme, method))
    title = f"{t(f'theory.method.{method}')} · {t(f'theory.scheme.{scheme}')}"
    left, right = st.columns(2)
    labels = {name: {k: t(f"theory.fig.{name}.{k}") for k in d} for name, d in
              (("field", fd.FIELD_LABELS), ("norm", fd.NORM_LABELS))}
    left.plotly_chart(fd.dirac_field_figure(grid, trajectory, title, labels=labels["field"]),
                      key="fig_dirac_field", **PLOT)
    right.plotly_chart(fd.dirac_norm_figure(dirac.norms(trajectory), t("theory.dirac.norm_title"),
                                            labels=labels["norm"]), key="fig_dirac_norm", **PLOT)
    st.markdown(sections("theory/dirac_methods", level=3).get(method, ""))
    st.caption(t("theory.dirac.cli"))
    st.code(cli_command(kw, method, scheme), language="bash")
    st.code(json.dumps(summary), language="json", wrap_lines=True)
    return summary


def _why(summary: dict, radius: float | None, scheme: str, method: str = "gan") -> str:
    """In words: what the eigenvalues and the linearised per-step factor predict near the equilibrium, what
    the non-saturating field does away from it, and what the trajectory did."""
    res = [re for re, _ in summary["eigenvalues"]]
    linear = t("theory.why.no_eig") if not res else t(
        "theory.why.damped" if max(res) < -1e-9 else "theory.why.rotation", re=f"{max(res):.3g}")
    kind = "" if radius is None else "out" if radius > 1 + 1e-6 else "in" if radius < 1 - 1e-6 else "one"
    step = t(f"theory.why.radius_{kind}", r=f"{radius:.4f}", scheme=t(f"theory.scheme.{scheme}")) if kind else ""
    damped = t("theory.why.ns_damped") if method == "non-saturating" else ""
    return " ".join(x for x in (linear, step, damped, t(f"theory.why.result.{summary['verdict']}")) if x)


# ---- live numbers from the Playground's run --------------------------------------------------------
def live_batch(runner, n: int = 256) -> dict | None:
    """D's outputs on a fixed batch of the session's run (snapshot.fixed_batch), with the logistic values."""
    if runner is None:
        return None
    b = runner.call(fixed_batch, n)
    return {**b, "d_real": 0.5 * (1 + np.tanh(0.5 * b["real"])), "d_fake": 0.5 * (1 + np.tanh(0.5 * b["fake"]))}


def _p(v: float) -> str:
    return f"({v:.3f})" if v < 0 else f"{v:.3f}"


def plugged(b: dict) -> dict:
    """The run's L_D and L_G as LaTeX: formula, then the batch's numbers plugged in; totals in float64 from
    the raw outputs (softplus of logits, never log(sigmoid)), to compare with the engine's d_loss/g_loss."""
    r, f, loss = b["real"], b["fake"], b["loss"]
    if loss in losses.LOG_LOSSES:
        sp = np.logaddexp  # sp(0, l) = softplus(l) = -log(1 - sigmoid(l)), exact for any l
        a, c, e = -sp(0, -r).mean(), -sp(0, f).mean(), -sp(0, -f).mean()  # E log D(x), E log(1 - D(G)), E log D(G)
        out = {"d": -a - c, "d_tex": rf"L_D = -{_p(a)} - {_p(c)} = {-a - c:.3f}", "a": a, "c": c,
               "seed": -a + c, "seed_tex": rf"-{_p(a)} + {_p(c)} = {-a + c:.3f}"}
        if loss == "minimax":
            return {**out, "g": c, "g_tex": rf"L_G = {c:.3f}"}
        return {**out, "g": -e, "g_tex": rf"L_G = -{_p(e)} = {-e:.3f}"}
    mr, mf = r.mean(), f.mean()
    g = {"g": -mf, "g_tex": rf"L_G = -{_p(mf)} = {-mf:.3f}"}
    if loss == "lsgan":
        u, v, w = ((r - 1) ** 2).mean(), (f**2).mean(), ((f - 1) ** 2).mean()
        return {"d": (u + v) / 2, "d_tex": rf"L_D = \tfrac12 \cdot {u:.3f} + \tfrac12 \cdot {v:.3f} = {(u + v) / 2:.3f}",
                "g": w / 2, "g_tex": rf"L_G = \tfrac12 \cdot {w:.3f} = {w / 2:.3f}"}
    if loss == "hinge":
        u, v = np.maximum(1 - r, 0).mean(), np.maximum(1 + f, 0).mean()
        return {"d": u + v, "d_tex": rf"L_D = {u:.3f} + {v:.3f} = {u + v:.3f}", **g}
    d, tex = mf - mr, rf"L_D = {_p(mf)} - {_p(mr)}"
    if loss == "wgan-gp":
        lam = b["config"].gp_lambda
        d, tex = d + lam * b["gp"], tex + rf" + {lam:g} \cdot {b['gp']:.3f}"
    return {"d": d, "d_tex": tex + rf" = {d:.3f}", **g}


_CRITIC_G = r", \quad L_G = -\mathbb{E}_z[D(G(z))]"
FORMULAS = {  # REFERENCE.md section 1; D(·) is the raw output for lsgan / wgan / hinge
    "log": r"L_D = -\mathbb{E}_x[\log D(x)] - \mathbb{E}_z[\log(1 - D(G(z)))]",
    "minimax": r"L_G = \mathbb{E}_z[\log(1 - D(G(z)))]",
    "non-saturating": r"L_G = -\mathbb{E}_z[\log D(G(z))]",
    "lsgan": r"L_D = \tfrac12\mathbb{E}_x[(D(x) - 1)^2] + \tfrac12\mathbb{E}_z[D(G(z))^2], \quad "
             r"L_G = \tfrac12\mathbb{E}_z[(D(G(z)) - 1)^2]",
    "wgan": r"L_D = \mathbb{E}_z[D(G(z))] - \mathbb{E}_x[D(x)]" + _CRITIC_G,
    "wgan-gp": r"L_D = \mathbb{E}_z[D(G(z))] - \mathbb{E}_x[D(x)] + \lambda\,\mathbb{E}_{\hat x}"
               r"[(\lVert\nabla D(\hat x)\rVert - 1)^2]" + _CRITIC_G,
    "hinge": r"L_D = \mathbb{E}_x[\max(0, 1 - D(x))] + \mathbb{E}_z[\max(0, 1 + D(G(z)))]" + _CRITIC_G,
}


def no_run_notice() -> None:
    st.info(t("theory.no_run"))
    if "playground" in st.session_state.get("pages", {}):
        st.page_link(st.session_state.pages["playground"], label=t("theory.to_playground"), icon="🕹️")


def loss_explainer(batch: dict | None) -> None:
    d_fake = None if batch is None else batch["d_fake"]
    fig = fl.loss_figure(d_fake, labels={k: t(f"theory.lossfig.{k}") for k in fl.DEFAULT_LABELS})
    st.plotly_chart(fig, key="fig_losses", **PLOT)
    if batch is None:
        return no_run_notice()
    st.caption(t("theory.loss.dots", n=batch["n"], step=batch["step"], loss=batch["loss"]))
    if batch["loss"] not in losses.LOG_LOSSES:
        st.info(t("theory.loss.not_log", loss=batch["loss"]))
    grads = fl.batch_gradients(d_fake)
    for col, (name, value) in zip(st.columns(len(grads)), grads.items()):
        col.metric(t(f"theory.lossfig.{name}"), f"{value:.3f}", help=t("theory.loss.grad_help"), border=True)
    vanishing = grads["minimax"] < 0.5 * grads["non-saturating"]  # D rejects most fakes
    st.markdown(t("theory.loss.reading", mean=f"{d_fake.mean():.3f}", mm=f"{grads['minimax']:.3f}",
                  ns=f"{grads['non-saturating']:.3f}") + " " + t(f"theory.loss.{'vanishing' if vanishing else 'balanced'}"))


def maths_view(batch: dict | None) -> None:
    """The run's loss as formulas, then with this batch's numbers, checked against the engine; the seed's
    sign error and the DCGAN tutorial's print with the same numbers."""
    loss = "non-saturating" if batch is None else batch["loss"]
    st.markdown(t("theory.maths.intro", loss=loss))
    for tex in ([FORMULAS["log"]] if loss in losses.LOG_LOSSES else []) + [FORMULAS[loss]]:
        st.latex(tex)
    if batch is None:
        return no_run_notice()
    p, log = plugged(batch), loss in losses.LOG_LOSSES
    st.markdown(t("theory.maths.live", n=batch["n"], step=batch["step"]))
    st.latex(r"\begin{aligned}" + p["d_tex"].replace("=", "&=", 1) + r"\\" + p["g_tex"].replace("=", "&=", 1)
             + r"\end{aligned}")
    if log:
        st.markdown(t("theory.maths.terms", a=f"{p['a']:.3f}", c=f"{p['c']:.3f}", n=batch["n"],
                      dx=f"{batch['d_real'].mean():.3f}", dg=f"{batch['d_fake'].mean():.3f}"))
    ok = np.allclose([p["d"], p["g"]], [batch["d_loss"], batch["g_loss"]], rtol=1e-4, atol=1e-4)
    (st.success if ok else st.warning)(t("theory.maths.check", d=f"{batch['d_loss']:.4f}", g=f"{batch['g_loss']:.4f}"))
    cfg = batch["config"]
    extras = [f"{k} = {getattr(cfg, k):g}" for k in ("label_smoothing", "r1_gamma", "instance_noise")
              if getattr(cfg, k) > 0]
    if extras:
        st.caption(t("theory.maths.extras", extras=", ".join(extras)))
    st.subheader(t("theory.maths.seed_title"))
    if log:
        st.markdown(t("theory.maths.seed"))
        st.latex(r"-\mathbb{E}_x[\log D(x)] \;{\color{red}+}\; \mathbb{E}_z[\log(1 - D(G(z)))] = " + p["seed_tex"])
        st.markdown(t("theory.maths.seed_after", right=f"{p['d']:.3f}", wrong=f"{p['seed']:.3f}"))
    else:
        st.markdown(t("theory.maths.seed_other", loss=loss))
    st.subheader(t("theory.maths.dcgan_title"))
    r = batch["last"]
    if r:  # the last step as the PyTorch DCGAN example prints it: D(G(z)) before / after the D update
        st.code(f"[{r['step']}]\tLoss_D: {r['d_loss']:.4f}\tLoss_G: {r['g_loss']:.4f}\tD(x): {r['d_real']:.4f}"
                f"\tD(G(z)): {r['d_fake']:.4f} / {r['d_fake_after']:.4f}", language="text")
        st.markdown(t("theory.maths.dcgan", before=f"{r['d_fake']:.4f}", after=f"{r['d_fake_after']:.4f}"))


# ---- FAQ -------------------------------------------------------------------------------------------
LINK = re.compile(r"\[([^\]]+)\]\(([a-z]+)(?:\?lesson=([a-z-]+))?\)")


def faq() -> None:
    """Each question in an expander; lines with '[label](page?lesson=name)' links ("Try it: ...") follow as their
    own paragraph, links in bold, then an st.page_link each (client-side navigation keeps the session's run)."""
    pages = st.session_state.get("pages", {})
    for i, (question, body) in enumerate(list(sections("faq").items())[1:]):
        tries = [line for line in body.splitlines() if any(m.group(2) in pages for m in LINK.finditer(line))]
        with st.expander(question, expanded=i == 0):
            st.markdown("\n".join(line for line in body.splitlines() if line not in tries))
            for line in tries:
                st.markdown(LINK.sub(lambda m: f"**{m.group(1)}**" if m.group(2) in pages else m.group(0), line))
                for m in (m for m in LINK.finditer(line) if m.group(2) in pages):
                    st.page_link(pages[m.group(2)], label=m.group(1), icon="➡️",
                                 query_params={"lesson": m.group(3)} if m.group(3) else None)
