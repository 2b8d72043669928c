"""Benchmark kmlint against a naive baseline and ripgrep on a generated corpus, side by side in one run.

    python benchmarks/run.py                      # 1x, 4x, 16x; --jobs 1 and 2; HTML and Markdown
    python benchmarks/run.py --scales 1 --quick   # one scale, a smaller corpus: a two-minute check

Prints, per kind of file and scale: MB/s, MB/s per core, files/s and peak RSS for kmlint with each
--jobs value, for the naive baseline (benchmarks/naive.py) and for ripgrep when it is installed,
then the ratios, whether time grew linearly with the corpus, whether --jobs N wrote the same bytes
as --jobs 1, and the start-up time of `kmlint check` on one small file. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)

from corpus import write_corpus  # noqa: E402

KINDS = ("html", "markdown")
MB = 1_000_000


@dataclass(frozen=True, slots=True)
class Run:
    """One timed command: wall seconds, CPU seconds of the whole process tree, peak RSS of its largest
    process (KB), exit status, digest of its output."""

    seconds: float
    cpu_seconds: float
    peak_rss_kb: int
    status: int
    digest: str


def timed(command: list[str], env: dict[str, str], output: str) -> Run:
    """Run a command with stdout to a file; wall time and the rusage of the process tree's largest process."""
    with open(output, "wb") as handle:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=handle, stderr=subprocess.PIPE, env=env)
        _, wait_status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(wait_status)
        error = process.stderr.read().decode("utf-8", "replace") if process.stderr else ""
        if process.stderr:
            process.stderr.close()
    if process.returncode not in (0, 1):
        raise SystemExit(f"{shlex.join(command)} exited with {process.returncode}: {error.strip()}")
    digest = hashlib.sha256()
    with open(output, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return Run(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, process.returncode, digest.hexdigest())


def rule_patterns(env: dict[str, str], kmlint: list[str]) -> list[str]:
    """The phrases of the shipped rule pack as a naive tool would take them: each phrase template as
    written, its `(a|b|)` groups as regex alternatives (read in a child, so that the rule pack of
    the kmlint under test is the one used)."""
    script = (
        "import re, yaml\n"
        "from kmlint.ruleset import builtin_rules_dir, rule_files\n"
        "def regex(template):\n"
        "    parts = re.split(r'(\\([^()]*\\))', template)\n"
        "    escape = lambda text: re.sub(r'([.^$|?*+()\\[\\]{}\\\\])', r'\\\\\\1', text)  # what Python re and ripgrep both read\n"
        "    return ''.join('(?:' + '|'.join(map(escape, p[1:-1].split('|'))) + ')' if p.startswith('(') else escape(p) for p in parts)\n"
        "seen = {}\n"
        "for path in rule_files(builtin_rules_dir()):\n"
        "    data = yaml.safe_load(path.read_text(encoding='utf-8'))\n"
        "    lists = list((data.get('lists') or {}).values())\n"
        "    for rule in data['rules']:\n"
        "        lists += [rule.get(key) or [] for key in ('phrases', 'exceptions', 'unless', 'when', 'mentions')]\n"
        "        lists += list((rule.get('groups') or {}).values()) + [list(rule.get('swap') or {})]\n"
        "    for items in lists:\n"
        "        seen.update(dict.fromkeys(regex(item) for item in items if isinstance(item, str) and not item.startswith('@')))\n"
        "print('\\n'.join(seen))\n"
    )
    python = kmlint[0] if kmlint[1:3] == ["-m", "kmlint"] else sys.executable
    result = subprocess.run([python, "-c", script], env=env, capture_output=True, text=True, check=True)
    return [line for line in result.stdout.splitlines() if line]


def folder_stats(folder: str) -> tuple[int, int, int]:
    """(files, bytes, largest file's bytes) under a folder."""
    files = size = largest = 0
    for root, _, names in os.walk(folder):
        for name in names:
            length = os.path.getsize(os.path.join(root, name))
            files += 1
            size += length
            largest = max(largest, length)
    return files, size, largest


class Table:
    """Rows printed as they are measured, kept for the ratios at the end."""

    HEADER = f"{'kind':9} {'scale':>5} {'tool':16} {'cores':>5} {'files':>6} {'MB':>7} {'s':>7} {'MB/s':>7} {'cpu s':>7} {'MB/cpu-s':>8} {'files/s':>8} {'RSS MB':>7}"

    def __init__(self) -> None:
        self.rows: dict[tuple[str, int, str], tuple[Run, int, int, int]] = {}
        print(self.HEADER)
        print("-" * len(self.HEADER))

    def add(self, kind: str, scale: int, tool: str, cores: int, run: Run, files: int, size: int) -> None:
        self.rows[(kind, scale, tool)] = (run, cores, files, size)
        rate = size / MB / run.seconds
        print(
            f"{kind:9} {scale:>4}x {tool:16} {cores:>5} {files:>6} {size / MB:>7.1f} {run.seconds:>7.2f} {rate:>7.2f} "
            f"{run.cpu_seconds:>7.2f} {size / MB / run.cpu_seconds:>8.2f} {files / run.seconds:>8.0f} {run.peak_rss_kb / 1024:>7.1f}",
            flush=True,
        )

    def rate(self, kind: str, scale: int, tool: str, cpu: bool = False) -> float | None:
        """MB per wall second, or per CPU second."""
        row = self.rows.get((kind, scale, tool))
        if row is None:
            return None
        return row[3] / MB / (row[0].cpu_seconds if cpu else row[0].seconds)


def startup(kmlint: list[str], env: dict[str, str], folder: str, repeat: int) -> tuple[float, list[float]]:
    """Wall seconds of `kmlint check` on one small page: once with an empty start-up cache (the
    first run after a rule pack changes), then `repeat` times with the cache the runs left."""
    page = os.path.join(folder, "one.html")
    with open(page, "w", encoding="utf-8") as handle:
        handle.write("<!DOCTYPE html><title>Visit us</title><p>Our clinic is open on Saturdays.</p>\n")
    cold_env = dict(env, KMLINT_CACHE_DIR=tempfile.mkdtemp(prefix="cache-", dir=folder))
    cold = timed([*kmlint, "check", page], cold_env, os.devnull).seconds
    timed([*kmlint, "check", page], env, os.devnull)  # fills the cache the timed runs use
    return cold, [timed([*kmlint, "check", page], env, os.devnull).seconds for _ in range(repeat)]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", default="1,4,16", help="corpus sizes as multiples of the 1x corpus (default 1,4,16)")
    parser.add_argument("--grow", choices=("files", "size"), default="files", help="grow the corpus by more files (default) or by larger files")
    parser.add_argument("--per-kind", type=int, default=500, help="pages of each kind at 1x (default 500)")
    parser.add_argument("--mean-size", type=int, default=21_000, help="mean page size in bytes at 1x (default 21000)")
    parser.add_argument("--jobs", default="1,2", help="--jobs values to time (default 1,2)")
    parser.add_argument("--naive-scales", default="1", help="scales at which to time the naive baseline (default 1: it is slow)")
    parser.add_argument("--naive-all", action="store_true", help="time the naive baseline on every page, not the first 100 of each kind")
    parser.add_argument(
        "--naive-phrases", type=int, default=61,
        help="also time the naive baseline with only this many of the pack's phrase templates (default 61, the size of the issue's naive tool; 0: not)",
    )
    parser.add_argument("--format", default="text", help="kmlint output format (default text)")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--risk", type=float, default=0.12, help="share of risky sentences in the pages (default 0.12: about 35 findings per page; 0.03: about 10)")
    parser.add_argument("--kmlint", default=None, help="command that runs kmlint (default: this checkout, with the current Python)")
    parser.add_argument("--workdir", default=None, help="where to write the corpus (default: a temporary folder, removed after)")
    parser.add_argument("--quick", action="store_true", help="a fifth of the pages: for a fast look, not for figures")
    args = parser.parse_args(argv)

    scales = [int(s) for s in args.scales.split(",")]
    jobs_values = [int(j) for j in args.jobs.split(",")]
    naive_scales = {int(s) for s in args.naive_scales.split(",") if s}
    per_kind = max(1, args.per_kind // 5) if args.quick else args.per_kind
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [REPO, os.environ.get("PYTHONPATH")])))
    if not args.workdir:
        workdir = tempfile.mkdtemp(prefix="kmlint-bench-")
    else:
        workdir = args.workdir
        os.makedirs(workdir, exist_ok=True)
    # kmlint's start-up cache (compiled rule pack) in the work folder: the timed runs use a warm one.
    env["KMLINT_CACHE_DIR"] = os.path.join(workdir, "cache")
    kmlint = shlex.split(args.kmlint) if args.kmlint else [sys.executable, "-m", "kmlint"]
    ripgrep = shutil.which("rg")
    cores = os.cpu_count() or 1

    try:
        patterns = rule_patterns(env, kmlint)
        patterns_file = os.path.join(workdir, "patterns.txt")
        with open(patterns_file, "w", encoding="utf-8") as handle:
            handle.write("\n".join(patterns) + "\n")
        # The naive baseline is timed with the whole pack and with a phrase list the size of the issue's.
        naive_runs = [("naive re", patterns_file)]
        if 0 < args.naive_phrases < len(patterns):
            few_file = os.path.join(workdir, "patterns-few.txt")
            with open(few_file, "w", encoding="utf-8") as handle:
                handle.write("\n".join(patterns[: args.naive_phrases]) + "\n")
            naive_runs.append((f"naive re {args.naive_phrases}", few_file))
        print(f"kmlint: {shlex.join(kmlint)}; {cores} cores; ripgrep: {ripgrep or 'not installed'}")
        print(f"rule pack: {len(patterns)} phrase templates, as regular expressions for the naive baseline and ripgrep")
        load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
        print(f"load average before the run: {load} (other work on the machine slows wall times; CPU seconds are steadier)")
        print(f"corpus: {per_kind} HTML + {per_kind} Markdown pages of ~{args.mean_size} bytes at 1x, grown by {args.grow}; seed {args.seed}; risk {args.risk}\n")
        cold, times = startup(kmlint, env, workdir, 7)
        table = Table()
        identical: list[str] = []
        largest_by_scale: dict[int, int] = {}
        for scale in scales:
            folder = os.path.join(workdir, f"corpus-{scale}x-risk{args.risk}")
            if not os.path.isdir(folder):
                pages = per_kind * scale if args.grow == "files" else per_kind
                mean = args.mean_size * scale if args.grow == "size" else args.mean_size
                write_corpus(folder, pages, seed=args.seed, mean_size=mean, risk=args.risk)
            for kind in KINDS:
                target = os.path.join(folder, kind)
                files, size, largest = folder_stats(target)
                largest_by_scale[scale] = max(largest_by_scale.get(scale, 0), largest)
                digests = {}
                for jobs in jobs_values:
                    command = [*kmlint, "check", "--format", args.format, "--color", "never", "--jobs", str(jobs), target]
                    run = timed(command, env, os.path.join(workdir, f"out-{kind}-{scale}-{jobs}.txt"))
                    table.add(kind, scale, f"kmlint -j{jobs}", jobs, run, files, size)
                    digests[jobs] = run.digest
                if len(set(digests.values())) > 1:
                    identical.append(f"{kind} {scale}x: outputs differ between --jobs {', '.join(map(str, digests))}")
                if scale in naive_scales:
                    # The naive baseline runs on a sample (the first subfolder) unless --naive-all: MB/s all the same.
                    sample = target if args.naive_all else os.path.join(target, "part-000")
                    sample_files, sample_size, _ = folder_stats(sample)
                    for name, phrases_file in naive_runs:
                        run = timed([sys.executable, os.path.join(HERE, "naive.py"), phrases_file, sample], env, os.devnull)
                        table.add(kind, scale, name, 1, run, sample_files, sample_size)
                if ripgrep:
                    # The same phrase templates: case-insensitive (the naive baseline's job, and
                    # kmlint's) and case-sensitive (a raw scan, the ceiling).
                    for tool, flags in (("ripgrep -i", ["-i"]), ("ripgrep", [])):
                        run = timed([ripgrep, "--no-config", *flags, "-c", "-f", patterns_file, target], env, os.devnull)
                        table.add(kind, scale, tool, cores, run, files, size)
            if not args.workdir:
                shutil.rmtree(folder)

        print("\nratios of MB/s (same kind and scale):")
        for kind in KINDS:
            for scale in scales:
                one, two, naive, naive_few, rg_i, rg = (
                    table.rate(kind, scale, tool)
                    for tool in ("kmlint -j1", "kmlint -j2", "naive re", f"naive re {args.naive_phrases}", "ripgrep -i", "ripgrep")
                )
                parts = []
                if one and naive:
                    parts.append(f"kmlint -j1 / naive = {one / naive:.1f}x")
                if one and naive_few:
                    parts.append(f"kmlint -j1 / naive with {args.naive_phrases} phrases = {one / naive_few:.1f}x")
                if one and two:
                    parts.append(f"speed-up -j1 -> -j2 = {two / one:.2f}x")
                if two and rg_i:
                    parts.append(f"ripgrep -i / kmlint -j2 = {rg_i / two:.2f}x")
                if two and rg:
                    parts.append(f"ripgrep / kmlint -j2 = {rg / two:.1f}x")
                if parts:
                    print(f"  {kind:9} {scale:>3}x: " + "; ".join(parts))

        if len(scales) > 1:
            print(f"\nlinearity (CPU seconds per MB relative to {scales[0]}x; 1.00 is linear):")
            for kind in KINDS:
                for jobs in jobs_values:
                    tool = f"kmlint -j{jobs}"
                    rates = [table.rate(kind, scale, tool, cpu=True) for scale in scales]
                    if all(rates):
                        relative = ", ".join(f"{scale}x {rates[0] / rate:.2f}" for scale, rate in zip(scales, rates, strict=False))
                        print(f"  {kind:9} {tool}: {relative}")
            print("  largest file per scale: " + ", ".join(f"{s}x {largest_by_scale[s] / 1000:.0f} kB" for s in scales))

        print("\n--jobs output identical to --jobs 1: " + ("yes, at every scale" if not identical else "NO\n  " + "\n  ".join(identical)))
        print(f"start-up, `kmlint check one.html`: {statistics.median(times):.3f} s median of 7 runs, best {min(times):.3f} s; "
              f"{cold:.2f} s the first time (empty start-up cache: rule pack parsed and compiled)")
    finally:
        if not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
