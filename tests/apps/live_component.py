"""A tiny Streamlit app that mounts the live view with synthetic packets (tests/test_live_component.py).
?case=known|empty|nan|zero|image|stream"""

import numpy as np
import streamlit as st

from gan_core import frames
from gan_core.ui.liveview import _component

case = st.query_params.get("case", "known")
G = 16
xs = np.linspace(-1, 1, G)
known_grid = np.where(xs[None, :] < 0, 0.9, 0.1) * np.ones((G, 1))  # D = 0.9 left of x = 0, 0.1 right
known_grid[xs > 0.5, :] = 0.5  # and 0.5 in the top rows (y > 0.5)


def frame(step, fake=((0.5, -0.5),), grid=known_grid):
    fake = np.array(fake, np.float32).reshape(-1, 2)
    return {"step": step, "kind": "points", "fake": fake, "d_fake": np.full(len(fake), 0.3, np.float32),
            "bounds": np.array([-1, 1, -1, 1], np.float32), "d_grid": np.asarray(grid, np.float32)}


def rows(n, nan=False):
    s = np.arange(1, n + 1, dtype=np.float64)
    loss = np.full(n, np.nan) if nan else 1 + 0.5 * np.sin(s / 5)
    return {"step": s, "d_loss": loss, "g_loss": loss * 2, "d_real": np.full(n, 0.6), "d_fake": np.full(n, 0.4)}


real = np.array([[-0.5, -0.5]], np.float32)
text = {"labels": {}, "events": [[5, "lr_d 0.001→0.01"]], "x_range": None}
if case == "known":
    packet = frames.encode([(1, frame(20))], rows(20), real=real, text=text, step=20, flags=frames.RESET)
elif case == "empty":
    packet = frames.encode([(1, frame(0))], None, real=real, text=text, flags=frames.RESET)
elif case == "nan":
    f = frame(30, fake=np.full((50, 2), np.nan))
    f["d_grid"] = np.full((G, G), np.nan)
    packet = frames.encode([(1, f)], rows(30, nan=True), real=real, text=text, step=30,
                           flags=frames.RESET | frames.DIVERGED | frames.LOG_Y)
elif case == "zero":
    packet = frames.encode([(1, frame(0, fake=np.zeros((0, 2)), grid=np.zeros((0, 0))))], None, text=text,
                           flags=frames.RESET)
elif case == "image":
    images = np.zeros((64, 8, 8), np.uint8)
    images[:, 2:6, 2:6] = 255
    packet = frames.encode([(1, {"step": 4, "kind": "image", "images": images})], rows(4), text=text, step=4,
                           flags=frames.RESET)
else:  # stream: a fragment sends four new frames every 0.2 s and the four before,
    # as the Playground while training
    st.session_state.setdefault("n", 0)

    @st.fragment(run_every=0.2)
    def stream():
        n = st.session_state.n
        pairs = [(k, frame(10 * k, fake=[(np.cos(k / 8), np.sin(k / 8))])) for k in range(max(1, n - 3), n + 5)]
        st.session_state.n = n + 4
        packet = frames.encode(pairs, rows(10 * (n + 4)), flags=frames.RUNNING | (frames.RESET if n == 0 else 0))
        _component(data=packet, key="live")

    stream()
    st.stop()
_component(data=packet, key="live")
