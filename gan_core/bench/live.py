"""Benchmark of the live Playground, as a student sees it: `python -m gan_core.bench.live [--seconds 20]`.

Starts `streamlit run app.py`, opens the Playground in headless Chromium on this machine, presses Train
and watches for `seconds`: training steps/s (read off the status line), redraws/s (changes of the samples
chart's title, which carries the step: a redraw the student actually sees, polled in the page every 20 ms)
and seconds from server start to the first chart. Then, in
the same run, the bare PyTorch loop of the same model and batch (gan_core.loop.bare_loop).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time

import torch

from gan_core.loop import bare_loop
from gan_core.presets import PRESETS

COUNT_REDRAWS = """() => {
  // Poll the samples chart's title every 20 ms (cheap; a MutationObserver on the whole page costs real CPU).
  // Its text carries the step, so it changes exactly when plotly has drawn a new frame of that chart.
  window.__redraws = 0; let last = null;
  setInterval(() => {
    const h = document.querySelector('.js-plotly-plot .gtitle');
    if (h && h.textContent !== last) { last = h.textContent; window.__redraws++; }
  }, 20);
}"""


def read_step(page) -> int | None:
    for text in page.locator("h4").all_inner_texts():
        m = re.search(r"(\d[\d,]*)\s*·", text)
        if m:
            return int(m.group(1).replace(",", ""))
    return None


def measure_ui(seconds: float) -> dict:
    from playwright.sync_api import sync_playwright

    from .harness import CHROMIUM, CHROMIUM_ARGS, start_server

    t0 = time.perf_counter()
    proc, url = start_server()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1500, "height": 1000})
            page.goto(url + "/playground")
            page.locator(".js-plotly-plot").first.wait_for(timeout=60_000)
            first_chart = time.perf_counter() - t0
            page.get_by_role("button", name="Train", exact=True).click()
            page.get_by_role("button", name="Pause", exact=True).wait_for(timeout=10_000)
            time.sleep(2.0)  # past the start-up transient
            page.evaluate(COUNT_REDRAWS)
            s0, w0 = read_step(page), time.perf_counter()
            time.sleep(seconds)
            s1, w1 = read_step(page), time.perf_counter()
            redraws = page.evaluate("window.__redraws")
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    return {"ui_steps_per_s": round((s1 - s0) / (w1 - w0), 1), "redraws_per_s": round(redraws / (w1 - w0), 2),
            "first_chart_s": round(first_chart, 2), "watched_s": round(w1 - w0, 1)}


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


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m gan_core.bench.live", description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    bare_before = measure_bare()
    ui = measure_ui(args.seconds)
    bare_after = measure_bare()
    bare = (bare_before + bare_after) / 2
    result = {**ui, "bare_steps_per_s": round(bare, 1), "ratio": round(ui["ui_steps_per_s"] / bare, 3)}
    if args.json:
        print(json.dumps(result))
    else:
        print(f"Playground  {result['ui_steps_per_s']:8.1f} steps/s   (target >= 400 and >= 70% of bare)")
        print(f"bare loop   {result['bare_steps_per_s']:8.1f} steps/s   (same model and batch, same run)")
        print(f"ratio       {result['ratio']:8.3f}")
        print(f"redraws     {result['redraws_per_s']:8.2f} /s        (target >= 5)")
        print(f"first chart {result['first_chart_s']:8.2f} s         (server start to first chart; target <= 5)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
