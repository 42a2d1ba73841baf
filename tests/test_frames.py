"""The live view's wire format (gan_core.frames): byte layout, round trip, bad input."""

import struct

import numpy as np

from gan_core import Config, Trainer, frames
from gan_core.views import live_frame, set_live_options


def points_frame(step=7, n=5, grid=4):
    rng = np.random.default_rng(0)
    return {"step": step, "kind": "points", "fake": rng.normal(size=(n, 2)).astype(np.float32),
            "d_fake": rng.uniform(size=n).astype(np.float32), "bounds": np.array([-2, 2, -1, 3], np.float32),
            "d_grid": np.linspace(0, 1, grid * grid, dtype=np.float32).reshape(grid, grid)}


def test_header_and_section_offsets_are_little_endian_and_aligned():
    rows = {"step": np.array([1.0, 2.0]), "d_loss": np.array([0.5, 0.25]), "g_loss": np.array([2.0, 3.0]),
            "d_real": np.array([0.6, 0.7]), "d_fake": np.array([0.4, 0.3]), "seconds": np.array([9.0, 9.0])}
    real = np.array([[1.5, -2.0]], np.float32)
    data = frames.encode([(3, points_frame(grid=3))], rows, real=real, text={"a": "é"}, step=2,
                         steps_per_s=123.5, flags=frames.RESET | frames.LOG_Y)
    assert data[:4] == b"GANL"
    assert struct.unpack_from("<HHIIIIIIf", data, 4) == (1, 3, 1, 1, 2, 5, len('{"a": "é"}'.encode()), 2, 123.5)
    assert struct.unpack_from("<2f", data, 36) == (1.5, -2.0)  # real right after the 36-byte header
    off = 36 + 8
    assert struct.unpack_from("<2f", data, off) == (1.0, 2.0)  # the step column, then d_loss ...
    assert struct.unpack_from("<2f", data, off + 8) == (0.5, 0.25)
    off += 5 * 8
    text_len = len('{"a": "é"}'.encode())
    off += text_len + (-text_len % 4)
    seq, step, kind, n, grid = struct.unpack_from("<5I", data, off)
    assert (seq, step, kind, n, grid) == (3, 7, 0, 5, 3)
    # frame: 52-byte header, fake 5x2 f32, d_fake 5 f32, heat 9 bytes + 3 padding, no arrows, no manifold
    assert len(data) == off + 52 + 40 + 20 + 12
    assert len(data) % 4 == 0


def test_round_trip_points_and_heat_quantisation():
    f = points_frame(grid=4)
    f["arrows"] = np.ones((2, 2), np.float32)
    f["manifold"] = np.zeros((3, 3, 2), np.float32)
    got = frames.decode(frames.encode([(9, f)], None))
    (g,) = got["frames"]
    assert g["seq"] == 9 and g["step"] == 7
    np.testing.assert_array_equal(g["fake"], f["fake"])
    np.testing.assert_array_equal(g["d_fake"], f["d_fake"])
    assert g["d_range"] == (0.0, 1.0)
    np.testing.assert_allclose(g["heat"] / 255.0, f["d_grid"], atol=0.5 / 255 + 1e-7)
    assert g["heat"][0, 0] == 0 and g["heat"][-1, -1] == 255
    assert g["arrows"].shape == (2, 2) and g["manifold"].shape == (3, 3, 2)


def test_lsgan_range_widens_symmetrically_and_nan_grid_is_the_middle():
    f = points_frame(grid=2)
    f["d_grid"] = np.array([[1.5, 0.5], [np.nan, -0.5]], np.float32)
    (g,) = frames.decode(frames.encode([(1, f)]))["frames"]
    assert g["d_range"] == (-0.5, 1.5)
    assert g["heat"].tolist() == [[255, 128], [128, 0]]


def test_images_frame_and_empty_packets():
    images = np.arange(64 * 64, dtype=np.uint8).reshape(64, 8, 8)
    (g,) = frames.decode(frames.encode([(1, {"step": 3, "kind": "image", "images": images})]))["frames"]
    np.testing.assert_array_equal(g["images"], images)
    empty = frames.decode(frames.encode())
    assert empty["frames"] == [] and empty["rows"] == {} and empty["real"].shape == (0, 2)
    f = points_frame(n=0, grid=0)
    f["d_grid"] = np.zeros((0, 0), np.float32)
    (g,) = frames.decode(frames.encode([(1, f)]))["frames"]
    assert g["fake"].shape == (0, 2) and g["heat"].shape == (0, 0)


def test_nan_points_survive_and_bad_bytes_are_refused():
    f = points_frame()
    f["fake"][:] = np.nan
    (g,) = frames.decode(frames.encode([(1, f)]))["frames"]
    assert np.isnan(g["fake"]).all()
    try:
        frames.decode(b"XXXX" + bytes(40))
    except ValueError:
        pass
    else:
        raise AssertionError("a packet with the wrong magic was accepted")


def test_live_frame_options_add_arrows_and_the_noise_grid():
    tr = Trainer(Config(dataset="ring8"))
    plain = live_frame(tr)
    assert "arrows" not in plain and "manifold" not in plain
    set_live_options(tr, arrows=True, manifold=True)
    f = live_frame(tr)
    assert f["arrows"].shape == (80, 2) and f["manifold"].shape == (15, 15, 2)
    assert np.isfinite(f["arrows"]).all() and np.abs(f["arrows"]).sum() > 0
    g = frames.decode(frames.encode([(1, f)]))["frames"][0]
    np.testing.assert_array_equal(g["arrows"], f["arrows"])
