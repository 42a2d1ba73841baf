"""python -m gan_core (the console script gan-classroom): serve, presets, train, bench, dirac, compare, sweep.
Besides serve (the dashboard), headless, for scripts and for checking demos before class.
Bad input: exit code 2 and one line saying what is wrong; never a traceback."""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time

import torch

EXIT_USAGE = 2


class UsageError(Exception):
    pass


class Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, not argparse's usage block
        raise UsageError(f"{self.prog}: {message}")


class Progress:
    """A progress bar on stderr: redrawn in place on a terminal, a line every 25% otherwise."""

    def __init__(self, label: str, enabled: bool = True):
        self.label, self.enabled, self.t0 = label, enabled, time.perf_counter()
        self.tty, self._last_quarter = sys.stderr.isatty(), -1

    def __call__(self, done: int, total: int, note: str = "") -> None:
        if not self.enabled or total <= 0:
            return
        frac = done / total
        rate = done / max(time.perf_counter() - self.t0, 1e-9)
        bar = "#" * int(frac * 30)
        line = f"{self.label} [{bar:<30}] {done}/{total} {rate:,.0f}/s {note}".rstrip()
        if self.tty:
            print("\r" + line, end="\n" if done >= total else "", file=sys.stderr, flush=True)
        elif int(frac * 4) > self._last_quarter:
            self._last_quarter = int(frac * 4)
            print(line, file=sys.stderr, flush=True)


