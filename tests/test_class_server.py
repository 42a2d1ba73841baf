"""deploy/class_server.py on loopback: nginx (Debian's) in front of two Streamlit replicas; each browser keeps
its replica (the gan_client cookie) and trains through the proxy (websocket upgrade)."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gan_core.bench.harness import ROOT, free_port

pytestmark = pytest.mark.browser


def load_deploy():
    spec = importlib.util.spec_from_file_location("class_server", ROOT / "deploy" / "class_server.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_nginx_config_has_upgrade_affinity_and_health():
    conf = load_deploy().nginx_conf(Path("/x"), "127.0.0.1", 8080, [8081, 8082], "trainers: local")
    assert "proxy_set_header Upgrade $http_upgrade" in conf and "hash $gan_client consistent" in conf
    assert conf.count("server 127.0.0.1:808") == 2 and "pid /x/nginx.pid" in conf


@pytest.mark.ray
def test_ray_address_checked_at_start_and_a_ray_start_head_cluster_reached(monkeypatch):
    """`ray start --head` turns on token authentication by default (Ray 2.5x); the replicas' client must
    use the token (gan_core.sweep_ray.import_ray) or it fails with "Failed to connect to Ray cluster"."""
    deploy = load_deploy()
    port = free_port()
    assert "nothing answers at 127.0.0.1" in deploy.ray_problem(f"127.0.0.1:{port}")
    for var in ("RAY_AUTH_MODE", "RAY_ADDRESS"):  # a client as the replicas start, not this test process
        monkeypatch.delenv(var, raising=False)
    ray = str(Path(sys.executable).parent / "ray")
    subprocess.run([ray, "start", "--head", f"--port={port}", "--num-cpus=1", "--include-dashboard=false",
                    "--disable-usage-stats"], check=True, capture_output=True, timeout=240)
    try:
        assert deploy.ray_problem(f"127.0.0.1:{port}") is None
    finally:
        subprocess.run([ray, "stop", "--force"], capture_output=True, timeout=120)


def test_two_replicas_behind_nginx_keep_each_browser_and_train(browser, tmp_path):
    deploy = load_deploy()
    if not Path(deploy.NGINX).exists():
        pytest.fail(f"{deploy.NGINX} is missing: install Debian's nginx (.ci/run does)")
    port = free_port()
    while not all(_free(p) for p in range(port + 1, port + 3)):
        port = free_port()
    server = deploy.ClassServer(2, port, tmp_path, workers=1)
    server.start()
    url = f"http://127.0.0.1:{port}"
    try:
        seen = set()
        for _ in range(20):  # fresh browsers until both replicas have had one (the hash is random per client)
            context = browser.new_context()
            replicas = {context.request.get(url + "/_stcore/health").headers["x-replica"] for _ in range(4)}
            context.close()
            assert len(replicas) == 1, replicas  # one browser, one replica
            seen |= replicas
            if len(seen) == 2:
                break
        assert seen == {f"127.0.0.1:{p}" for p in server.ports}
        pages = []
        for _ in range(2):
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            page = context.new_page()
            page.goto(url + "/playground")
            page.get_by_role("button", name="Train", exact=True).click(timeout=120_000)
            pages.append(page)
        for page in pages:
            page.get_by_role("button", name="Pause", exact=True).wait_for(timeout=60_000)
        time.sleep(3)
        for page in pages:
            first = step(page)
            deadline = time.monotonic() + 60
            while step(page) <= first:
                assert time.monotonic() < deadline, "no training through nginx"
                time.sleep(0.5)
            replica = {page.context.request.get(url + "/_stcore/health").headers["x-replica"] for _ in range(3)}
            assert len(replica) == 1
            page.context.close()  # its trainer is freed by the replica's liveness watch
    finally:
        server.stop()
    assert not (tmp_path / "nginx.pid").exists()  # nginx stopped and cleaned up its pid file


def step(page) -> int:
    text = page.locator("h4").filter(has_text="·").first.inner_text(timeout=30_000)
    return int(re.search(r"(\d[\d,]*)\s*·", text).group(1).replace(",", ""))


def _free(port: int) -> bool:
    import socket

    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False
