"""A local Ray cluster started by the ray executor listens on the loopback interface only."""

import json
import os
import subprocess
import sys
import types

import pytest

from core.explore import executors

LOOPBACK = {"127.0.0.1", "::1", "::ffff:127.0.0.1"}


def _fake_ray(monkeypatch):
    calls = []
    fake = types.SimpleNamespace(
        is_initialized=lambda: False, init=lambda **kw: calls.append(kw), remote=lambda **kw: lambda fn: fn
    )
    monkeypatch.setitem(sys.modules, "ray", fake)
    return calls


def test_a_local_ray_is_started_on_loopback_without_a_dashboard(monkeypatch):
    monkeypatch.delenv("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", raising=False)
    calls = _fake_ray(monkeypatch)
    list(executors._ray([], None, None))
    assert calls == [{"include_dashboard": False, "_node_ip_address": "127.0.0.1", "log_to_driver": False}]
    # without this, Ray 2.60 swaps 127.0.0.1 for the machine's outward IP and listens on every interface
    assert executors.os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] == "0"


def test_a_remote_cluster_is_joined_as_it_is(monkeypatch):
    monkeypatch.delenv("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", raising=False)
    calls = _fake_ray(monkeypatch)
    list(executors._ray([], "10.0.0.5:6379", None))
    assert calls == [{"address": "10.0.0.5:6379", "include_dashboard": False, "log_to_driver": False}]
    assert "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER" not in executors.os.environ


_PROBE = """
import json, psutil
from core.config import DataConfig, ModelConfig
from core.explore.executors import run_sweep
from core.explore.sweeps import SweepSpec
trials = run_sweep(SweepSpec(DataConfig(), ModelConfig(kind="knn"), {"k_neighbors": [1]}), executor="ray")
me = psutil.Process()
pids = {me.pid} | {p.pid for p in me.children(recursive=True)}
listening = sorted({c.laddr.ip for c in psutil.net_connections("inet") if c.status == "LISTEN" and c.pid in pids})
print(json.dumps({"status": [t.status for t in trials], "listening": listening}))
"""


@pytest.mark.slow
def test_a_real_local_ray_listens_on_loopback_only():
    pytest.importorskip("ray")
    env = {k: v for k, v in os.environ.items() if k != "RAY_ADDRESS"}
    proc = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True, timeout=240, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    seen = json.loads(proc.stdout.strip().splitlines()[-1])
    assert seen["status"] == ["complete"]
    assert seen["listening"] and set(seen["listening"]) <= LOOPBACK, seen
