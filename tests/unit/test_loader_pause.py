"""Keras workers still loading are paused while a NumPy or scikit-learn run is timed beside them: counted pauses,
a cap, resumed on every way out (an error, a run that claims the loader, a close), and a run stamped
"tensorflow-loading" only when a loader did load beside it.

The loaders here are fakes (a child that never says it is ready, and sleeps rather than spins, to spare the
shared cores); the pause code they run through is the real one."""

import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest

from core import DataConfig, DataError, ModelConfig
from core.config import Backend
from core.training.worker import (
    LOADING_CONTEXT,
    EnginePools,
    LoaderPause,
    RunStopped,
    TrainingWorker,
    WorkerPool,
    reap_stopped_orphans,
)

_ROOT = Path(__file__).resolve().parents[2]
_FOREVER = "import time\nwhile True:\n    time.sleep(0.05)\n"


class ForeverLoading(TrainingWorker):
    """A Keras worker whose child never finishes loading (it never connects)."""

    def __init__(self) -> None:
        super().__init__(tensorflow=True)

    def _spawn(self, code: str, env: dict[str, str]) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-c", _FOREVER], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


class NamedForeverLoading(ForeverLoading):
    """The same fake, its command line carrying the real child's call (which names the parent that started it)."""

    def _spawn(self, code: str, env: dict[str, str]) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-c", _FOREVER + "# " + code], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )


def status(worker: TrainingWorker) -> str:
    return psutil.Process(worker._process.pid).status()


def wait_status(worker: TrainingWorker, wanted: str, timeout: float = 5.0) -> str:
    deadline = time.monotonic() + timeout
    while (now := status(worker)) != wanted and time.monotonic() < deadline:
        time.sleep(0.01)
    return now


@pytest.fixture
def loader():
    w = ForeverLoading().start()
    yield w
    w.close()


def test_pauses_are_counted_and_the_loader_runs_again_when_the_last_holder_lets_go(loader):
    first, second = loader.pause_loading(), loader.pause_loading()  # two sessions' runs
    assert first is not None and second is not None
    assert wait_status(loader, psutil.STATUS_STOPPED) == psutil.STATUS_STOPPED and loader.paused
    assert loader.unpause_loading(first)
    assert wait_status(loader, psutil.STATUS_STOPPED) == psutil.STATUS_STOPPED  # the other run is still timed
    assert loader.unpause_loading(second)
    assert wait_status(loader, psutil.STATUS_SLEEPING) != psutil.STATUS_STOPPED and not loader.paused


def test_two_overlapping_pauses_keep_the_loader_stopped_until_both_end(loader):
    a, b = LoaderPause(lambda: [loader], cap_s=30), LoaderPause(lambda: [loader], cap_s=30)
    a.__enter__()
    b.__enter__()
    a.__exit__(None, None, None)
    assert wait_status(loader, psutil.STATUS_STOPPED) == psutil.STATUS_STOPPED
    b.__exit__(None, None, None)
    assert wait_status(loader, psutil.STATUS_SLEEPING) != psutil.STATUS_STOPPED
    assert a.clean and b.clean


def test_a_run_that_claims_a_paused_loader_resumes_it_and_the_pause_knows(loader):
    token = loader.pause_loading()
    assert token is not None
    asked = threading.Event()
    outcome = []

    def keras_run():  # another session's Keras run, waiting for this worker to be ready
        try:
            loader.run(DataConfig(), ModelConfig(kind="keras_mlp", backend="tensorflow"), should_stop=asked.is_set)
        except RunStopped as err:
            outcome.append(err)

    thread = threading.Thread(target=keras_run)
    thread.start()
    try:
        deadline = time.monotonic() + 5
        while not loader.busy and time.monotonic() < deadline:
            time.sleep(0.01)
        assert loader.busy and wait_status(loader, psutil.STATUS_SLEEPING) != psutil.STATUS_STOPPED
        assert loader.pause_loading() is None  # never pause one a run waits for
        assert not loader.unpause_loading(token)  # it was resumed before its holder let go
    finally:
        asked.set()
        thread.join(10)
    assert outcome and status(loader) != psutil.STATUS_STOPPED


