"""The run: targets are read, linted and handed to the reporter one file at a time; the exit status is decided here."""

from __future__ import annotations

import itertools
import multiprocessing
import os
import signal
import sys
from collections import Counter, deque
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Iterable, Iterator

from kmlint.discover import Target
from kmlint.engine import Linter
from kmlint.errors import SourceError
from kmlint.findings import SEVERITY_RANK, FileResult
from kmlint.reporters import Reporter, Summary
from kmlint.source import MAX_FILE_BYTES, read_source

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


@dataclass(frozen=True, slots=True)
class StdinInput:
    """`-` on the command line: the bytes of standard input, reported under `path`."""

    path: str
    kind: str
    data: bytes


def lint_target(linter: Linter, target: Target | StdinInput, keep_document: bool = False) -> FileResult:
    """Lint one file; a file that cannot be read gives an error diagnostic, never an exception."""
    if isinstance(target, Target) and target.problem:
        return FileResult.not_checked(target.path, target.problem)
    try:
        if isinstance(target, StdinInput):
            source = read_source(target.path, target.kind, target.data)
        else:
            source = read_source(target.path, target.kind)
    except SourceError as error:
        return FileResult.not_checked(target.path, error.message)
    try:
        return linter.check_source(source, keep_document)
    except Exception as error:  # a bug (or MemoryError) on one odd file must not stop the run
        if os.environ.get("KMLINT_DEBUG"):
            raise
        return FileResult.not_checked(target.path, f"internal error while checking ({type(error).__name__}: {error}); skipped")


# Files per task sent to a worker: enough to make the cost of passing a task negligible, few
# enough that the last tasks of a run still spread over every worker.
CHUNK_SIZE = 4
# Tasks per worker queued or running at once: workers never wait for the next task, and results
# waiting to be reported (in input order) stay bounded whatever the number of files.
TASKS_PER_WORKER = 4


def default_jobs() -> int:
    """The CPUs this process may run on: os.process_cpu_count (Python 3.13 and later), else the
    scheduler's affinity mask where there is one, else every CPU of the machine."""
    counter = getattr(os, "process_cpu_count", None)
    if counter is not None:
        count = counter()
    elif hasattr(os, "sched_getaffinity"):
        count = len(os.sched_getaffinity(0))
    else:
        count = os.cpu_count()
    return max(1, count or 1)


def lint_all(
    linter: Linter, targets: Iterable[Target | StdinInput], jobs: int = 1, keep_document: bool = False
) -> Iterator[FileResult]:
    """Results in the order of `targets`, whatever `jobs` is: in this process for one job or one
    file, else spread over a pool of worker processes, no more than `jobs`, the CPUs this process
    may use, or the files (`--jobs 1000000` must not start a million processes)."""
    targets = iter(targets)
    jobs = min(jobs, default_jobs())
    first = list(itertools.islice(targets, max(jobs, 2)))
    if jobs <= 1 or len(first) < 2:
        for target in itertools.chain(first, targets):
            yield lint_target(linter, target, keep_document)
        return
    yield from _lint_in_pool(linter, itertools.chain(first, targets), min(jobs, len(first)), keep_document)


