"""The live view's wire format: frames (snapshot.live_frame) and new history rows packed into one compact
binary packet, the bytes the browser's canvas component (gan_core/ui/static/live.js) plays. No figure JSON.

Everything little-endian; every section starts on a 4-byte boundary (zero padding after u8 sections).

packet  = header, real, rows, text, frames
header  = "GANL" | u16 version | u16 flags | u32 n_frames | u32 n_real | u32 n_rows | u32 n_cols
          | u32 text_bytes | u32 step | f32 steps_per_s                                  (36 bytes)
          flags: 1 RESET (the browser drops its curves and takes real points / labels from this packet),
                 2 LOG_Y (losses on a log axis), 4 RUNNING, 8 DIVERGED
real    = f32[n_real, 2]                      the fixed real points (only in RESET packets)
rows    = f32[n_cols, n_rows]                 column after column, in ROW_KEYS order (step first)
text    = utf-8 JSON, text_bytes long         labels, event markers, messages (RESET packets)
frame   = u32 seq | u32 step | u32 kind (0 points, 1 images) | u32 n | u32 grid | u32 n_arrows
          | u32 manifold_k | f32 x0 | f32 x1 | f32 y0 | f32 y1 | f32 d_lo | f32 d_hi      (52 bytes)
  points: f32 fake[n, 2] | f32 d_fake[n] | u8 heat[grid, grid] (row i at y0 + i dy; 0 -> d_lo, 255 -> d_hi)
          | f32 arrows[n_arrows, 2] (from fake[:n_arrows]) | f32 manifold[k, k, 2]
  images: u8 images[n, grid, grid] (grid = the image side; 0 black, 255 white)
"""

from __future__ import annotations

import json
import math
import struct

import numpy as np

MAGIC, VERSION = b"GANL", 1
RESET, LOG_Y, RUNNING, DIVERGED = 1, 2, 4, 8
ROW_KEYS = ("step", "d_loss", "g_loss", "d_real", "d_fake")
HEADER = struct.Struct("<4sHHIIIIIIf")
FRAME = struct.Struct("<IIIIIII6f")


def _pad(n: int) -> bytes:
    return b"\0" * (-n % 4)


def _heat(d_grid: np.ndarray) -> tuple[bytes, float, float]:
    """D on the grid as u8 over a range symmetric about 0.5 (LSGAN's raw D may leave [0, 1]), as the
    summary charts colour it; a non-finite value (diverged D) is stored as the middle colour."""
    d = np.asarray(d_grid, dtype=np.float64)
    finite = d[np.isfinite(d)]
    half = max(0.5, float(np.abs(finite - 0.5).max(initial=0.0)))
    lo, hi = 0.5 - half, 0.5 + half
    q = np.where(np.isfinite(d), (d - lo) / (hi - lo) * 255.0, 127.5)
    return np.clip(np.round(q), 0, 255).astype(np.uint8).tobytes(), lo, hi


def encode_frame(seq: int, frame: dict) -> bytes:
    if frame["kind"] == "image":
        images = np.ascontiguousarray(frame["images"], dtype=np.uint8)
        n, side = (images.shape[0], images.shape[1]) if images.size else (0, 0)
        head = FRAME.pack(seq, frame["step"], 1, n, side, 0, 0, 0, 0, 0, 0, 0, 1)
        body = images.tobytes()
        return head + body + _pad(len(body))
    fake = np.ascontiguousarray(frame["fake"], dtype="<f4").reshape(-1, 2)
    d_fake = np.ascontiguousarray(frame["d_fake"], dtype="<f4").reshape(-1)
    d_grid = np.asarray(frame.get("d_grid", np.zeros((0, 0))))
    grid = d_grid.shape[0] if d_grid.ndim == 2 and d_grid.shape[0] == d_grid.shape[1] else 0
    heat, lo, hi = _heat(d_grid) if grid else (b"", 0.0, 1.0)
    arrows = np.ascontiguousarray(frame.get("arrows", np.zeros((0, 2))), dtype="<f4").reshape(-1, 2)
    manifold = np.ascontiguousarray(frame.get("manifold", np.zeros((0, 0, 2))), dtype="<f4")
    k = manifold.shape[0] if manifold.ndim == 3 else 0
    x0, x1, y0, y1 = (float(v) for v in frame["bounds"])
    head = FRAME.pack(seq, frame["step"], 0, len(fake), grid, len(arrows), k, x0, x1, y0, y1, lo, hi)
    return b"".join([head, fake.tobytes(), d_fake[:len(fake)].tobytes(), heat, _pad(len(heat)),
                     arrows.tobytes(), manifold.reshape(-1).tobytes()])


