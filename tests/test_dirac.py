"""Dirac-GAN dynamics against the claims of Mescheder, Geiger, Nowozin 2018 (Sec. 2-3, Fig. 1-3)."""

import json
import warnings

import numpy as np
import pytest

from gan_core import dirac
from gan_core.figures.dirac import dirac_field_figure, dirac_norm_figure


def final_and_tail(method, scheme, **kw):
    r = dirac.norms(dirac.simulate(method, scheme, **kw))
    return r[-1], r[-50:]


def test_defaults_follow_the_notebook():
    traj = dirac.simulate("gan")
    assert traj.shape == (501, 2)
    assert traj[0].tolist() == [1.0, 1.0]
    assert set(dirac.DEFAULT_PARAM) == set(dirac.METHODS)


def test_gan_diverges_under_simultaneous_gd():
    r = dirac.norms(dirac.simulate("gan", "simultaneous"))
    assert np.all(np.diff(r) > 0)  # spirals outward at every step
    assert r[-1] > 2 * r[0]
    assert dirac.verdict(dirac.simulate("gan", "simultaneous")) == "diverges"


def test_gan_cycles_under_alternating_gd():
    r = dirac.norms(dirac.simulate("gan", "alternating"))
    assert 0.8 * r[0] < r.min() and r.max() < 1.2 * r[0]  # neither to 0 nor blowing up
    assert dirac.verdict(dirac.simulate("gan", "alternating")) == "cycles"


@pytest.mark.parametrize("scheme", dirac.SCHEMES)
def test_wgan_cycles(scheme):
    traj = dirac.simulate("wgan", scheme)
    assert np.abs(traj[:, 1]).max() <= dirac.DEFAULT_PARAM["wgan"]  # clipped to [-c, c]
    final, tail = final_and_tail("wgan", scheme)
    assert tail.min() > 0.5  # does not converge
    assert dirac.verdict(traj) == "cycles"


@pytest.mark.parametrize("scheme", dirac.SCHEMES)
@pytest.mark.parametrize("d_steps", [1, 5])
def test_wgan_gp_does_not_converge(scheme, d_steps):
    traj = dirac.simulate("wgan-gp", scheme, d_steps=d_steps)
    assert dirac.norms(traj)[-50:].min() > 0.3
    assert dirac.verdict(traj) != "converges"


@pytest.mark.parametrize("scheme", dirac.SCHEMES)
@pytest.mark.parametrize("method", ["r1", "consensus", "instance-noise"])
def test_regularised_methods_converge(method, scheme):
    final, _ = final_and_tail(method, scheme)
    assert final < 1e-3
    assert dirac.verdict(dirac.simulate(method, scheme)) == "converges"


def test_gan_eigenvalues_are_purely_imaginary():
    np.testing.assert_allclose(dirac.eigenvalues("gan"), [0.5j, -0.5j], atol=1e-8)  # f'(0) = 1/2
    np.testing.assert_allclose(dirac.eigenvalues("wgan"), [1j, -1j], atol=1e-8)


@pytest.mark.parametrize("gamma", [0.1, 0.3, 0.9, 1.5, 3.0])
def test_r1_eigenvalues(gamma):
    root = np.sqrt(complex(gamma**2 / 4 - 1 / 4))
    expected = sorted([-gamma / 2 + root, -gamma / 2 - root], key=lambda z: (-z.imag, z.real))
    got = sorted(dirac.eigenvalues("r1", gamma), key=lambda z: (-z.imag, z.real))
    np.testing.assert_allclose(got, expected, atol=1e-6)


@pytest.mark.parametrize("gamma", [0.3, 1.0, 2.0])
def test_consensus_eigenvalues(gamma):
    np.testing.assert_allclose(dirac.eigenvalues("consensus", gamma), [-gamma / 4 + 0.5j, -gamma / 4 - 0.5j], atol=1e-6)


def test_instance_noise_critical_sigma_is_sqrt2():
    for sigma in (0.5, 1.0, 1.3, 1.6, 2.5):
        ev = dirac.eigenvalues("instance-noise", sigma)
        root = np.sqrt(complex(sigma**4 / 16 - 1 / 4))
        np.testing.assert_allclose(sorted(ev, key=lambda z: (z.imag, z.real)),
                                   sorted([-sigma**2 / 4 + root, -sigma**2 / 4 - root],
                                          key=lambda z: (z.imag, z.real)), atol=1e-6)
    below = dirac.eigenvalues("instance-noise", np.sqrt(2) * 0.99)
    above = dirac.eigenvalues("instance-noise", np.sqrt(2) * 1.01)
    assert np.all(np.abs(below.imag) > 1e-3) and np.allclose(below.real, below.real[0])  # complex pair
    assert np.allclose(above.imag, 0) and abs(above.real[0] - above.real[1]) > 1e-3  # two real roots