def _lint_in_pool(
    linter: Linter, targets: Iterator[Target | StdinInput], jobs: int, keep_document: bool
) -> Iterator[FileResult]:
    # A process pool that reports a worker's death (BrokenProcessPool): with multiprocessing.Pool,
    # a worker killed mid-task (out of memory, a signal) leaves its result pending forever.
    pool = _new_pool(linter, jobs)
    pending: deque[tuple[list[Target | StdinInput], Future[list[FileResult]]]] = deque()
    isolated = False  # after a worker died: one worker, one file per task
    try:
        while True:
            chunk = list(itertools.islice(targets, 1 if isolated else CHUNK_SIZE))
            if chunk:
                pending.append((chunk, pool.submit(_lint_chunk, chunk, keep_document)))
            if not pending:
                # All done: wait for the workers and the pool's thread to end, so that none is
                # left to trip over the interpreter's exit.
                pool.shutdown()
                return
            if not chunk or len(pending) >= jobs * TASKS_PER_WORKER:
                files, future = pending.popleft()
                try:
                    yield from future.result()
                    continue
                except BrokenProcessPool:
                    pool.shutdown(wait=False, cancel_futures=True)
                # A worker died. Which file it was on is known only with one worker taking one
                # file at a time: the rest of the run goes that way, and when that pool breaks,
                # the oldest task is the one that was running.
                if isolated:
                    yield from (_not_checked(target) for target in files)
                else:
                    pending.appendleft((files, future))
                    isolated, jobs = True, 1
                pool = _new_pool(linter, jobs)
                pending = _requeue(pool, pending, keep_document)
    finally:
        # Also when the run stops early: queued tasks are dropped, running ones end on their own.
        pool.shutdown(wait=False, cancel_futures=True)


def _new_pool(linter: Linter, jobs: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(jobs, multiprocessing.get_context(), initializer=_start_worker, initargs=(linter,))


def _requeue(
    pool: ProcessPoolExecutor, pending: Iterable[tuple[list[Target | StdinInput], Future[list[FileResult]]]], keep_document: bool
) -> deque[tuple[list[Target | StdinInput], Future[list[FileResult]]]]:
    """The tasks of a broken pool, in order: finished ones as they are, the others sent to `pool`, one file each."""
    requeued: deque[tuple[list[Target | StdinInput], Future[list[FileResult]]]] = deque()
    for files, future in pending:
        if _succeeded(future):
            requeued.append((files, future))
        else:
            requeued.extend(([target], pool.submit(_lint_chunk, [target], keep_document)) for target in files)
    return requeued


def _succeeded(future: Future[list[FileResult]]) -> bool:
    return future.done() and not future.cancelled() and future.exception() is None


def _not_checked(target: Target | StdinInput) -> FileResult:
    return FileResult.not_checked(target.path, "not checked: the worker process checking it stopped (killed, or out of memory)")


# The linter of a worker process, set once by the pool's initializer.
_worker_linter: Linter | None = None


def _start_worker(linter: Linter) -> None:
    """Pool initializer: keep the linter (inherited as compiled with fork; rebuilt once from its
    rules where the start method pickles it). Ctrl-C is the parent's to handle: it stops the pool."""
    global _worker_linter
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _worker_linter = linter


def _lint_chunk(chunk: list[Target | StdinInput], keep_document: bool) -> list[FileResult]:
    assert _worker_linter is not None, "the pool initializer sets the linter"
    return [lint_target(_worker_linter, target, keep_document) for target in chunk]


def report(results: Iterable[FileResult], reporter: Reporter) -> Summary:
    files = failed = 0
    by_severity: Counter[str] = Counter()
    by_rule: Counter[str] = Counter()
    for result in results:
        files += 1
        failed += result.failed
        for finding in result.findings:
            by_severity[finding.severity] += 1
            by_rule[finding.rule] += 1
        reporter.file(result)
    summary = Summary(files, failed, dict(by_severity), dict(by_rule))
    reporter.finish(summary)
    return summary


def exit_status(summary: Summary, fail_on: str) -> int:
    """2 when a file could not be checked (never reported as clean); 1 for findings at or above fail_on."""
    if summary.failed:
        return EXIT_ERROR
    if fail_on == "never":
        return EXIT_CLEAN
    threshold = SEVERITY_RANK[fail_on]
    if any(SEVERITY_RANK[level] >= threshold and count for level, count in summary.by_severity.items()):
        return EXIT_FINDINGS
    return EXIT_CLEAN


def read_stdin() -> bytes:
    """Standard input, read up to a byte past the file size limit: an endless stream (`- < /dev/zero`)
    becomes a "too large" diagnostic instead of filling the memory."""
    chunks: list[bytes] = []
    size = 0
    while size <= MAX_FILE_BYTES:
        chunk = sys.stdin.buffer.read(1 << 20)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)
