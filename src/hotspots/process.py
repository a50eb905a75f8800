"""Process plumbing of the ``hotspots`` program: signals, the watchdog, the exit, background imports.

Nothing here analyses or writes outputs; the command line (:mod:`hotspots.cli`) and the job
layer (:mod:`hotspots.jobs`) call it so that neither has to know how a process ends.

* **Signals.** Ctrl-C and SIGTERM raise ``KeyboardInterrupt`` (so output folders are never
  left half-written); a watchdog ends the process with status 130 if Python loses that
  exception (it can, inside its import machinery). Correctness, not speed: kept.
* **Quick exit.** :func:`flush_and_exit` ends the program without interpreter teardown once
  its outputs are written.
* **Background imports.** :func:`import_in_background` loads modules a later step needs while
  the input is read; :func:`hotspots.dbscan.preload_kernels` does the same for numba.

Measured gains (``benchmarks/bench_process.py --n 1000000 --rounds 3``, 2 shared cores under
heavy load from other jobs, median of 3 fresh processes; the rule is to drop a piece that
saves under 0.5 s at a million events):

=========================  =====================================================  =========
piece                      what was measured                                      seconds
=========================  =====================================================  =========
quick exit                 command returned -> process ended: normal exit 7.04,   6.6 saved
                           quick exit 0.46 (runs 3.20-7.18 vs 0.19-0.64)
background imports         importing the map renderer after the analysis          <= 3.9
                           modules (upper bound of the overlap; 1.5-5.0)
numba preload              loading the grid kernels from numba's cache (upper     <= 12.4
                           bound; 8.6-12.4, 114 when the cache was cold)
=========================  =====================================================  =========

Each saves well over 0.5 s, so all are kept. The import and kernel figures are upper bounds:
the overlap can save no more than them, and at a million events reading and validating
(tens of seconds) is long enough to hide them entirely.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Iterator

EXIT_INTERRUPTED = 130
#: 128 + SIGPIPE, the status a shell reports for a program whose reader went away.
EXIT_BROKEN_PIPE = 141

#: Seconds an interrupted command has to unwind before the process ends anyway.
INTERRUPT_GRACE_S = 10.0

_watchdogs: list[threading.Timer] = []


def interrupt(signum: int, frame: object) -> None:
    """Raise KeyboardInterrupt (Ctrl-C, SIGTERM), and end the process if it is lost.

    Python drops an exception raised inside its import machinery's weakref callbacks
    ("Exception ignored in ... cb"): a signal arriving as the main thread finishes an import
    while background threads import too (numba, the map renderer) is lost, and may leave
    an import lock held that the other threads then wait on for ever. If the interrupt has
    not been handled within :data:`INTERRUPT_GRACE_S`, the process ends with status 130.
    """
    if not _watchdogs:
        watchdog = threading.Timer(INTERRUPT_GRACE_S, _end_interrupted)
        watchdog.daemon = True
        watchdog.start()
        _watchdogs.append(watchdog)
    raise KeyboardInterrupt


def _end_interrupted() -> None:
    with contextlib.suppress(OSError, ValueError):  # a closed stream must not keep it alive
        print("Interrupted: the command did not stop in time and was ended.", file=sys.stderr)
    flush_and_exit(EXIT_INTERRUPTED)


def interrupt_pending() -> bool:
    """Whether an interrupt was raised that no command has handled (Python may have lost it)."""
    return bool(_watchdogs)


def raise_if_interrupted() -> None:
    """Raise KeyboardInterrupt again if an interrupt was raised but lost.

    Python drops a KeyboardInterrupt raised inside some callbacks ("Exception ignored in ...
    weakref remove"); the command then carries on as if nothing happened. Steps that deliver
    results (moving outputs in, appending the audit record) call this first, and so does the
    end of :func:`signals_as_interrupts`: an interrupted run never delivers or exits 0.
    """
    if _watchdogs:
        raise KeyboardInterrupt


def interrupt_handled() -> None:
    """Cancel the watchdog: the interrupt reached the command, which is now unwinding."""
    for watchdog in _watchdogs:
        watchdog.cancel()
    _watchdogs.clear()


@contextlib.contextmanager
def signals_as_interrupts() -> Iterator[None]:
    """Turn SIGINT and SIGTERM into KeyboardInterrupt for the ``with`` block (main thread only).

    A polite kill (SIGTERM) then gets the same clean-up as Ctrl-C: no half-written folders.
    The previous handlers come back afterwards, for a host calling in-process.
    """
    previous = {}
    if threading.current_thread() is threading.main_thread():
        previous = {sig: signal.signal(sig, interrupt) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
        raise_if_interrupted()  # an interrupt Python lost: still not a success
    finally:
        for sig, handler in previous.items():
            if handler is not None:
                signal.signal(sig, handler)


def silence_standard_streams() -> None:
    """Point standard output and error at the null device, so nothing more can fail on them."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(AttributeError, OSError, ValueError):  # no file descriptor
                os.dup2(devnull, stream.fileno())
    finally:
        os.close(devnull)


def flush_and_exit(status: int) -> None:
    """Flush the standard streams and end the process at once with ``status``."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe or stream: nothing more can reach it
            pass
    os._exit(status)


def exit_status(code: object) -> int:
    """The status Python gives ``sys.exit(code)``: None is 0, an int itself, else printed and 1."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def import_in_background(modules: tuple[str, ...]) -> None:
    """Import ``modules`` on a daemon thread while this one reads and validates the input.

    Reading and projecting run mostly outside the GIL, so imports a later step needs
    (folium, jinja2 and branca for the map: over half a second) overlap them. The step's own
    ``import`` then finds the module loaded, or waits for the thread to finish loading it
    (Python's import system locks each module while it loads). A failure is not reported
    here: the step's own import raises it again.
    """

    def load() -> None:
        import importlib

        for module in modules:
            with contextlib.suppress(Exception):
                importlib.import_module(module)

    threading.Thread(target=load, name="hotspots-imports", daemon=True).start()