def test_instance_noise_zero_sigma_is_the_gan():
    theta, psi = np.meshgrid(np.linspace(-2, 2, 5), np.linspace(-2, 2, 5))
    np.testing.assert_allclose(dirac.vector_field("instance-noise", theta, psi, 0.0),
                               dirac.vector_field("gan", theta, psi), atol=1e-12)


def test_instance_noise_quadrature_matches_monte_carlo():
    rng = np.random.default_rng(0)
    theta, psi, sigma = 0.7, -0.4, 0.9
    eps, x = sigma * rng.standard_normal((2, 400_000))
    fp = lambda t: 1 / (1 + np.exp(t))  # noqa: E731  f'(t) = sigmoid(-t)
    v1 = np.mean(-psi * fp(psi * (theta + eps)))
    v2 = np.mean((theta + eps) * fp(psi * (theta + eps)) - x * fp(-psi * x))
    np.testing.assert_allclose(dirac.vector_field("instance-noise", theta, psi, sigma), (v1, v2), atol=5e-3)


def test_consensus_gradient_matches_finite_differences():
    def half_sq_norm(theta, psi):
        v1, v2 = dirac.vector_field("gan", theta, psi)
        return 0.5 * (v1**2 + v2**2)

    e = 1e-6
    for theta, psi in [(1.0, 1.0), (-1.5, 0.3), (0.2, -2.0), (3.0, 2.5)]:
        fd = ((half_sq_norm(theta + e, psi) - half_sq_norm(theta - e, psi)) / (2 * e),
              (half_sq_norm(theta, psi + e) - half_sq_norm(theta, psi - e)) / (2 * e))
        np.testing.assert_allclose(dirac.consensus_grad(theta, psi), fd, atol=1e-8)
        v, vc = dirac.vector_field("gan", theta, psi), dirac.vector_field("consensus", theta, psi, 0.5)
        np.testing.assert_allclose(np.subtract(v, vc) / 0.5, fd, atol=1e-8)


def test_vector_field_is_vectorised():
    theta, psi, v1, v2 = dirac.quiver_grid("r1", n=7, lim=1.5)
    assert theta.shape == psi.shape == v1.shape == v2.shape == (7, 7)
    assert theta[0, -1] == 1.5 and psi[-1, 0] == 1.5  # θ along x (columns), ψ along y (rows)
    for method in dirac.METHODS:
        g = dirac.quiver_grid(method)
        assert all(a.shape == (10, 10) and np.all(np.isfinite(a)) for a in g)
        one = dirac.vector_field(method, g[0][3, 4], g[1][3, 4])
        np.testing.assert_allclose([g[2][3, 4], g[3][3, 4]], one, atol=1e-12)


def test_wgan_gp_jacobian_is_undefined_at_the_equilibrium():
    assert dirac.eigenvalues("wgan-gp").size == 0
    assert np.isnan(dirac.jacobian("wgan-gp")[1, 1])
    np.testing.assert_allclose(dirac.jacobian("wgan-gp", 0.7, psi=0.5), [[0, -1], [1, -0.7]], atol=1e-6)


def test_alternating_d_steps_see_the_new_theta():
    traj = dirac.simulate("wgan", "alternating", d_steps=2, steps=1, start=(0.5, 0.2))
    theta = 0.5 - 0.2 * 0.2
    psi = 0.2 + 0.2 * theta + 0.2 * theta
    np.testing.assert_allclose(traj[1], [theta, psi])
    traj = dirac.simulate("wgan", "simultaneous", d_steps=2, steps=1, start=(0.5, 0.2))
    np.testing.assert_allclose(traj[1], [theta, 0.2 + 2 * 0.2 * 0.5])  # D saw the old θ


def test_summary_is_json_serialisable():
    for method in dirac.METHODS:
        out = dirac.summary(method, "alternating", steps=50)
        assert {"theta", "psi", "norm", "eigenvalues", "verdict"} <= out.keys()
        text = json.dumps(out, allow_nan=False)
        assert json.loads(text)["verdict"] in ("converges", "cycles", "diverges")
    np.testing.assert_allclose(dirac.summary("gan")["eigenvalues"], [[0, 0.5], [0, -0.5]], atol=1e-8)


@pytest.mark.parametrize("call, value", [
    (lambda: dirac.simulate("lsgan"), "lsgan"),
    (lambda: dirac.simulate("gan", "sequential"), "sequential"),
    (lambda: dirac.eigenvalues("GAN"), "GAN"),
    (lambda: dirac.vector_field("r2", 0.0, 0.0), "r2"),
])
def test_bad_names_raise_value_error_naming_the_choices(call, value):
    with pytest.raises(ValueError) as err:
        call()
    assert repr(value) in str(err.value)
    assert "choose one of" in str(err.value)


