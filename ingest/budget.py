"""Parsing files in worker processes, each under a time budget: a file that overruns it has its worker killed,
is reported by name, and the batch goes on with a fresh worker.

A worker is a long-lived process (one per lane) that receives paths over a pipe and sends back a Document or a
Problem, so a normal batch pays one process start per lane, not per file.
"""
from __future__ import annotations

import multiprocessing
import os
import signal
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Callable, Iterator, Sequence

from ingest.model import Document, Problem
from policykb.config import Config

Loader = Callable[[Path, Config], "Document | Problem"]


def _die_with_parent() -> None:
    """Ask Linux to kill this worker when the process that forked it dies (a SIGKILLed server must not leave
    orphaned parsers behind: they hold copies of other lanes' pipe ends, so EOF alone would not reach them)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the pipe's EOF still ends a worker whose parent closed it
        pass


def _serve(conn: Connection, load: Loader, config: Config, parent_pid: int) -> None:
    """Worker loop: parse each path received, send the result back; None ends it."""
    _die_with_parent()
    if os.getppid() != parent_pid:  # the parent died before the request above took effect
        return
    while True:
        try:
            item = conn.recv()
        except EOFError:
            return
        if item is None:
            return
        conn.send(load(Path(item), config))


@dataclass
class _Lane:
    process: multiprocessing.process.BaseProcess
    conn: Connection
    job: tuple[int, Path, float] | None = None  # (file index, path, deadline) being parsed


def _context():
    """fork: cheap, and the worker inherits the loaded modules. (forkserver/spawn would re-import the caller's
    __main__ — a script or the server's entry point — in every worker; a forked worker only runs the parser.)"""
    return multiprocessing.get_context("fork")


def _start(ctx, load: Loader, config: Config) -> _Lane:
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=_serve, args=(child, load, config, os.getpid()), daemon=True, name="policykb-ingest")
    proc.start()
    child.close()
    return _Lane(proc, parent)


def _stop(lane: _Lane, kill: bool) -> None:
    if kill:
        lane.process.kill()
    else:
        try:
            lane.conn.send(None)
        except OSError:
            lane.process.kill()
    lane.process.join(timeout=5)
    if lane.process.is_alive():
        lane.process.kill()
        lane.process.join()
    lane.conn.close()


def load_with_budget(files: Sequence[Path], load: Loader, config: Config, workers: int = 1
                     ) -> Iterator[Document | Problem]:
    """`load(file, config)` for every file, in file order, in `workers` processes; a file still parsing after
    `config.ingest_timeout` seconds (0: no budget) becomes a Problem naming it, and its worker is replaced."""
    ctx = _context()
    lanes = [_start(ctx, load, config) for _ in range(max(1, min(workers, len(files))))]
    todo = list(enumerate(files))[::-1]
    done: dict[int, Document | Problem] = {}
    next_out = 0
    try:
        while next_out < len(files):
            for lane in lanes:
                if lane.job is None and todo:
                    i, f = todo.pop()
                    deadline = time.monotonic() + config.ingest_timeout if config.ingest_timeout > 0 else float("inf")
                    lane.job = (i, f, deadline)
                    lane.conn.send(str(f))
            busy = [lane for lane in lanes if lane.job is not None]
            soonest = min(lane.job[2] for lane in busy)
            ready = wait([lane.conn for lane in busy],
                         timeout=None if soonest == float("inf") else max(0.0, soonest - time.monotonic()))
            for k, lane in enumerate(lanes):
                if lane.job is None:
                    continue
                i, f, deadline = lane.job
                if lane.conn in ready:
                    try:
                        done[i] = lane.conn.recv()
                        lane.job = None
                        continue
                    except (EOFError, OSError):
                        lane.process.join(timeout=5)
                        code = lane.process.exitcode
                        how = ("" if code is None else f" (killed by signal {-code}: out of memory?)" if code < 0
                               else f" (exit status {code})")
                        done[i] = Problem(str(f), f"could not be read: its parser process died{how}")
                elif time.monotonic() >= deadline:
                    done[i] = Problem(str(f), f"stopped: parsing took longer than the {config.ingest_timeout:g} s budget "
                                              "per file (POLICYKB_INGEST_TIMEOUT); not ingested")
                else:
                    continue
                _stop(lane, kill=True)
                lanes[k] = _start(ctx, load, config)
            while next_out in done:
                yield done.pop(next_out)
                next_out += 1
    finally:
        for lane in lanes:
            _stop(lane, kill=lane.job is not None)
