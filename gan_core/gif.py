"""The samples' evolution over a run as an animated GIF at fixed noise, for slides.

Design: no frames are stored. Training is deterministic (same config and seed => the same numbers on CPU),
so the export replays the saved run from its step-0 settings for the same number of steps, with its
mid-run changes at the same steps, and captures `trainer.sample(n)` at the fixed evaluation noise every
`every` steps. Costs a re-run, needs no new files, and works for every saved run. Its limit: a run that
used the single "Step D" / "Step G" buttons replays differently; `run_gif` compares the replay's final
samples with the run's samples.npy and reports whether they match.
Rendered with matplotlib (Agg, no display) into Pillow frames.
"""

from __future__ import annotations

import io

import numpy as np

from .evaluate import real_reference
from .replay import plan, replay
from .tables import initial_config
from .trainer import Trainer

REAL_COLOR, FAKE_COLOR = "#8fbbe0", "#d62728"  # real data pale blue behind, generated red (figures/common)
FRAME_MS, LAST_FRAME_MS = 150, 1500


def record_frames(trainer: Trainer, steps: int, every: int, n: int = 500, schedule=(), progress=None):
    """Train `trainer` to `steps` and return [(step, samples)] at step 0 and every `every` steps, samples
    being trainer.sample(n) at the fixed evaluation noise (2-D points (n, 2) or images (n, 64))."""
    frames = []
    replay(trainer, steps, schedule, every=max(1, every), progress=progress,
           on_frame=lambda tr: frames.append((tr.step_count, tr.sample(n))))
    if frames and frames[-1][0] != trainer.step_count:
        frames.append((trainer.step_count, trainer.sample(n)))  # the last step (or the divergence) too
    return frames


