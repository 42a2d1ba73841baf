"""Theory page: loads in both languages; the Dirac-GAN explorer shows exactly what gan_core.dirac.summary and
the CLI give; the loss explainer and the maths tab work with and without a Playground run, and their numbers
equal the engine's losses; the loss figure's structure; one browser test in headless Chromium."""

import json
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from streamlit.testing.v1 import AppTest

from gan_core import Config, dirac, losses
from gan_core.figures import losses as fl
from gan_core.host.runner import Runner
from gan_core.ui import theory
from gan_core.ui.i18n import table

ROOT = Path(__file__).resolve().parents[1]
EN, ZH = table("en"), table("zh")


def open_theory(lang="en", playground_step=False) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    # The language comes as a shared link's ?lang=: AppTest drops the sidebar's language radio from its
    # element tree after st.navigation switches pages. The browser test uses the radio itself.
    at.query_params["lang"] = lang
    at.run()
    if playground_step:  # a Playground run in session state, one step old
        at.switch_page("pages/playground.py").run()
        at.button(key="btn_step").click().run()
    at.switch_page("pages/theory.py").run()
    assert not at.exception, at.exception
    return at


def metric(at, key) -> str:
    return next(m.value for m in at.metric if m.label == EN[key])


def shown(at) -> tuple[str, dict]:
    """The CLI command and the JSON the Dirac tab shows."""
    codes = [c.value for c in at.code]
    command = next(c for c in codes if c.startswith("python -m gan_core dirac"))
    return command, json.loads(next(c for c in codes if c.startswith('{"theta"')))


# ---- AppTest -------------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["en", "zh"])
def test_page_loads_in_both_languages(lang):
    at = open_theory(lang)
    tr = ZH if lang == "zh" else EN
    assert at.title[0].value == tr["theory.title"]
    tabs = ("dirac", "losses", "maths", "foundations", "code", "pitfalls", "faq")
    assert [tab.label for tab in at.tabs] == [tr[f"theory.tab.{k}"] for k in tabs]
    assert len(at.get("plotly_chart")) == 3  # Dirac field, distance, loss explainer
    assert len(at.expander) == 6  # the FAQ
    text = " ".join(m.value for m in at.markdown)
    assert ("均衡点" in text) if lang == "zh" else ("equilibrium" in text)


