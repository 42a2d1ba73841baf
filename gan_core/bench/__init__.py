"""Benchmarks and load tools: each prints figures side by side with its baseline, measured in the same run.

    python -m gan_core bench               engine.py: the Trainer against a bare PyTorch loop
    python -m gan_core.bench.live          live.py: the Playground in headless Chromium (steps/s, frames/s)
    python -m gan_core.bench.compare_page  compare_page.py: the Compare page with many saved runs (AppTest)
    python -m gan_core.bench.load          load.py: N browser sessions training on one server (a class)
    python -m gan_core.bench.host          host.py: one session's speed on each trainer host
    python -m gan_core bench --sweep       sweep.py: the sweep ensemble against the plain Trainer

harness.py starts the dashboard on a free loopback port and finds Chromium (the browser tests use it too).
Nothing in the engine or the pages imports this package.
"""
