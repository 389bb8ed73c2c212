"""Checking a Ray cluster address before any work starts, within a deadline, without hanging.

    check_address("10.0.0.5:6379", timeout_s=30)   # returns, or raises ConfigError saying what to do

``ray.init`` on an address nothing listens on retries for many minutes inside Ray's C++ client, where
SIGTERM waits. So the check runs in two steps that both end by the deadline: a TCP connection to the head's
port (retried until the deadline: a head that is still starting gets its chance), then ``ray.init`` in a
child process that the check kills at the deadline (and that kills itself one second later, should the
check itself be killed first). A head that answers but refuses the driver, typically because it uses token
authentication (``RAY_AUTH_MODE=token``, the default for local clusters from Ray 2.59), gets a hint.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import time

from core.errors import ConfigError

CONNECT_TIMEOUT_S = 30.0
LOCAL_START_S = 4.0  # about how long a local Ray takes to start here (said on the page before it starts)
_LOCAL = ("", "local")  # no address: the executor starts its own local Ray
_PROBE = """
import signal, sys
signal.alarm(int(sys.argv[2]) + 1)  # the default action ends this process even inside Ray's C++ client
import ray
try:
    ray.init(address=sys.argv[1], include_dashboard=False, log_to_driver=False, logging_level="error")
except BaseException as err:
    lines = [line for line in str(err).splitlines() if line.strip()] or [""]
    print(f"probe-error {type(err).__name__}: {lines[0]}", file=sys.stderr)
    sys.exit(1)
ray.shutdown()
"""
AUTH_HINT = (
    "If the cluster uses token authentication, set RAY_AUTH_MODE=token and its token (RAY_AUTH_TOKEN, or the "
    "file ~/.ray/auth_token, from `ray get-auth-token` on the head) here too."
)


def host_port(address: str) -> tuple[str, int] | None:
    """``(host, port)`` of ``host:port`` or ``ray://host:port``; None for addresses Ray resolves itself ("auto")."""
    text = address.strip()
    if text.startswith("ray://"):
        text = text[len("ray://") :]
    if text == "auto":
        return None
    host, sep, port = text.rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(
            f"The Ray address must look like HOST:PORT (e.g. 10.0.0.5:6379) or ray://HOST:10001. Got {address!r}."
        )
    return host, int(port)


def check_address(address: str | None, *, timeout_s: float = CONNECT_TIMEOUT_S) -> None:
    """Raise ConfigError unless a Ray head at ``address`` accepts this driver within ``timeout_s`` seconds."""
    if address is None or address.strip() in _LOCAL:
        return
    deadline = time.monotonic() + timeout_s
    target = host_port(address)
    if target is not None:
        _wait_for_port(address, target, deadline, timeout_s)
    _probe(address, deadline)


def _wait_for_port(address: str, target: tuple[str, int], deadline: float, timeout_s: float) -> None:
    last = "no answer"
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise ConfigError(
                f"Nothing answers at the Ray address {address!r} ({last}; tried for {timeout_s:g} s). Start the "
                "head there (ray start --head), correct --ray-address or $RAY_ADDRESS, or use --executor local."
            )
        try:
            with socket.create_connection(target, timeout=min(5.0, remaining)):
                return
        except OSError as err:
            last = err.strerror or type(err).__name__
        time.sleep(min(0.5, max(0.0, deadline - time.monotonic())))


def _probe(address: str, deadline: float) -> None:
    remaining = max(1.0, deadline - time.monotonic())
    env = {**os.environ, "RAY_LOG_TO_STDERR": "0"}
    cmd = [sys.executable, "-c", _PROBE, address, str(int(remaining) + 1)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    try:
        _, err = proc.communicate(timeout=remaining)
    except subprocess.TimeoutExpired:
        raise ConfigError(
            f"The Ray head at {address!r} answers but did not accept this driver within the time allowed. " + AUTH_HINT
        ) from None
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    if proc.returncode != 0:
        said = [line[len("probe-error ") :] for line in err.splitlines() if line.startswith("probe-error ")]
        reason = (said or ["no reason given"])[-1]
        if proc.returncode < 0:
            reason = f"the connection attempt was ended by signal {-proc.returncode}"
        raise ConfigError(f"The Ray head at {address!r} refused this driver: {reason}. " + AUTH_HINT)


def _ray_installed() -> bool:
    return importlib.util.find_spec("ray") is not None  # found, not imported: importing Ray takes seconds


def ray_offered(environ: dict[str, str] | None = None) -> bool:
    """Offer the Ray executor when ``RAY_ADDRESS`` names a cluster or Ray is installed (to start a local one)."""
    env = os.environ if environ is None else environ
    return bool(env.get("RAY_ADDRESS", "").strip()) or _ray_installed()


def ray_target(environ: dict[str, str] | None = None) -> str | None:
    """The cluster address from ``RAY_ADDRESS`` (None: a local Ray will be started)."""
    env = os.environ if environ is None else environ
    address = env.get("RAY_ADDRESS", "").strip()
    return None if address in _LOCAL else address


def connect(address: str | None, *, timeout_s: float = CONNECT_TIMEOUT_S) -> str:
    """Check ``address`` (ConfigError within ``timeout_s`` when nothing usable answers), then connect this
    process to it, or start a local Ray when ``address`` is None; returns what was joined, in words."""
    from core.explore.executors import start_ray

    check_address(address, timeout_s=timeout_s)
    if address is None and not _ray_installed():
        raise ConfigError("A local Ray needs Ray installed: pip install 'ray[default]'. Or pick another executor.")
    try:
        start_ray(address)
    except ConfigError:
        raise
    except Exception as err:  # Ray's own start-up errors, in one line
        lines = [line for line in str(err).splitlines() if line.strip()] or [type(err).__name__]
        where = f"the Ray cluster at {address!r}" if address else "a local Ray"
        raise ConfigError(f"Could not start {where}: {lines[0]}. Pick the local pool or one at a time.") from None
    return f"the Ray cluster at {address}" if address else "a local Ray on this machine"
