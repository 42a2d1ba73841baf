"""Benchmark of the live Playground, as a student sees it: `python -m gan_core.bench.live [--seconds 15] [--runs 3]`.

Starts `streamlit run app.py` and warms it (one throwaway visit), then per run opens the Playground in a fresh
headless Chromium page on this machine and measures: seconds from opening the URL to the first frame drawn on
the `live-samples` canvas; after pressing Train, for `seconds`: training steps/s (read off the status line),
visual frames/s of `live-samples` and `live-losses` (distinct canvas contents, sampled in the page every
20 ms from a few pixel rows), and the browser's CPU (% of one core: utime + stime of every Chromium process
this benchmark started, from /proc). In the same command, before and after, the bare PyTorch loop of the same
model and batch (gan_core.loop.bare_loop). Prints the median of the runs, each run, and the load average.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

import torch

from gan_core.loop import bare_loop
from gan_core.presets import PRESETS

TARGETS = {"live_samples_fps": 15, "live_losses_fps": 4, "ratio": 0.7, "first_frame_s": 3.0, "browser_cpu": 50}

# Every 20 ms: a cheap digest (8 pixel rows) of each canvas; a change of digest is a new visible frame.
COUNT_FRAMES = """() => {
  const digest = (c) => { if (!c || !c.width) return ''; const ctx = c.getContext('2d'); let h = 0;
    for (let k = 1; k <= 8; k++) { const d = ctx.getImageData(0, Math.floor(c.height * k / 9), c.width, 1).data;
      for (let i = 0; i < d.length; i += 4) h = (h * 31 + d[i] + 7 * d[i + 1] + 13 * d[i + 2]) | 0; }
    return h; };
  window.__frames = {samples: 0, losses: 0}; const last = {};
  setInterval(() => {
    for (const name of ['samples', 'losses']) {
      const h = digest(document.querySelector(`canvas[data-testid=live-${name}]`));
      if (h !== last[name]) { last[name] = h; window.__frames[name]++; }
    }
  }, 20);
}"""
FIRST_FRAME = """() => { let e = document.querySelector('canvas[data-testid=live-samples]');
  while (e && !e.__liveView) e = e.parentElement; return !!(e && e.__liveView.frame && e.__liveView.frames > 0); }"""


def read_step(page) -> int | None:
    for text in page.locator("h4").all_inner_texts():
        m = re.search(r"(\d[\d,]*)\s*·", text)
        if m:
            return int(m.group(1).replace(",", ""))
    return None


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                ppid = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            tree.setdefault(ppid, []).append(int(d.name))
    return tree


def chromium_ticks() -> int:
    """utime + stime (clock ticks) of every Chromium process below this one (Playwright's driver starts them)."""
    tree, todo, total = _children(), [os.getpid()], 0
    while todo:
        pid = todo.pop()
        todo += tree.get(pid, [])
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        name, fields = stat[stat.index("(") + 1:stat.rindex(")")], stat.rsplit(")", 1)[1].split()
        if "chrom" in name:
            total += int(fields[11]) + int(fields[12])
    return total


def measure_ui(url: str, seconds: float) -> dict:
    from playwright.sync_api import sync_playwright

    from .harness import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1500, "height": 1000})
        t0 = time.perf_counter()
        page.goto(url + "/playground")
        page.wait_for_function(FIRST_FRAME, timeout=60_000, polling=20)
        first_frame = time.perf_counter() - t0
        page.get_by_role("button", name="Train", exact=True).click()
        page.get_by_role("button", name="Pause", exact=True).wait_for(timeout=30_000)
        time.sleep(2.0)  # past the start-up transient
        page.evaluate(COUNT_FRAMES)
        s0, w0, c0 = read_step(page), time.perf_counter(), chromium_ticks()
        time.sleep(seconds)
        s1, w1, c1 = read_step(page), time.perf_counter(), chromium_ticks()
        counted = page.evaluate("window.__frames")
        page.get_by_role("button", name="Pause", exact=True).click()
        browser.close()
    dt = w1 - w0
    return {"ui_steps_per_s": round((s1 - s0) / dt, 1), "live_samples_fps": round(counted["samples"] / dt, 1),
            "live_losses_fps": round(counted["losses"] / dt, 1), "first_frame_s": round(first_frame, 2),
            "browser_cpu": round(100 * (c1 - c0) / os.sysconf("SC_CLK_TCK") / dt, 1), "load": load()}


def measure_bare(seconds: float = 3.0, repeats: int = 3) -> float:
    torch.set_num_threads(1)  # as the dashboard trains
    run = bare_loop(PRESETS["ring-stable"].config())
    run(20)
    rates = []
    for _ in range(repeats):
        n, t0 = 0, time.perf_counter()
        while time.perf_counter() - t0 < seconds / repeats:
            run(50)
            n += 50
        rates.append(n / (time.perf_counter() - t0))
    return statistics.median(rates)


def warm(url: str) -> None:
    """One throwaway visit: the server imports torch and builds its first session before we time anything."""
    from playwright.sync_api import sync_playwright

    from .harness import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(url + "/playground")
        page.wait_for_function(FIRST_FRAME, timeout=120_000)
        browser.close()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m gan_core.bench.live", description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=15.0)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    from .harness import start_server

    bare_before = measure_bare()
    proc, url = start_server()
    try:
        warm(url)
        runs = [measure_ui(url, args.seconds) for _ in range(max(1, args.runs))]
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:  # a loaded machine: don't lose the figures to a slow exit
            proc.kill()
    bare = (bare_before + measure_bare()) / 2
    for r in runs:
        r["ratio"] = round(r["ui_steps_per_s"] / bare, 3)
    median = {k: statistics.median(r[k] for r in runs) for k in runs[0] if k != "load"}
    result = {"median": median, "runs": runs, "bare_steps_per_s": round(bare, 1)}
    if args.json:
        print(json.dumps(result))
        return 0
    print(f"median of {len(runs)} runs ({args.seconds:g} s each); load average per run: "
          + " | ".join(r["load"] for r in runs))
    rows = [("Playground", "ui_steps_per_s", "steps/s while training"),
            ("ratio", "ratio", f"of the bare loop's {bare:.1f} steps/s (same command; target >= 0.7)"),
            ("live-samples", "live_samples_fps", "distinct frames/s (target >= 15)"),
            ("live-losses", "live_losses_fps", "distinct frames/s (target >= 4)"),
            ("browser CPU", "browser_cpu", "% of one core while training (target <= 50)"),
            ("first frame", "first_frame_s", "s from opening the URL, warm server (target <= 3)")]
    for name, key, what in rows:
        each = ", ".join(f"{r[key]:g}" for r in runs)
        print(f"{name:13s} {median[key]:9.2f}   {what}   [{each}]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
