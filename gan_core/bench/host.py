"""One session's training speed on each trainer host, side by side: `python -m gan_core.bench.host
[--seconds 5] [--rounds 3] [--json]`. Alternates the thread Runner (training inside the web process, as
before) and the local worker process, `rounds` times each, and prints the medians and their ratio: the
worker process must not make a single user slower. No browser: the hosts alone (gan_core.bench.load measures
the Playground in Chromium)."""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time

from gan_core.presets import PRESETS


def rate(handle, seconds: float) -> float:
    handle.do("step")  # past the first step's one-off costs
    handle.start()
    time.sleep(0.5)
    s0, t0 = handle.poll(since_seq=1 << 60)["step"], time.perf_counter()
    deadline = t0 + seconds
    while time.perf_counter() < deadline:
        handle.poll(since_seq=1 << 60)  # a redraw's read, 5 per second, as the page does
        time.sleep(0.2)
    s1, t1 = handle.poll(since_seq=1 << 60)["step"], time.perf_counter()
    handle.pause()
    return (s1 - s0) / (t1 - t0)


def main(argv=None) -> int:
    import torch

    from .local import LocalTrainer, Pool
    from .thread import ThreadTrainer

    ap = argparse.ArgumentParser(prog="python -m gan_core.bench.host", description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if args.seconds <= 0 or args.rounds < 1:
        ap.error("--seconds must be > 0 and --rounds >= 1")
    torch.set_num_threads(1)  # as the dashboard's worker and the web server train
    config = PRESETS["ring-stable"].config()
    pool = Pool(workers=1)
    rates: dict[str, list[float]] = {"thread": [], "local": []}
    try:
        for _ in range(args.rounds):
            for kind, make in (("thread", lambda: ThreadTrainer(config)), ("local", lambda: LocalTrainer(config, pool))):
                handle = make()
                rates[kind].append(round(rate(handle, args.seconds), 1))
                handle.close()
    finally:
        pool.stop()
    med = {k: statistics.median(v) for k, v in rates.items()}
    result = {"thread": rates["thread"], "local": rates["local"], "thread_median": med["thread"],
              "local_median": med["local"], "ratio": round(med["local"] / med["thread"], 3) if med["thread"] else None}
    if args.json:
        print(json.dumps(result))
    else:
        print(f"thread Runner   {med['thread']:8.1f} steps/s  (median of {rates['thread']})")
        print(f"worker process  {med['local']:8.1f} steps/s  (median of {rates['local']})")
        print(f"ratio           {result['ratio']}  (target >= 1: one user is not slower)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
