"""The Theory page's Foundations tab (D* = p_data / (p_data + p_g) and C(G) = -log 4 + 2 JSD, checked live on
the session's run) and Code tab (the benchmark's own loop, read from its source, and its output)."""

import inspect
import math
from pathlib import Path
from types import SimpleNamespace

import pytest
import torch
from streamlit.testing.v1 import AppTest

from gan_core import Config, Trainer
from gan_core.data import make_dataset
from gan_core.loop import bare_loop
from gan_core.optimal_d import mixture_density, optimal_d_check
from gan_core.ui.i18n import table

ROOT = Path(__file__).resolve().parents[1]
EN, ZH = table("en"), table("zh")


class Fixed(torch.nn.Module):
    """A 'generator' whose noise z picks row z[0] of fixed points, and a constant-logit discriminator."""

    def __init__(self, points=None, logit=0.0):
        super().__init__()
        self.points, self.logit = points, logit

    def forward(self, x):
        return self.points[x[:, 0].long()] if self.points is not None else torch.full((len(x), 1), self.logit)


def fake_trainer(points, loss="non-saturating"):
    data = make_dataset(Config())
    return SimpleNamespace(data=data, G=Fixed(points), D=Fixed(logit=0.0), eval_z=torch.arange(2000.0)[:, None].repeat(1, 2),
                           config=Config(loss=loss), step_count=7)


def test_mixture_density_integrates_to_one():
    data = make_dataset(Config())
    g = torch.linspace(-2.5, 2.5, 1001, dtype=torch.float64)
    x, y = torch.meshgrid(g, g, indexing="xy")
    p = mixture_density(data, torch.stack([x.ravel(), y.ravel()], 1).numpy())
    assert p.sum() * (5 / 1000) ** 2 == pytest.approx(1.0, rel=1e-3)


def test_jsd_is_near_zero_when_g_is_the_data_and_log_2_when_far_away():
    data = make_dataset(Config())
    same = optimal_d_check(fake_trainer(data.sample(2000, torch.Generator().manual_seed(5))))
    far = optimal_d_check(fake_trainer(torch.randn(2000, 2, generator=torch.Generator().manual_seed(1)) * 0.1 + 10))
    assert same["jsd"] < 0.1 and same["d_star_real"] == pytest.approx(0.5, abs=0.1)
    assert far["jsd"] == pytest.approx(math.log(2), abs=1e-3) and far["d_star_fake"] < 1e-6
    # a constant logit 0 is D = 1/2 everywhere: V = -log 4, at most C(G)
    assert same["v_trained"] == pytest.approx(-math.log(4)) and far["v_star"] >= far["v_trained"]


def test_the_check_leaves_the_run_unchanged_and_the_trained_d_is_below_c_of_g():
    a, b = Trainer(Config(seed=0)), Trainer(Config(seed=0))
    a.run(300)
    b.run(300)
    check = optimal_d_check(a)
    assert check["v_trained"] <= check["v_star"] + 0.05 and 0 <= check["jsd"] <= math.log(2) + 1e-9
    assert len(check["curve"]["angle"]) == 720
    a.run(5)
    b.run(5)
    assert a.history.last() == {**b.history.last(), "seconds": a.history.last()["seconds"]}


def open_theory(lang="en", playground_steps=0) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.query_params["lang"] = lang
    at.run()
    if playground_steps:
        at.switch_page("pages/playground.py").run()
        for _ in range(playground_steps):
            at.button(key="btn_step").click().run()
    at.switch_page("pages/theory.py").run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_code_tab_shows_the_benchmark_loop_and_runs_it(lang):
    at = open_theory(lang)
    tr = ZH if lang == "zh" else EN
    assert inspect.getsource(bare_loop).strip() in [c.value.strip() for c in at.code]  # the source, not a copy
    assert any(tr["theory.code.run"] == b.label for b in at.button)
    if lang == "zh":  # AppTest re-formats the translated Dirac radio outside the session's language on a rerun
        return
    at.button(key="code_run").click().run()
    line = [c.value for c in at.code if c.value.startswith("bare_loop(Config())(200)")]
    assert len(line) == 1 and tr["theory.code.output"].split("{")[0] in line[0]
    assert any("tf.log" in m.value for m in at.markdown) and any("trainable_variables" in m.value for m in at.markdown)


def test_foundations_tab_checks_d_star_on_the_playground_run():
    at = open_theory(playground_steps=3)
    runner = at.session_state.runner
    check = runner.call(optimal_d_check)
    shown = {m.label: m.value for m in at.metric}
    assert shown[EN["theory.dstar.c_of_g"]] == f"{check['v_star']:.3f}"
    assert shown[EN["theory.dstar.jsd"]] == f"{check['jsd']:.3f}"
    assert shown[EN["theory.dstar.v_trained"]] == f"{check['v_trained']:.3f}"
    assert any(c.key == "fig_optimal_d" for c in at.get("plotly_chart"))
    headings = [h.value for h in at.subheader]
    assert all(EN[f"theory.found.{k}"] in headings for k in ("optimal", "disjoint", "wgan", "smoothing", "noise"))
