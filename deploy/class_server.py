"""A class server: K Streamlit replicas of GAN Classroom behind nginx, on one machine.

    python deploy/class_server.py --replicas 4 --port 8080 [--listen 0.0.0.0] [--ray-address HEAD:6379]

Starts the replicas on loopback ports (port+1 ... port+K), writes <dir>/nginx.conf and runs nginx in the
foreground with its own prefix, logs, temp folders and pid file under --dir (no root-owned paths): nginx
listens on --listen:--port, upgrades websockets, keeps each browser on one replica (a `gan_client` cookie
that nginx sets on the first response, hashed consistently: Streamlit needs affinity, and a school's
students often share one address, so the client address alone would send a whole class to one replica),
and stops sending to a replica that fails (passive checks). This script also checks every replica's
/_stcore/health every few seconds and restarts one that died or stopped answering. Ctrl-C stops all.

Trainers: by default each replica has its own pool of worker processes (GAN_CLASSROOM_WORKERS, default
one per core: give each replica cores/K); with --ray-address every session's trainer is a Ray actor on
that cluster (GAN_CLASSROOM_TRAINERS=ray, RAY_ADDRESS), and the web tier and the training tier scale
apart.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

CONF = """# written by deploy/class_server.py
worker_processes 1;
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log {dir}/access.log;
    client_body_temp_path {dir}/tmp/body;
    proxy_temp_path {dir}/tmp/proxy;
    fastcgi_temp_path {dir}/tmp/fastcgi;
    uwsgi_temp_path {dir}/tmp/uwsgi;
    scgi_temp_path {dir}/tmp/scgi;
    client_max_body_size 50m;

    map $http_upgrade $connection_upgrade {{ default upgrade; '' close; }}
    # One id per browser: the cookie once set, a fresh random id on its very first request.
    map $cookie_gan_client $gan_client {{ "" $request_id; default $cookie_gan_client; }}

    upstream gan_classroom {{
        hash $gan_client consistent;
{servers}
    }}

    server {{
        listen {listen}:{port};
        # {trainers}
        location / {{
            proxy_pass http://gan_classroom;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_read_timeout 1d;
            proxy_send_timeout 1d;
            proxy_next_upstream error timeout http_502 http_503;
            add_header Set-Cookie "gan_client=$gan_client; Path=/; HttpOnly; SameSite=Lax" always;
            add_header X-Replica $upstream_addr always;
        }}
    }}
}}
"""


def nginx_conf(folder: Path, listen: str, port: int, replica_ports: list[int], trainers: str) -> str:
    servers = "\n".join(f"        server 127.0.0.1:{p} max_fails=2 fail_timeout=10s;" for p in replica_ports)
    return CONF.format(dir=folder, listen=listen, port=port, servers=servers, trainers=trainers)


def healthy(port: int) -> bool:
    try:
        return urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2).read() == b"ok"
    except OSError:
        return False


def ray_problem(address: str, timeout: float = 120) -> str | None:
    """Why the replicas could not reach the Ray cluster at `address` (one line), or None: checked once, in a
    child process as a replica would connect, so a wrong address or a missing token says so at start-up
    instead of on the first student's Train."""
    host, _, port = address.rpartition(":")
    try:
        socket.create_connection((host or "127.0.0.1", int(port)), timeout=5).close()
    except (OSError, ValueError) as e:
        return f"nothing answers at {address} ({e}); start the head with `ray start --head --port=PORT`"
    probe = ("import sys; from gan_core.sweep_ray import connect; r = connect(sys.argv[1]); "
             "print(r.cluster_resources().get('CPU', 0))")
    try:
        done = subprocess.run([sys.executable, "-c", probe, address], cwd=ROOT, capture_output=True, text=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        return f"no answer from the Ray cluster at {address} within {timeout:.0f} s"
    if done.returncode != 0:
        lines = [line for line in done.stderr.strip().splitlines() if line.strip()]
        return lines[-1] if lines else f"the check exited with {done.returncode}"
    if float(done.stdout.strip().splitlines()[-1]) <= 0:
        return f"the Ray cluster at {address} has no CPUs"
    return None


class ClassServer:
    def __init__(self, replicas: int, port: int, folder: Path, listen: str = "127.0.0.1",
                 ray_address: str | None = None, workers: int | None = None):
        self.port, self.folder, self.listen = port, folder, listen
        self.ports = [port + 1 + i for i in range(replicas)]
        self.env = dict(os.environ)
        if ray_address:
            self.env.update(GAN_CLASSROOM_TRAINERS="ray", RAY_ADDRESS=ray_address)
        elif workers:
            self.env["GAN_CLASSROOM_WORKERS"] = str(workers)
        self.trainers = f"trainers: Ray cluster at {ray_address}" if ray_address else "trainers: local worker processes"
        self.replicas: dict[int, subprocess.Popen] = {}
        self.nginx: subprocess.Popen | None = None
        self.failures = dict.fromkeys(self.ports, 0)

    def start_replica(self, port: int) -> None:
        log = open(self.folder / f"replica-{port}.log", "ab")
        self.replicas[port] = subprocess.Popen(
            [sys.executable, "-m", "gan_core.ui.serve", "--server.port", str(port), "--server.address", "127.0.0.1",
             "--server.headless", "true"], cwd=ROOT, env=self.env, stdout=log, stderr=log)

    def start(self, timeout: float = 180) -> None:
        (self.folder / "tmp").mkdir(parents=True, exist_ok=True)
        for port in self.ports:
            self.start_replica(port)
        conf = self.folder / "nginx.conf"
        conf.write_text(nginx_conf(self.folder, self.listen, self.port, self.ports, self.trainers))
        subprocess.run([NGINX, "-t", "-p", str(self.folder), "-c", str(conf)], check=True, capture_output=True)
        self.nginx = subprocess.Popen([NGINX, "-p", str(self.folder), "-c", str(conf)])
        deadline = time.monotonic() + timeout
        while not all(healthy(p) for p in self.ports):
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"replicas not healthy within {timeout:.0f} s (logs in {self.folder})")
            time.sleep(0.5)

    def check(self) -> None:
        """Restart a replica that exited or failed three health checks in a row."""
        for port, proc in list(self.replicas.items()):
            self.failures[port] = 0 if proc.poll() is None and healthy(port) else self.failures[port] + 1
            if proc.poll() is not None or self.failures[port] >= 3:
                print(f"replica on port {port} is down: restarting it", flush=True)
                stop(proc)
                self.start_replica(port)
                self.failures[port] = -10  # time to start

    def stop(self) -> None:
        for proc in [self.nginx, *self.replicas.values()]:
            if proc is not None:
                stop(proc)


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--replicas", type=int, default=2)
    ap.add_argument("--port", type=int, default=8080, help="nginx's port; replicas on the next K ports")
    ap.add_argument("--listen", default="127.0.0.1", help="nginx's address (0.0.0.0 for the class network)")
    ap.add_argument("--ray-address", help="train every session on this Ray cluster (HEAD:6379)")
    ap.add_argument("--workers", type=int, help="worker processes per replica (default: one per core)")
    ap.add_argument("--dir", type=Path, help="nginx prefix, logs and temp files (default: a new temp folder)")
    args = ap.parse_args(argv)
    if args.replicas < 1 or not 0 < args.port < 65536 - args.replicas:
        ap.error("--replicas must be >= 1 and the ports within 1..65535")
    if not Path(NGINX).exists():
        print("error: nginx is missing (apt-get install nginx)", file=sys.stderr)
        return 2
    if args.ray_address and (problem := ray_problem(args.ray_address)):
        print(f"error: --ray-address {args.ray_address}: {problem}", file=sys.stderr)
        return 2
    folder = (args.dir or Path(tempfile.mkdtemp(prefix="gan-class-"))).resolve()
    server = ClassServer(args.replicas, args.port, folder, args.listen, args.ray_address, args.workers)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        server.start()
        print(f"class server on http://{args.listen}:{args.port} ({args.replicas} replicas; {server.trainers}; "
              f"files in {folder})", flush=True)
        while True:
            time.sleep(5)
            server.check()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