def test_past_the_cap_the_loader_runs_again_even_if_the_run_thread_never_returns(loader):
    pause = LoaderPause(lambda: [loader], cap_s=0.2)
    pause.__enter__()  # and no __exit__: a run thread that never comes back
    assert wait_status(loader, psutil.STATUS_STOPPED) == psutil.STATUS_STOPPED
    time.sleep(0.5)
    assert wait_status(loader, psutil.STATUS_SLEEPING) != psutil.STATUS_STOPPED
    pause.__exit__(None, None, None)
    assert pause.capped and not pause.clean
    assert not loader.paused and loader.pause_loading() is not None  # the count was given back, not left at 1


def test_an_error_in_the_run_resumes_the_loader(loader):
    with pytest.raises(ValueError, match="boom"), LoaderPause(lambda: [loader], cap_s=30):
        assert wait_status(loader, psutil.STATUS_STOPPED) == psutil.STATUS_STOPPED
        raise ValueError("boom")
    assert wait_status(loader, psutil.STATUS_SLEEPING) != psutil.STATUS_STOPPED and not loader.paused


def test_a_loader_started_during_the_run_makes_it_unclean_and_a_ready_or_idle_machine_does_not():
    workers: list[TrainingWorker] = []
    with LoaderPause(lambda: workers, cap_s=30) as quiet:
        pass
    assert quiet.clean and not quiet.paused  # nothing loading: nothing to pause, a clean time
    with LoaderPause(lambda: workers, cap_s=30) as pause:
        workers.append(ForeverLoading().start())  # e.g. a Keras run of another session started a second worker
    try:
        assert not pause.paused and not pause.clean
    finally:
        workers[0].close()


def test_closing_ends_a_suspended_loader_and_its_pool():
    pool = WorkerPool(tensorflow=True, warm=1, max_size=1)
    pool._new = lambda: ForeverLoading().start()  # a pool of loaders that never finish
    pool.start()
    (worker,) = pool.workers
    token = worker.pause_loading()
    assert token is not None and wait_status(worker, psutil.STATUS_STOPPED) == psutil.STATUS_STOPPED
    process = worker._process
    pool.close()
    assert process.wait(timeout=10) is not None
    assert not worker.unpause_loading(token)  # a late holder neither resumes nor signals a dead pid


def test_a_process_that_exits_with_a_loader_paused_resumes_it():
    code = (
        "import sys\n"
        "from tests.unit.test_loader_pause import ForeverLoading\n"
        "w = ForeverLoading().start()\n"
        "assert w.pause_loading() is not None\n"
        "print(w._process.pid, flush=True)\n"  # and exit, the worker neither resumed nor closed
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=_ROOT)
    child = psutil.Process(int(done.stdout.split()[0]))
    try:
        deadline = time.monotonic() + 5
        while child.status() == psutil.STATUS_STOPPED and time.monotonic() < deadline:
            time.sleep(0.01)
        assert child.status() != psutil.STATUS_STOPPED  # a real worker then reads its socket's end and exits
    finally:
        child.kill()


def test_a_loader_left_suspended_by_a_killed_server_is_reaped_and_one_whose_server_lives_is_not():
    code = (
        "import os, signal\n"
        "from tests.unit.test_loader_pause import NamedForeverLoading\n"
        "w = NamedForeverLoading().start()\n"
        "assert w.pause_loading() is not None\n"
        "print(w._process.pid, flush=True)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"  # killed outright: no atexit resumes the loader
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=_ROOT)
    orphan = psutil.Process(int(done.stdout.split()[0]))
    mine = NamedForeverLoading().start()  # suspended too, but its server (this process) is running
    try:
        assert mine.pause_loading() is not None and wait_status(mine, psutil.STATUS_STOPPED) == psutil.STATUS_STOPPED
        assert orphan.status() == psutil.STATUS_STOPPED  # nobody will ever resume it
        assert reap_stopped_orphans() == 1
        assert orphan.wait(5) is not None or not orphan.is_running()
        assert status(mine) == psutil.STATUS_STOPPED  # left alone
    finally:
        if orphan.is_running():
            orphan.kill()
        mine.close()