def encode(frames=(), rows: dict | None = None, *, real=None, text: dict | None = None, step: int = 0,
           steps_per_s: float = 0.0, flags: int = 0) -> bytes:
    """One packet. frames: [(seq, live_frame dict)], oldest first; rows: history columns (ROW_KEYS used);
    real: (n, 2) points and text: a JSON-able dict, both sent with RESET."""
    cols = [np.asarray(rows.get(k, ()), dtype="<f4").reshape(-1) for k in ROW_KEYS] if rows else []
    n_rows = len(cols[0]) if cols else 0
    real_b = np.ascontiguousarray(real if real is not None else np.zeros((0, 2)), dtype="<f4").reshape(-1, 2)
    text_b = json.dumps(text, ensure_ascii=False, allow_nan=False).encode() if text is not None else b""
    rate = float(steps_per_s) if math.isfinite(steps_per_s) else 0.0
    parts = [HEADER.pack(MAGIC, VERSION, flags, len(frames), len(real_b), n_rows, len(cols), len(text_b),
                         int(step), rate), real_b.tobytes()]
    parts += [c.tobytes() for c in cols]
    parts += [text_b, _pad(len(text_b))]
    parts += [encode_frame(seq, f) for seq, f in frames]
    return b"".join(parts)


def decode(data: bytes) -> dict:
    """The inverse of encode (tests, and a notebook front end): plain numpy arrays."""
    magic, version, flags, n_frames, n_real, n_rows, n_cols, n_text, step, rate = HEADER.unpack_from(data, 0)
    if magic != MAGIC or version != VERSION:
        raise ValueError(f"not a live packet (magic {magic!r}, version {version})")
    off = HEADER.size

    def take(dtype, count):
        nonlocal off
        a = np.frombuffer(data, dtype=dtype, count=count, offset=off)
        off += a.nbytes
        return a

    real = take("<f4", n_real * 2).reshape(-1, 2)
    rows = {k: take("<f4", n_rows) for k in ROW_KEYS[:n_cols]}
    text = json.loads(bytes(take("u1", n_text)).decode()) if n_text else None
    off += -n_text % 4
    frames = []
    for _ in range(n_frames):
        seq, fstep, kind, n, grid, n_arrows, k, x0, x1, y0, y1, lo, hi = FRAME.unpack_from(data, off)
        off += FRAME.size
        if kind == 1:
            frames.append({"seq": seq, "step": fstep, "kind": "image",
                           "images": take("u1", n * grid * grid).reshape(n, grid, grid)})
            off += -(n * grid * grid) % 4
            continue
        f = {"seq": seq, "step": fstep, "kind": "points", "bounds": np.array([x0, x1, y0, y1], "<f4"),
             "d_range": (lo, hi), "fake": take("<f4", n * 2).reshape(n, 2), "d_fake": take("<f4", n)}
        f["heat"] = take("u1", grid * grid).reshape(grid, grid)
        off += -(grid * grid) % 4
        f["arrows"] = take("<f4", n_arrows * 2).reshape(-1, 2)
        f["manifold"] = take("<f4", k * k * 2).reshape(k, k, 2)
        frames.append(f)
    if off != len(data):
        raise ValueError(f"packet of {len(data)} bytes, layout ends at {off}")
    return {"flags": flags, "step": step, "steps_per_s": rate, "real": real, "rows": rows, "text": text,
            "frames": frames}


def events_of(trainer) -> list[dict]:
    """The run's setting changes (for the curves' markers), copied next to the trainer (runner.call)."""
    return [dict(e) for e in trainer.events]


def live_packet(polled: dict, max_frames: int, flags: int = 0) -> bytes:
    """A packet of what a handle's poll() answered: its last `max_frames` frames and its new history rows,
    with the RUNNING / DIVERGED flags of its state (plus `flags`). Used by the stream (gan_core.ui.stream)
    and by the page's own timer."""
    got = polled["frames"][-max_frames:] if max_frames > 0 else []
    seqs = range(polled["seq"] - len(got) + 1, polled["seq"] + 1)
    flags |= (RUNNING if polled["running"] else 0) | (DIVERGED if polled["status"] != "ok" else 0)
    return encode(list(zip(seqs, got)), polled["rows"], step=polled["step"], steps_per_s=polled["steps_per_s"],
                  flags=flags)