def build_parser() -> Parser:
    p = Parser(prog="python -m gan_core", description="GAN Classroom: the dashboard (serve) and the engine, headless.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=Parser)

    # Listed for --help only: main() hands everything after `serve` to Streamlit untouched.
    sub.add_parser("serve", help="start the dashboard: serve [streamlit run options, e.g. --server.port 8502]")

    s = sub.add_parser("presets", help="list the demo presets (or verify them)")
    s.add_argument("--json", action="store_true")
    s.add_argument("--verify", action="store_true", help="run every preset over the seeds and print a table")
    s.add_argument("--seeds", default="0-4", help="seeds for --verify: '0-4' or '0,2,5'")
    s.add_argument("--only", nargs="*", help="verify only these presets")

    s = sub.add_parser("train", help="train a GAN and print its final numbers")
    s.add_argument("--preset", default="ring-stable")
    s.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override a setting")
    s.add_argument("--steps", type=int, help="training steps (default: the preset's)")
    s.add_argument("--seed", type=int)
    s.add_argument("--out", help="write a run folder here")
    s.add_argument("--json", action="store_true")

    s = sub.add_parser("bench", help="Trainer vs a bare PyTorch loop, side by side")
    s.add_argument("--json", action="store_true")
    s.add_argument("--steps", type=int, default=None,
                   help="steps per round (default: metrics_every, so each round includes one quality evaluation)")
    s.add_argument("--rounds", type=int, help="paired rounds (default 7; 3 with --sweep)")
    s.add_argument("--threads", type=int, help="torch threads for --sweep (default: one per core)")
    s.add_argument("--sizes", default="1,16,64", help="ensemble sizes for --sweep")
    s.add_argument("--memory-steps", type=int, default=0, help="also measure memory growth over N steps")
    s.add_argument("--sweep", action="store_true", help="the sweep ensemble against the plain Trainer instead")

    s = sub.add_parser("sweep", help="a stability map: a grid of settings x seeds, every run diagnosed")
    s.add_argument("--preset", default="ring-stable")
    s.add_argument("--grid", action="append", default=[], metavar="KEY=V1,V2,...", help="one axis (at most two)")
    s.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override a preset setting")
    s.add_argument("--seeds", default="0-1", help="seeds per cell: '0-2' or '0,2,5'")
    s.add_argument("--steps", type=int, help="training steps per run (default: the preset's)")
    s.add_argument("--ray", nargs="?", const="auto", metavar="ADDRESS", help="run batches as Ray tasks")
    s.add_argument("--threads", type=int, default=min(64, os.cpu_count() or 1),
                   help="torch threads (default: one per core; on 2 cores a 5x5x2 map of 2,000 steps took about "
                        "70 s on 2 threads, 120 s on 1)")
    s.add_argument("--out", help="write DIR/sweep.csv, DIR/map.png and DIR/map.json")
    s.add_argument("--json", action="store_true")

    s = sub.add_parser("dirac", help="the Dirac-GAN of Mescheder et al. 2018")
    s.add_argument("--method", default="gan")
    s.add_argument("--scheme", default="simultaneous")
    s.add_argument("--d-steps", type=int, default=1)
    s.add_argument("--gamma", type=float, help="penalty weight (wgan-gp, r1, consensus); older scripts also pass "
                   "the clip value or noise std this way, which still works")
    s.add_argument("--clip", type=float, help="wgan: clip psi to [-c, c]")
    s.add_argument("--sigma", type=float, help="instance-noise: noise std")
    s.add_argument("--h", type=float, default=0.2)
    s.add_argument("--steps", type=int, default=500)
    s.add_argument("--start", type=float, nargs=2, default=(1.0, 1.0), metavar=("THETA", "PSI"))
    s.add_argument("--json", action="store_true")

    s = sub.add_parser("compare", help="overlay the loss curves of saved runs")
    s.add_argument("runs", nargs="+", metavar="RUN_DIR")
    s.add_argument("--out", required=True, help="FILE.png or FILE.csv")
    s.add_argument("--runs-dir", help="where bare run names are looked up (default $GAN_CLASSROOM_RUNS or ./runs)")
    return p


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["serve"]:
        from .ui.serve import serve  # the one command that needs Streamlit

        return serve(argv[1:])
    try:
        args = build_parser().parse_args(argv)
        torch.set_num_threads(1)  # small models: a second thread only adds spin-waiting on a busy machine
        return COMMANDS[args.command](args)
    except (UsageError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def cmd_presets(args) -> int:
    from .presets import PRESETS

    if args.verify:
        from .verify import format_table, verify

        names = args.only or None
        for n in names or ():
            if n not in PRESETS:
                raise UsageError(f"unknown preset {n!r}; allowed: {', '.join(PRESETS)}")
        rows = verify(names, parse_seeds(args.seeds), Progress("verify"))
        print(json.dumps(rows, indent=1) if args.json else format_table(rows))
        return 0 if all(r["passed"] for r in rows) else 1
    if args.json:
        print(json.dumps({p.name: p.description for p in PRESETS.values()}, indent=1, ensure_ascii=False))
    else:
        width = max(map(len, PRESETS))
        for p in PRESETS.values():
            print(f"{p.name:<{width}}  {p.description}")
    return 0


def parse_seeds(text: str) -> list[int]:
    try:
        if "-" in text:
            a, b = (int(t) for t in text.split("-", 1))
            seeds = list(range(a, b + 1))
        else:
            seeds = [int(t) for t in text.split(",") if t.strip()]
    except ValueError:
        raise UsageError(f"--seeds {text!r}: expected a range like 0-4 or a list like 0,2,5") from None
    if not seeds or min(seeds) < 0:
        raise UsageError(f"--seeds {text!r}: expected non-negative seeds")
    return seeds


def parse_sets(pairs: list[str]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--set {pair!r}: expected KEY=VALUE, e.g. --set lr_d=1e-4")
        out[key.strip()] = value
    return out


def cmd_train(args) -> int:
    from .headless import train_and_summarise
    from .presets import get_preset

    preset = get_preset(args.preset)
    overrides = parse_sets(args.set)
    if args.seed is not None:
        overrides["seed"] = args.seed
    config = preset.config(**overrides)
    steps = preset.steps if args.steps is None else args.steps
    if not 0 <= steps <= 10_000_000:
        raise UsageError(f"--steps {steps}: expected 0 to 10,000,000")
    result = train_and_summarise(config, steps, out=args.out, progress=Progress("train"))
    if args.json:
        print(json.dumps(result, allow_nan=False, ensure_ascii=False))
    else:
        for key, value in result.items():
            print(f"{key:>10}: {value}")
    return 0


def cmd_bench(args) -> int:
    from .bench.engine import bench, memory_growth

    if args.sweep:
        from .bench.sweep import bench_sweep_cli

        return bench_sweep_cli(args, Progress("bench --sweep"))
    rounds = 7 if args.rounds is None else args.rounds
    if (args.steps is not None and args.steps < 10) or rounds < 1:
        raise UsageError("bench: --steps must be >= 10 and --rounds >= 1")
    result = bench(steps=args.steps, rounds=rounds, progress=Progress("bench"))
    if args.memory_steps:
        result["memory"] = memory_growth(args.memory_steps, progress=Progress("memory"))
    if args.json:
        print(json.dumps(result))
    else:
        print(f"Trainer    {result['trainer_steps_per_s']:8.1f} steps/s")
        print(f"bare loop  {result['bare_steps_per_s']:8.1f} steps/s")
        print(f"ratio      {result['ratio']:8.3f}   (target >= 0.9; median of {result['rounds']} paired rounds: "
              f"{', '.join(map(str, result['ratios']))})")
        print(f"metrics    {result['metrics_ms']:8.1f} ms each, every {result['metrics_every']} steps")
        if "memory" in result:
            m = result["memory"]
            print(f"memory     +{m['growth_mb']} MB over {m['steps']} steps ({m['history_rows']} history rows)")
    return 0


def cmd_dirac(args) -> int:
    from . import dirac

    if args.steps < 1 or args.steps > 100_000 or args.d_steps < 1 or args.d_steps > 10:
        raise UsageError("dirac: --steps must be 1..100000 and --d-steps 1..10")
    if not (0 < args.h <= 10) or not all(map(math.isfinite, args.start)):
        raise UsageError("dirac: --h must be in (0, 10] and --start finite")
    given = {k: v for k, v in (("clip", args.clip), ("sigma", args.sigma), ("gamma", args.gamma)) if v is not None}
    own = dirac.PARAM_NAME.get(args.method)
    if len(given) > 1 or set(given) - {own, "gamma"}:
        raise UsageError(f"dirac: --method {args.method} takes " + (f"--{own}" if own else "no parameter"))
    result = dirac.summary(args.method, args.scheme, d_steps=args.d_steps, param=next(iter(given.values()), None),
                           h=args.h, steps=args.steps, start=tuple(args.start))
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:>12}: {value}")
    return 0


def cmd_compare(args) -> int:
    from .compare_cli import compare_cli

    return compare_cli(args.runs, args.out, runs_dir=args.runs_dir)


def cmd_sweep(args) -> int:
    from .sweep_cli import sweep_cli

    return sweep_cli(args, Progress("sweep"), parse_seeds, parse_sets)


COMMANDS = {"presets": cmd_presets, "train": cmd_train, "bench": cmd_bench, "dirac": cmd_dirac,
            "compare": cmd_compare, "sweep": cmd_sweep}


if __name__ == "__main__":
    sys.exit(main())
