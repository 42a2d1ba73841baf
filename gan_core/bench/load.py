"""Load test of a class on one server: `python -m gan_core.bench.load --sessions N --seconds S [--url URL]
[--json]`.

N real headless-Chromium contexts (one browser) open the Playground, press Train and are watched for S
seconds: each session's steps/s (from its status line `Step N · R steps/s`), the intervals between
redraws of that line (p50/p95), sessions that stopped by themselves, errors (page errors, exceptions
shown on the page), and the server's RSS (the server and its worker processes, when this tool started
the server or was given --server-pid). First, in the same run, one session alone: the baseline.

--workers-cpus 0 (or 0,1) pins the trainer worker processes to those cores (GAN_CLASSROOM_WORKERS = their
number) and --browser-cpus puts Chromium and this tool elsewhere: the per-core figures.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from .harness import CHROMIUM, CHROMIUM_ARGS, start_server
from .wsclient import ProtocolSession

STATUS_JS = "() => { const h = [...document.querySelectorAll('h4')].find(e => e.textContent.includes('·'));" \
            " return h ? h.textContent : null; }"
WATCH_JS = """() => { window.__redraws = []; let last = null;
  setInterval(() => { const h = [...document.querySelectorAll('h4')].find(e => e.textContent.includes('·'));
    const t = h ? h.textContent : null; if (t !== last) { last = t; window.__redraws.push(performance.now()); } }, 20); }"""
# --no-draw: every page still pulls, decodes and lays out each frame, but the 2-D canvas calls that paint
# pixels do nothing. On one 2-core machine N rendering browsers need N x ~45% of a core (measured by this
# tool's CPU line), which a real class spends on the students' own machines, not on the server.
NO_DRAW_JS = """(() => { const P = CanvasRenderingContext2D.prototype;
  for (const m of ["fillRect", "strokeRect", "clearRect", "fill", "stroke", "drawImage", "putImageData", "fillText",
                   "strokeText"]) P[m] = function () {}; })();"""
GONE_WAIT = 16.0  # s: a closed tab's trainer is freed GAN_CLASSROOM_GONE_SECONDS (10) + up to 5 s after
TRAIN_WAIT = 120.0  # s for all sessions together to start training (a cold server imports torch per worker)
MIN_TRAIN_WAIT = 5.0  # s each session still gets once that is spent
ERRORS_JS = "() => document.querySelectorAll('[data-testid=stException]').length"


def parse_status(text: str | None) -> tuple[int | None, bool]:
    """(step, training) from `Step 1,234 · 240 steps/s · training` (English page)."""
    if not text or "Step" not in text:
        return None, False
    step = int(text.split("Step", 1)[1].split("·")[0].strip().replace(",", ""))
    return step, "training" in text


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants, in MB (from /proc)."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            status = Path(f"/proc/{p}/status").read_text()
            total += int(next(line for line in status.splitlines() if line.startswith("VmRSS")).split()[1])
            todo += [int(c) for c in Path(f"/proc/{p}/task/{p}/children").read_text().split()]
        except (OSError, StopIteration, ValueError):
            pass
    return total / 1024


def descendants(pid: int) -> list[int]:
    """A process's descendants (not itself), from /proc."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        try:
            kids = [int(c) for t in Path(f"/proc/{p}/task").iterdir() for c in (t / "children").read_text().split()]
        except (OSError, ValueError):
            kids = []
        out += kids
        todo += kids
    return out


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds of these processes (all their threads) so far; gone processes count 0."""
    tick, total = os.sysconf("SC_CLK_TCK"), 0
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, ValueError, IndexError):
            pass
    return total / tick


def cpu_groups(server_pid: int | None) -> dict[str, list[int]]:
    """The processes whose CPU the load test reports: the web server, its trainer workers, and this tool's
    browsers (Chromium and Playwright's driver: this process's descendants outside the server's tree), and
    this tool itself (where protocol clients run)."""
    server = [server_pid, *descendants(server_pid)] if server_pid else []
    workers = worker_pids(server_pid) if server_pid else []
    return {"web": [p for p in server if p not in workers], "trainers": workers,
            "browsers": [p for p in descendants(os.getpid()) if p not in server], "this tool": [os.getpid()]}


def worker_pids(server_pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-f", "gan_core.host.worker"], capture_output=True, text=True).stdout.split()
    return [int(p) for p in out if Path(f"/proc/{p}/stat").exists()
            and int(Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()[1]) == server_pid]


class Session:
    def __init__(self, browser, url: str, errors: list, draw: bool = True):
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        if not draw:
            self.context.add_init_script(NO_DRAW_JS)
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda exc: errors.append(str(exc)[:200]))
        self.page.goto(url + "/playground")

    def train(self, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        self.page.get_by_role("button", name="Train", exact=True).click(timeout=timeout * 1000)
        left = max(1.0, deadline - time.monotonic())
        self.page.get_by_role("button", name="Pause", exact=True).wait_for(timeout=left * 1000)

    def status(self) -> tuple[int | None, bool, float]:
        step, training = parse_status(self.page.evaluate(STATUS_JS))
        return step, training, time.perf_counter()

    def start_watch(self) -> None:
        self.page.evaluate(WATCH_JS)

    def redraw_times(self) -> list[float]:
        return self.page.evaluate("window.__redraws")

    def page_exceptions(self) -> int:
        return self.page.evaluate(ERRORS_JS)

    def close(self) -> None:
        """Pause (so the next phase starts on idle cores), then close the tab."""
        from playwright.sync_api import Error

        try:
            self.page.get_by_role("button", name="Pause", exact=True).click(timeout=20_000)
        except Error:
            pass  # a page too busy to answer: closing the tab frees its trainer all the same (liveness)
        self.context.close()


def watch(sessions: list[Session], seconds: float, errors: list, groups=None) -> dict:
    """Press Train in each session, then read each status line S seconds apart; with `groups` (a function
    giving name -> pids), also the CPU each group used meanwhile, in % of one core."""
    from playwright.sync_api import Error

    deadline = time.monotonic() + TRAIN_WAIT  # one wait for all: a broken server costs minutes, not N x minutes
    for s in sessions:
        try:
            s.train(max(MIN_TRAIN_WAIT, deadline - time.monotonic()))
        except (Error, TimeoutError) as exc:  # counted, not fatal: a page that never showed Train is a finding
            errors.append(f"Train: {str(exc).splitlines()[0][:150]}")
    time.sleep(2.0)  # past the start-up transient
    for s in sessions:
        s.start_watch()
    start = [s.status() for s in sessions]
    procs = groups() if groups else {}
    cpu0, t0 = {k: cpu_seconds(v) for k, v in procs.items()}, time.perf_counter()
    time.sleep(seconds)
    end = [s.status() for s in sessions]
    wall = time.perf_counter() - t0
    cpu = {k: round(100 * (cpu_seconds(v) - cpu0[k]) / wall, 1) for k, v in procs.items()}
    rates, stopped, gaps = [], 0, []
    for s, (s0, _, t0), (s1, training, t1) in zip(sessions, start, end):
        rates.append(round((s1 - s0) / (t1 - t0), 1) if s0 is not None and s1 is not None else 0.0)
        stopped += not training
        ts = s.redraw_times()
        gaps += [b - a for a, b in zip(ts, ts[1:])]
    errors = sum(s.page_exceptions() for s in sessions)
    gaps.sort()
    pct = (lambda q: round(gaps[min(len(gaps) - 1, int(q * len(gaps)))] / 1000, 3)) if gaps else (lambda q: None)
    return {"steps_per_s": rates, "total": round(sum(rates), 1), "stopped": stopped, "page_exceptions": errors,
            "redraw_p50_s": pct(0.5), "redraw_p95_s": pct(0.95), "cpu_percent": cpu}


def run(n: int, seconds: float, url: str | None, server_pid: int | None, workers_cpus: str | None,
        browser_cpus: str | None, baseline_seconds: float, draw: bool = True, client: str = "browser") -> dict:
    from playwright.sync_api import sync_playwright

    proc = None
    if url is None:
        env = {"GAN_CLASSROOM_RUNS": os.environ.get("GAN_CLASSROOM_RUNS", "/tmp/gan-load-runs")}
        if workers_cpus:
            env["GAN_CLASSROOM_WORKERS"] = str(len(workers_cpus.split(",")))
        proc, url = start_server(env)
        server_pid = proc.pid
    if workers_cpus and server_pid:
        time.sleep(1.0)
        for pid in worker_pids(server_pid):
            subprocess.run(["taskset", "-pc", workers_cpus, str(pid)], capture_output=True, check=False)
    if browser_cpus:
        os.sched_setaffinity(0, {int(c) for c in browser_cpus.split(",")})
    errors: list[str] = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            open_session = (lambda: Session(browser, url, errors, draw)) if client == "browser" else (
                lambda: ProtocolSession(url, errors))
            one = [open_session()]
            base = watch(one, baseline_seconds, errors, lambda: cpu_groups(server_pid))
            print(f"baseline: {base}", file=sys.stderr, flush=True)
            if not base["total"]:
                raise RuntimeError(f"the single session did not train, so there is nothing to compare with: "
                                   f"{'; '.join(errors[:3]) or 'no error on its page'}")
            for s in one:
                s.close()
            time.sleep(GONE_WAIT)  # the server frees the closed tab's trainer: the class starts on a free server
            rss_idle = tree_rss_mb(server_pid) if server_pid else None
            many = [open_session() for _ in range(n)]
            load = watch(many, seconds, errors, lambda: cpu_groups(server_pid))
            rss = tree_rss_mb(server_pid) if server_pid else None
            for s in many:
                s.close()
            browser.close()
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
    rates = load["steps_per_s"]
    single = base["total"]
    return {"sessions": n, "seconds": seconds, "single_steps_per_s": single,
            "single_cpu_percent": base.get("cpu_percent", {}), **load,
            "total_vs_single": round(load["total"] / single, 3) if single else None,
            "slowest_vs_fastest": round(min(rates) / max(rates), 3) if max(rates, default=0) > 0 else None,
            "page_errors": errors[:10], "server_rss_mb": round(rss, 1) if rss else None,
            "rss_per_session_mb": round((rss - rss_idle) / n, 1) if rss and rss_idle else None,
            "load_average": os.getloadavg()[0], "workers_cpus": workers_cpus, "draw": draw,
            "client": client}


def report(r: dict) -> str:
    ok = lambda c: "ok" if c else "MISSED"  # noqa: E731
    lines = [f"single session   {r['single_steps_per_s']:8.1f} steps/s (baseline, same run)",
             f"{r['sessions']} sessions       {r['total']:8.1f} steps/s total = {r['total_vs_single']} x single "
             f"(target >= 0.8: {ok((r['total_vs_single'] or 0) >= 0.8)})",
             f"per session      {', '.join(f'{x:g}' for x in r['steps_per_s'])}",
             f"slowest/fastest  {r['slowest_vs_fastest']} (target >= 0.5: {ok((r['slowest_vs_fastest'] or 0) >= 0.5)})",
             f"redraw interval  p50 {r['redraw_p50_s']} s, p95 {r['redraw_p95_s']} s",
             f"stopped          {r['stopped']} (target 0: {ok(r['stopped'] == 0)})",
             f"errors           {r['page_exceptions']} on pages, {len(r['page_errors'])} page errors "
             f"(target 0: {ok(not r['page_exceptions'] and not r['page_errors'])})"
             + "".join(f"\n                 {e}" for e in r["page_errors"][:3]),
             "CPU, % of a core " + ", ".join(f"{k} {v:g}" for k, v in r.get("cpu_percent", {}).items())
             + " (single: " + ", ".join(f"{k} {v:g}" for k, v in r.get("single_cpu_percent", {}).items()) + ")"
             + ("" if r.get("draw", True) else "; browsers paint nothing (--no-draw)")
             + ("; sessions are protocol clients, no browsers" if r.get("client") == "protocol" else ""),
             f"server RSS       {r['server_rss_mb']} MB, {r['rss_per_session_mb']} MB per session",
             f"load average     {r['load_average']:.1f} (1 min, the whole machine)"]
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m gan_core.bench.load", description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--baseline-seconds", type=float, default=20.0)
    ap.add_argument("--url", help="a running server (default: start one on a free loopback port)")
    ap.add_argument("--server-pid", type=int, help="with --url: the server's pid, for its RSS")
    ap.add_argument("--workers-cpus", help="pin the trainer workers to these cores, e.g. 0 or 0,1")
    ap.add_argument("--browser-cpus", help="run Chromium on these cores, e.g. 1")
    ap.add_argument("--no-draw", action="store_true",
                    help="the browsers pull and decode every frame but paint no pixels (see NO_DRAW_JS)")
    ap.add_argument("--client", choices=("browser", "protocol"), default="browser",
                    help="browser: a headless-Chromium tab per session; protocol: a client of Streamlit's websocket "
                         "and the live stream that draws nothing (gan_core.bench.wsclient)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if args.sessions < 1 or args.seconds <= 0 or args.baseline_seconds <= 0:
        ap.error("--sessions must be >= 1 and the durations > 0")
    if not Path(CHROMIUM).exists():
        print(f"error: {CHROMIUM} is missing (Debian's chromium)", file=sys.stderr)
        return 2
    try:
        result = run(args.sessions, args.seconds, args.url, args.server_pid, args.workers_cpus, args.browser_cpus,
                     args.baseline_seconds, draw=not args.no_draw, client=args.client)
    except (RuntimeError, OSError) as exc:  # the baseline never trained; the server cannot be reached
        print(f"error: {exc}" if isinstance(exc, RuntimeError) else f"error: {args.url}: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(result) if args.json else report(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