def gif_bytes(frames, kind: str = "points", real=None, bounds=None, title: str = "step {step}",
              size: float = 5.0, dpi: int = 90) -> bytes:
    """Frames [(step, samples)] as an animated GIF (loops; the last frame holds 1.5 s). 2-D points are
    drawn over the real data on fixed axes (`bounds` = x0, x1, y0, y1); digits as an 8 x 8 image grid."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from PIL import Image

    from .display import digit_mosaic

    fig = Figure(figsize=(size, size), dpi=dpi)
    canvas = FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    fig.subplots_adjust(left=0.1, right=0.97, bottom=0.07, top=0.91)
    label = fig.text(0.5, 0.97, "", ha="center", va="top", fontsize=13, animated=True)
    if kind == "image":
        import matplotlib

        cmap = matplotlib.colormaps["gray_r"].with_extremes(bad="#9e9e9e")
        art = ax.imshow(digit_mosaic(frames[0][1]), cmap=cmap, vmin=-1, vmax=1, interpolation="nearest",
                        animated=True)
        ax.set_axis_off()
    else:
        if real is not None:
            ax.scatter(real[:, 0], real[:, 1], s=6, color=REAL_COLOR, alpha=0.6, linewidths=0)
        art = ax.scatter([], [], s=9, color=FAKE_COLOR, alpha=0.8, linewidths=0, animated=True)
        if bounds is not None:
            ax.set_xlim(bounds[0], bounds[1])
            ax.set_ylim(bounds[2], bounds[3])
        ax.set_aspect("equal")
        ax.tick_params(labelsize=8)
    canvas.draw()  # the static part once; each frame blits the moving samples and the title onto it
    background = canvas.copy_from_bbox(fig.bbox)
    images, palette = [], None
    for step, x in frames:
        x = np.asarray(x, dtype=np.float64)
        text = title.format(step=step)
        if kind == "image":
            art.set_data(digit_mosaic(np.clip(np.nan_to_num(x), -1, 1)))
        else:
            x = x[np.all(np.isfinite(x), axis=1)]
            art.set_offsets(x)
            outside = _outside(x, bounds)
            text += f"  ({outside} outside the view)" if outside else ""
        label.set_text(text)
        canvas.restore_region(background)
        ax.draw_artist(art)
        fig.draw_artist(label)
        rgb = np.asarray(canvas.buffer_rgba())[..., :3]
        image = Image.fromarray(rgb)
        palette = palette or image.quantize(colors=64)  # one palette for all frames: cheaper, no flicker
        images.append(image.quantize(palette=palette, dither=Image.Dither.NONE))
    buf = io.BytesIO()
    durations = [FRAME_MS] * (len(images) - 1) + [LAST_FRAME_MS]
    images[0].save(buf, format="GIF", save_all=True, append_images=images[1:], duration=durations, loop=0)
    return buf.getvalue()


def _outside(x: np.ndarray, bounds) -> int:
    if bounds is None or not len(x):
        return 0
    x0, x1, y0, y1 = bounds
    inside = (x[:, 0] >= x0) & (x[:, 0] <= x1) & (x[:, 1] >= y0) & (x[:, 1] <= y1)
    return int((~inside).sum())


def run_gif(run, max_frames: int = 40, n: int = 500, progress=None) -> tuple[bytes, dict]:
    """Replay a saved run (runs.Run, loaded with its samples) and return (GIF bytes, info): info has
    frames, steps, every and `matches` (True / False: the replay's final samples equal the saved ones;
    None: the run has no samples.npy to check against)."""
    steps = int(run.summary["steps"])
    every = max(1, -(-steps // max(1, max_frames - 1)))  # ceil: at most max_frames frames
    trainer = Trainer(initial_config(run))
    kind = trainer.data.kind
    frames = record_frames(trainer, steps, every, n=64 if kind == "image" else n, schedule=plan(run),
                           progress=progress)
    real = real_reference(trainer, n) if kind == "points" else None
    data = gif_bytes(frames, kind, real=real, bounds=trainer.data.bounds if kind == "points" else None)
    matches = None
    if run.samples is not None:
        final = trainer.sample(len(run.samples)).reshape(np.shape(run.samples))
        matches = bool(np.allclose(final, run.samples, rtol=1e-4, atol=1e-5, equal_nan=True))
    return data, {"frames": len(frames), "steps": trainer.step_count, "every": every, "matches": matches,
                  "status": trainer.status}


def png_bytes(samples, kind: str = "points", real=None, bounds=None, size: int = 240) -> bytes:
    """One picture of the samples as a small PNG (a class board's tile): 2-D points, generated red over the
    real data in pale blue on `bounds` (x0, x1, y0, y1; default: the real points' box with a margin), or
    digits as an 8 x 8 grid. numpy and Pillow only, a few milliseconds: cheap enough every few seconds."""
    from PIL import Image

    from .display import digit_mosaic

    x = np.asarray(samples, dtype=np.float64)
    if kind == "image":
        mosaic = digit_mosaic(np.clip(np.nan_to_num(x), -1, 1))  # -1 white .. 1 black, NaN gaps grey
        grey = np.where(np.isnan(mosaic), 158, (1 - mosaic) * 127.5).astype(np.uint8)
        image = Image.fromarray(grey).resize((size, size), Image.Resampling.NEAREST)
    else:
        if bounds is None:
            ref = np.asarray(real if real is not None and len(real) else x, dtype=np.float64).reshape(-1, 2)
            ref = ref[np.all(np.isfinite(ref), axis=1)]
            lo, hi = (ref.min(0), ref.max(0)) if len(ref) else (np.array([-1.0, -1]), np.array([1.0, 1]))
            pad = 0.15 * max(float((hi - lo).max()), 1e-6)
            bounds = (lo[0] - pad, hi[0] + pad, lo[1] - pad, hi[1] + pad)
        canvas = np.full((size, size, 3), 255, dtype=np.uint8)
        r = max(2, size // 160)
        for pts, color, radius in ((real, REAL_COLOR, r + 1), (x, FAKE_COLOR, r)):  # the data a bit larger, behind
            if pts is not None:
                _dots(canvas, np.asarray(pts, dtype=np.float64).reshape(-1, 2), bounds, color, radius)
        image = Image.fromarray(canvas)
    buf = io.BytesIO()
    image.save(buf, format="PNG", compress_level=6)
    return buf.getvalue()


def _dots(canvas: np.ndarray, pts: np.ndarray, bounds, color: str, r: int = 2) -> None:
    """Paint a disk of radius r px at each point (y up, equal aspect, centred in the square canvas)."""
    size = canvas.shape[0]
    x0, x1, y0, y1 = bounds
    scale = (size - 1) / max(x1 - x0, y1 - y0)
    ox, oy = (size - 1 - (x1 - x0) * scale) / 2, (size - 1 - (y1 - y0) * scale) / 2
    pts = pts[np.all(np.isfinite(pts), axis=1)]
    u = np.round(np.clip(ox + (pts[:, 0] - x0) * scale, -9, size + 9)).astype(int)  # far-off samples at the edge
    v = np.round(np.clip(size - 1 - (oy + (pts[:, 1] - y0) * scale), -9, size + 9)).astype(int)
    rgb = [int(color[i:i + 2], 16) for i in (1, 3, 5)]
    for du in range(-r, r + 1):
        for dv in range(-r, r + 1):
            if du * du + dv * dv <= r * r:
                a, b = u + du, v + dv
                inside = (a >= 0) & (a < size) & (b >= 0) & (b < size)
                canvas[b[inside], a[inside]] = rgb
