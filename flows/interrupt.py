"""Ctrl-C for the CLI: a graceful stop first, a certain and quick one after a short grace period.

With Python's default SIGINT handler, a Ctrl-C 0.2 s into a run was lost and the run went on to its end
(measured). The likely cause: while an asyncio event loop runs in the main thread (Prefect's client calls), the loop
swaps the default handler for its own, which cancels the running task instead, and a cancellation swallowed there
loses the interrupt; a handler of our own, which asyncio leaves in place, ended every such run. And
even when the interrupt arrives, interpreter exit joins the worker threads, so a request blocked on a slow server
held the exit for as long as its timeout (measured: 69 s after Ctrl-C with a 60 s server).

:func:`install` puts a handler of ours in place (not ``signal.default_int_handler``, so asyncio leaves it alone):
the first Ctrl-C raises ``KeyboardInterrupt`` (typer turns it into exit code 130, Prefect's exit handlers stop its
temporary API) and starts a timer; if the process still runs :data:`GRACE_S` seconds later, or at a second Ctrl-C,
the child processes (Prefect's temporary API server, parse workers) get SIGTERM, the one-line message is printed
and the process exits with 130 at once. Nothing written is lost: parts appear atomically (temp file + rename) and
the data root's lock is an OS file lock, released with the process; the next run continues with what is pending.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from pathlib import Path
from types import FrameType

#: seconds the graceful stop may take before the process is ended
GRACE_S = 5.0
EXIT_INTERRUPTED = 130
MESSAGE = "interrupted (Ctrl-C): stopped; what was written stays, and the next run continues from there"

_interrupted = threading.Event()
_said = threading.Lock()
_said_once: list[bool] = []


def interrupted() -> bool:
    """Whether Ctrl-C was pressed in this process."""
    return _interrupted.is_set()


def say_interrupted() -> None:
    """Print :data:`MESSAGE` on stderr, once per process (the graceful and the forced stop both call it)."""
    with _said:
        if _said_once:
            return
        _said_once.append(True)
    print(MESSAGE, file=sys.stderr, flush=True)


def _child_pids() -> list[int]:
    """Process ids whose parent is this process (Linux ``/proc``; elsewhere none are found)."""
    me, out = os.getpid(), []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if len(fields) > 1 and fields[1] == str(me):
            out.append(int(stat.parent.name))
    return out


def _force_exit() -> None:
    for pid in _child_pids():
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGTERM)
    say_interrupted()
    os._exit(EXIT_INTERRUPTED)


def _after_grace() -> None:
    time.sleep(GRACE_S)
    _force_exit()


def _on_sigint(signum: int, frame: FrameType | None) -> None:
    if _interrupted.is_set():  # a second Ctrl-C: stop now
        _force_exit()
    _interrupted.set()
    threading.Thread(target=_after_grace, name="newsflow-ctrl-c", daemon=True).start()
    raise KeyboardInterrupt


def install() -> None:
    """Handle SIGINT as described in the module docstring. Call from the main thread, before any command runs."""
    signal.signal(signal.SIGINT, _on_sigint)