# --- through the light pool: real NumPy runs ---------------------------------------------------------------
class _Statuses:
    """An epoch callback noting (seconds since the run began, the loader's state) while the run trains."""

    def __init__(self, loader: TrainingWorker, stop_after_s: float | None = None) -> None:
        self.loader, self.stop_after_s, self.seen, self.started = loader, stop_after_s, [], time.perf_counter()

    def __call__(self, log) -> bool:
        self.seen.append((time.perf_counter() - self.started, status(self.loader)))
        return self.stop_after_s is not None and time.perf_counter() - self.started > self.stop_after_s


def _pools_with_a_loader(cap_s: float | None) -> tuple[EnginePools, TrainingWorker]:
    pools = EnginePools(light_max_size=1, pause_loaders_s=cap_s)
    keras = WorkerPool(tensorflow=True, warm=1, max_size=1)
    keras._new = lambda: ForeverLoading().start()
    pools._pools[Backend.TENSORFLOW] = keras.start()  # as warm_up_workers leaves it: TensorFlow still loading
    light = pools.pool(None)
    deadline = time.monotonic() + 60
    while not light.ready and time.monotonic() < deadline:  # as in the app: the light worker starts with Home
        time.sleep(0.05)
    return pools, keras.workers[0]


@pytest.mark.slow
def test_a_numpy_run_beside_a_loading_worker_pauses_it_and_is_stamped_serial():
    pools, loader = _pools_with_a_loader(cap_s=30)
    try:
        light = pools.pool_for(ModelConfig())
        statuses = _Statuses(loader)
        result = light.run(DataConfig(), ModelConfig(), callback=statuses)  # the Train page's default
        assert statuses.seen and {state for _, state in statuses.seen} == {psutil.STATUS_STOPPED}
        assert result.cost.timing_context == "serial"
        assert wait_status(loader, psutil.STATUS_SLEEPING) != psutil.STATUS_STOPPED

        with pytest.raises(DataError, match="Too few rows"):  # an error in the run: the loader goes on
            light.run(DataConfig(n_rows=10, val_fraction=0.1, test_fraction=0.1), ModelConfig())
        assert wait_status(loader, psutil.STATUS_SLEEPING) != psutil.STATUS_STOPPED and not loader.paused
    finally:
        pools.close()


@pytest.mark.slow
def test_a_run_past_the_cap_resumes_the_loader_and_is_stamped_tensorflow_loading():
    cap_s = 0.5
    pools, loader = _pools_with_a_loader(cap_s=cap_s)
    try:
        light = pools.pool_for(ModelConfig())
        statuses = _Statuses(loader, stop_after_s=cap_s + 1.5)  # a long run, stopped 1.5 s past the cap
        result = light.run(DataConfig(), ModelConfig(epochs=1000, hidden_units=(256,)), callback=statuses)
        before = {state for at, state in statuses.seen if at < cap_s - 0.1}  # none if the machine is busy
        after = [state for at, state in statuses.seen if at > cap_s + 0.5]
        assert before <= {psutil.STATUS_STOPPED} and after and psutil.STATUS_STOPPED not in after
        assert result.stopped and result.cost.timing_context == LOADING_CONTEXT
    finally:
        pools.close()


@pytest.mark.slow
def test_without_a_cap_the_light_pool_pauses_nothing_and_still_stamps_a_run_beside_a_loader():
    pools, loader = _pools_with_a_loader(cap_s=None)  # the CLI's and the benchmarks' pools
    try:
        statuses = _Statuses(loader)
        result = pools.pool_for(ModelConfig()).run(DataConfig(), ModelConfig(), callback=statuses)
        assert statuses.seen and psutil.STATUS_STOPPED not in {state for _, state in statuses.seen}
        assert result.cost.timing_context == LOADING_CONTEXT
    finally:
        pools.close()