def test_dirac_controls_update_the_numbers_which_equal_summary_and_the_cli():
    at = open_theory()
    # The paper's defaults: plain GAN, simultaneous steps spiral outward (eigenvalues ±i/2).
    assert metric(at, "theory.dirac.verdict") == EN["theory.verdict.diverges"]
    assert metric(at, "theory.dirac.eig") == "0 ± 0.5i"
    command, numbers = shown(at)
    assert numbers == dirac.summary("gan", "simultaneous", d_steps=1, param=None, h=0.2, steps=500, start=(1.0, 1.0))
    assert command == "python -m gan_core dirac --method gan --scheme simultaneous --d-steps 1 --h 0.2 --steps 500 --start 1 1 --json"

    at.radio(key="dirac_scheme_en").set_value("alternating").run()  # alternating: a closed orbit
    assert metric(at, "theory.dirac.verdict") == EN["theory.verdict.cycles"]
    assert metric(at, "theory.dirac.factor") == "1.0000"

    at.selectbox(key="dirac_method_en").set_value("non-saturating").run()  # damped away from 0: creeps in
    factor = dirac.run_factor(dirac.simulate("non-saturating", "alternating"))
    assert metric(at, "theory.dirac.factor") == f"{factor:.4f}" and factor < 0.999  # the tile agrees with the run
    assert EN["theory.why.ns_damped"] in " ".join(m.value for m in at.markdown)

    at.selectbox(key="dirac_method_en").set_value("r1").run()  # R1 adds damping: -γ/2 ± sqrt(γ²/4 - 1/4)
    assert at.number_input(key="dirac_param").value == pytest.approx(dirac.DEFAULT_PARAM["r1"])
    assert metric(at, "theory.dirac.verdict") == EN["theory.verdict.converges"]
    assert metric(at, "theory.dirac.eig") == "-0.15 ± 0.477i"

    at.number_input(key="dirac_param").set_value(1.0)
    at.slider(key="dirac_h").set_value(0.1)
    at.slider(key="dirac_d_steps").set_value(2)
    at.number_input(key="dirac_steps").set_value(300)
    at.number_input(key="dirac_theta").set_value(-0.5)
    at.number_input(key="dirac_psi").set_value(1.5).run()
    assert not at.exception
    assert metric(at, "theory.dirac.eig") == "-0.5, -0.5"  # the critical gamma: a double real eigenvalue
    command, numbers = shown(at)
    assert numbers == dirac.summary("r1", "alternating", d_steps=2, param=1.0, h=0.1, steps=300, start=(-0.5, 1.5))
    cli = subprocess.run([sys.executable, *command.split()[1:]], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert cli.returncode == 0, cli.stderr
    assert json.loads(cli.stdout) == numbers  # the page and `python -m gan_core dirac` agree exactly

    at.selectbox(key="dirac_method_en").set_value("wgan-gp").run()  # discontinuous at ψ = 0: no eigenvalues
    assert metric(at, "theory.dirac.eig") == EN["theory.dirac.no_eig"]
    assert metric(at, "theory.dirac.factor") != "–"  # measured on the run even without a linearisation
    assert at.number_input(key="dirac_param").value == pytest.approx(dirac.DEFAULT_PARAM["wgan-gp"])
    assert "--gamma 0.7" in shown(at)[0]


def test_loss_explainer_and_maths_without_a_run():
    at = open_theory()
    assert len(at.get("plotly_chart")) == 3  # the loss explainer's curves are drawn without a run too
    notices = [i.value for i in at.info]
    assert notices.count(EN["theory.no_run"]) == 3  # loss explainer, maths and foundations tabs
    assert [p.label for p in at.page_link].count(EN["theory.to_playground"]) == 3
    formulas = [x.value for x in at.latex]
    assert [f.strip("$\n") for f in formulas] == [theory.FORMULAS["log"], theory.FORMULAS["non-saturating"]]
    assert not at.success  # no live numbers to check


def test_live_numbers_with_a_playground_run():
    at = open_theory(playground_step=True)
    runner = at.session_state.runner
    assert runner.trainer.step_count == 1
    batch = theory.live_batch(runner)
    real, fake = torch.tensor(batch["real"]), torch.tensor(batch["fake"])
    d_loss = losses.d_loss("non-saturating", real, fake).item()
    g_loss = losses.g_loss("non-saturating", fake).item()
    live = next(x.value for x in at.latex if "aligned" in x.value)  # L_D &= ... \\ L_G &= ...
    assert f"= {d_loss:.3f}" + r"\\" in live and live.strip("$\n").endswith(f"= {g_loss:.3f}" + r"\end{aligned}"), live
    assert [s.value for s in at.success] == [EN["theory.maths.check"].format(d=f"{d_loss:.4f}", g=f"{g_loss:.4f}")]
    last = runner.trainer.history.last()
    assert any(f"Loss_D: {last['d_loss']:.4f}" in c.value and " / " in c.value for c in at.code)
    # Loss explainer: the batch's dots and the mean gradient per logit of each cost.
    grads = fl.batch_gradients(batch["d_fake"])
    for name, value in grads.items():
        assert metric(at, f"theory.lossfig.{name}") == f"{value:.3f}"
    assert not at.info  # with a run, no "no run" notices


@pytest.mark.parametrize("loss", ["minimax", "lsgan", "wgan-gp", "hinge"])
def test_maths_and_losses_tabs_for_other_losses(loss):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    runner = Runner(Config(loss=loss, seed=1, r1_gamma=1.0 if loss == "minimax" else 0.0))
    runner.do("step")
    at.session_state["runner"] = runner
    at.switch_page("pages/theory.py").run()
    assert not at.exception, at.exception
    assert len(at.success) == 1 and not at.warning  # the plugged-in numbers equal the engine's losses
    formulas = [x.value.strip("$\n") for x in at.latex]
    assert theory.FORMULAS[loss] in formulas
    infos = [i.value for i in at.info]
    assert (EN["theory.loss.not_log"].format(loss=loss) in infos) == (loss != "minimax")
    if loss == "minimax":  # the trainer's R1 penalty is named next to the plain formulas
        assert any("r1_gamma = 1" in c.value for c in at.caption)


# ---- the numbers behind the page -------------------------------------------------------------------

@pytest.mark.parametrize("loss", ["minimax", "non-saturating", "lsgan", "wgan", "wgan-gp", "hinge"])
def test_plugged_in_numbers_equal_the_engine_losses(loss):
    gen = torch.Generator().manual_seed(0)
    real, fake = 3 * torch.randn(256, 1, generator=gen), 3 * torch.randn(256, 1, generator=gen) - 2
    real[0], fake[0] = 60.0, -60.0  # far beyond where log(sigmoid) underflows in float32
    gp, cfg = 0.37, SimpleNamespace(gp_lambda=10.0)
    b = {"loss": loss, "real": real.double().numpy().ravel(), "fake": fake.double().numpy().ravel(), "gp": gp,
         "config": cfg}
    p = theory.plugged(b)
    d_expected = losses.d_loss(loss, real, fake).item() + (cfg.gp_lambda * gp if loss == "wgan-gp" else 0.0)
    assert p["d"] == pytest.approx(d_expected, rel=1e-5, abs=1e-5)
    assert p["g"] == pytest.approx(losses.g_loss(loss, fake).item(), rel=1e-5, abs=1e-5)
    assert p["d_tex"].endswith(f"= {p['d']:.3f}") and p["g_tex"].endswith(f"= {p['g']:.3f}")
    if loss in losses.LOG_LOSSES:  # the seed's sign error: -E log D(x) + E log(1 - D(G(z)))
        sp = torch.nn.functional.softplus
        assert p["seed"] == pytest.approx(sp(-real).mean().item() - sp(fake).mean().item(), rel=1e-5)
        assert p["seed"] < p["d"]


def test_live_batch_leaves_the_run_unchanged():
    # Spectral norm (power iteration) and BatchNorm (running statistics) would change in train mode. (Dropout
    # is left out: it draws from torch's global RNG, so two interleaved trainers differ anyway.)
    cfg = Config(seed=3, d_spectral_norm=True, g_batch_norm=True, batch_size=64)
    watched, untouched = Runner(cfg), Runner(cfg)
    for r in (watched, untouched):
        r.do("step")
    batch = theory.live_batch(watched)
    assert batch["step"] == 1 and len(batch["real"]) == 256 and np.isfinite(batch["d_loss"])
    assert watched.trainer.G.training and watched.trainer.D.training
    a, b = watched.do("step"), untouched.do("step")
    a.pop("seconds"), b.pop("seconds")
    assert a == b  # bit for bit: the look at the batch changed nothing in the run


def test_cli_command_round_trips_awkward_floats():
    kw = dict(d_steps=3, param=0.1 + 0.2, h=0.07, steps=40, start=(-1.0, 0.30000000000000004))
    command = theory.cli_command(kw, "consensus", "alternating")
    assert "--gamma 0.30000000000000004" in command and "--start -1 0.30000000000000004" in command
    assert theory.format_eigenvalues([]) == "" and theory.format_eigenvalues([[-0.25, 0.5], [-0.25, -0.5]]) == "-0.25 ± 0.5i"


# ---- the loss figure -----------------------------------------------------------------------------

def test_loss_figure_structure():
    fig = fl.loss_figure()
    assert len(fig.data) == 6  # 3 costs x (cost, gradient)
    assert {tr.legendgroup for tr in fig.data} == set(fl.G_COSTS)
    for tr in fig.data:
        x = np.asarray(tr.x, float)
        assert len(x) == fl.CURVE_POINTS and x.min() > 0 and x.max() < 1
    # Per logit: minimax -D vanishes at D -> 0, non-saturating -(1 - D) -> -1 there.
    grad = {tr.legendgroup: np.asarray(tr.y, float) for tr in fig.data if tr.xaxis == "x2"}
    assert abs(grad["minimax"][0]) < 0.01 and grad["non-saturating"][0] == pytest.approx(-1, abs=0.01)

    d_fake = np.concatenate([np.random.default_rng(0).beta(1, 8, 1000), [np.nan, -0.5, 1.5]])
    fig = fl.loss_figure(d_fake, labels={"batch": "lot"})
    dots = [tr for tr in fig.data if tr.mode == "markers"]
    assert len(dots) == 2 and all(tr.name == "lot" for tr in dots)
    for tr in dots:
        x = np.asarray(tr.x, float)
        assert len(x) == 3 * fl.MAX_DOTS and np.isfinite(x).all() and 0 < x.min() and x.max() < 1
    assert len(fig.to_json()) < 60_000


def test_batch_gradients_are_the_derivative_per_logit():
    d = np.array([0.02, 0.3, 0.9])
    logit, eps = np.log(d / (1 - d)), 1e-6
    grads = fl.batch_gradients(d)
    for name, (cost, _) in fl.G_COSTS.items():
        def sigmoid(v):
            return 1 / (1 + np.exp(-v))
        numeric = (cost(sigmoid(logit + eps)) - cost(sigmoid(logit - eps))) / (2 * eps)
        assert grads[name] == pytest.approx(np.abs(numeric).mean(), rel=1e-5)


def test_loss_figure_module_imports_neither_torch_nor_streamlit():
    code = (
        "import sys, types; pkg = types.ModuleType('gan_core'); pkg.__path__ = [sys.argv[1]]\n"
        "sys.modules['gan_core'] = pkg\n"
        "import gan_core.figures.losses\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'streamlit'))\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code, str(ROOT / "gan_core")], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


# ---- the browser ---------------------------------------------------------------------------------

@pytest.mark.browser
def test_theory_page_in_chromium(server, page):
    from playwright.sync_api import expect

    from tests.browser import shot

    # Home first: on a fresh server whose first session opens /theory directly, Streamlit (pages/ folder
    # present, st.navigation not yet called) runs pages/theory.py alone in its "MPA v1" mode, without app.py.
    page.goto(server + "/")
    expect(page.get_by_role("radio", name="简体中文")).to_be_attached(timeout=30_000)
    page.goto(server + "/theory")
    expect(page.get_by_role("tab", name=EN["theory.tab.dirac"])).to_be_visible(timeout=30_000)
    expect(page.locator(".js-plotly-plot").first).to_be_visible(timeout=90_000)  # plotly's chunk, loaded on demand
    expect(page.get_by_text(EN["theory.verdict.diverges"], exact=True)).to_be_visible()
    # The main action: another method, and the verdict and eigenvalues follow.
    page.get_by_role("combobox").first.click()
    page.get_by_role("option", name=EN["theory.method.r1"]).click()
    expect(page.get_by_text(EN["theory.verdict.converges"], exact=True)).to_be_visible(timeout=30_000)
    expect(page.get_by_text("-0.15 ± 0.477i", exact=True)).to_be_visible()
    shot(page, "theory_dirac_en")
    page.get_by_role("tab", name=EN["theory.tab.losses"]).click()
    expect(page.get_by_role("tabpanel", name=EN["theory.tab.losses"]).get_by_text(EN["theory.no_run"])).to_be_visible()
    shot(page, "theory_losses_en")
    # Both languages: the sidebar radio "Language / 语言"; the chosen method survives the switch.
    page.get_by_text("简体中文").click()
    expect(page.get_by_role("heading", name=ZH["theory.title"])).to_be_visible(timeout=30_000)
    page.get_by_role("tab", name=ZH["theory.tab.dirac"]).click()
    expect(page.get_by_role("combobox", name=ZH["theory.dirac.method"])).to_have_value(ZH["theory.method.r1"])
    expect(page.get_by_text(ZH["theory.verdict.converges"], exact=True)).to_be_visible()
    expect(page.get_by_role("radio", name=ZH["theory.scheme.simultaneous"])).to_be_checked()
    shot(page, "theory_dirac_zh")
    page.get_by_role("tab", name=ZH["theory.tab.faq"]).click()
    expect(page.get_by_text("GAN 和 VAE 有什么区别？")).to_be_visible()
    shot(page, "theory_faq_zh")