def test_bad_numbers_raise_value_error():
    for kw in (dict(d_steps=0), dict(steps=-1), dict(param=-1.0), dict(h=float("nan")),
               dict(start=(float("inf"), 0.0))):
        with pytest.raises(ValueError):
            dirac.simulate("r1", **kw)


@pytest.mark.parametrize("method", dirac.METHODS)
def test_huge_step_neither_raises_nor_warns(method):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for scheme in dirac.SCHEMES:
            traj = dirac.simulate(method, scheme, h=1e6, steps=200)
            assert traj.shape == (201, 2)
            assert dirac.verdict(traj) == "diverges"
            json.dumps(dirac.summary(method, scheme, h=1e6, steps=200), allow_nan=False)


def test_field_figure_structure():
    traj = dirac.simulate("gan", "simultaneous")
    fig = dirac_field_figure(dirac.quiver_grid("gan"), traj, title="GAN",
                             labels={"x": "θ (G)", "trajectory": "path"})
    assert [t.type for t in fig.data] == ["scatter"] * 5
    assert [t.name for t in fig.data] == ["vector field", "path", "start", "end", "equilibrium (0, 0)"]
    assert fig.layout.xaxis.title.text == "θ (G)" and fig.layout.yaxis.title.text == "ψ (discriminator)"
    assert fig.layout.xaxis.range[1] >= np.abs(traj).max() and fig.layout.xaxis.range[1] <= 6.0
    assert tuple(fig.data[2].x) == (1.0,) and fig.data[3].x[0] == traj[-1, 0]
    small = dirac_field_figure(dirac.quiver_grid("r1"), dirac.simulate("r1"))
    assert tuple(small.layout.xaxis.range) == (-2.0, 2.0)
    huge = dirac_field_figure(dirac.quiver_grid("gan"), dirac.simulate("wgan-gp", h=1e6))
    assert tuple(huge.layout.yaxis.range) == (-6.0, 6.0)


def test_norm_figure_structure():
    r = dirac.norms(dirac.simulate("r1"))
    fig = dirac_norm_figure(r, title="R1")
    assert [t.type for t in fig.data] == ["scatter"]
    assert len(fig.data[0].y) == 501 and fig.layout.yaxis.type == "log"
    assert fig.layout.xaxis.title.text == "step"
    lin = dirac_norm_figure(r, log_y=False, labels={"y": "Abstand"})
    assert lin.layout.yaxis.type == "linear" and lin.layout.yaxis.title.text == "Abstand"


def test_non_saturating_field_is_damped_away_from_the_equilibrium():
    # d/dt ½(θ² + ψ²) = θ v1 + ψ v2 = -s tanh(s/2) <= 0 with s = ψθ (REFERENCE.md, wave 2)
    theta, psi = np.meshgrid(np.linspace(-2, 2, 21), np.linspace(-2, 2, 21))
    v1, v2 = dirac.vector_field("non-saturating", theta, psi)
    s = psi * theta
    np.testing.assert_allclose(theta * v1 + psi * v2, -s * np.tanh(s / 2), atol=1e-12)
    # the measured per-step factor agrees with the trajectory: both schemes come closer from (1, 1)
    for scheme, end in (("simultaneous", 0.64), ("alternating", 0.28)):
        traj = dirac.simulate("non-saturating", scheme, steps=500)
        assert dirac.norms(traj)[-1] == pytest.approx(end, abs=0.01)
        assert dirac.run_factor(traj) < 1 and dirac.verdict(traj) == "cycles"


def test_wgan_gp_cycles_on_an_orbit_away_from_the_origin():
    traj = dirac.simulate("wgan-gp", "alternating", steps=5000)
    r = dirac.norms(traj)[-500:]
    assert r.min() > 1.0 and r.max() < 1.5  # a closed orbit, not near the origin
    assert 0.5 < np.median(np.abs(traj[-500:, 1])) < 1.5  # |ψ| held near the target g0 = 1


def test_each_method_names_its_own_parameter():
    assert dirac.PARAM_NAME == {"wgan": "clip", "wgan-gp": "gamma", "instance-noise": "sigma", "r1": "gamma",
                                "consensus": "gamma"}
    assert dirac.summary("wgan", steps=10)["clip"] == 1.0 and "gamma" not in dirac.summary("wgan", steps=10)
    assert dirac.summary("instance-noise", steps=10, param=0.5)["sigma"] == 0.5
    assert "param" not in dirac.summary("gan", steps=10) and "gamma" not in dirac.summary("gan", steps=10)
