"""``make bench``: time whole ``assembler`` processes on synthetic catalogs.

For each catalog size it generates a catalog in a temporary folder, then runs
each scenario as a separate process (one warm-up, then N timed runs) and
records the wall time and the peak resident memory of every run. A floor
script that only imports the dependencies and reads every file is timed the
same way, and every figure is also given as a multiple of that floor.

The harness checks what it measures: a no-op build must leave every output
file untouched (same inode and modification time), a clean check must exit 0
and a stale one 1. Results go to stdout and to the generated part of
BENCHMARKS.md; the hand-written notes around it are kept.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))
import catalog_gen  # noqa: E402
import peer  # noqa: E402

HERE = Path(__file__).resolve().parent
FLOOR = HERE / "floor.py"
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"
# The block every synthetic agent includes, so changing it rewrites every file.
CHANGED_BLOCK = "baseline"
LINT_CHECK_RATIO = 2.0  # target: lint costs at most this many cold checks
PEER_RATIO = 5.0  # target: a cold check at least this many times faster than the peer's
DIFF_RATIO = 1.5  # target: `check --diff` with one agent drifted, in cold checks
PEER_SIZES = (40, 1000)  # the peer's rows: a run at 10,000 agents would take minutes
PEER_RUNS = 2  # timed runs of each peer row (each takes seconds; its spread is a few per cent)
IMPORT_LIMIT_S = 10.0  # target: importing 1,000 agent files of about 10 KB
IMPORT_SIZES = "100,1000,3000"
# Child processes run as users run them: with Python's bytecode cache on (some
# shells and CI images switch it off, which recompiles the package every run).
ENV = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}


class HarnessError(RuntimeError):
    """A run did not do what the scenario expects: the figures would be wrong."""


@dataclass
class Result:
    name: str
    size: int | None
    times: list[float] = field(default_factory=list)
    rss_mb: list[float] = field(default_factory=list)
    floor: float | None = None
    note: str = ""
    catalog: str = "bench"  # which generated catalog: "bench" or "seed-shaped"
    group: str = "catalog"  # catalog (agents in a catalog) or import (agent files imported)

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def peak_mb(self) -> float:
        return max(self.rss_mb)


def assembler_command() -> list[str]:
    """The installed console script beside this interpreter, as users run it."""
    script = Path(sys.executable).parent / "assembler"
    if script.exists():
        return [str(script)]
    found = shutil.which("assembler")
    if found:
        return [found]
    return [sys.executable, "-m", "assembler"]


def run_once(argv: list[str], cwd: Path, env: dict[str, str] | None = None
             ) -> tuple[float, float, int, str]:
    """Wall seconds, peak RSS in MB, exit code and output of one process.

    The peak is ``ru_maxrss`` from ``wait4``: the largest of the process and
    the children it waited for (the render workers).
    """
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        process = subprocess.Popen(argv, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, env={**ENV, **(env or {})})
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    return elapsed, usage.ru_maxrss / 1024, process.returncode, text


def measure(name: str, argv: list[str], cwd: Path, runs: int, size: int | None = None,
            expect: int | None = 0, prepare: Callable[[], None] | None = None,
            verify: Callable[[str], None] | None = None, note: str = "",
            env: dict[str, str] | None = None, warmup: bool = True) -> Result:
    """One warm-up (unless the run before warmed the same files), then ``runs`` timed
    runs; every run is prepared and verified."""
    result = Result(name, size, note=note)
    for attempt in range(0 if warmup else 1, runs + 1):
        if prepare:
            prepare()
        elapsed, rss, code, output = run_once(argv, cwd, env)
        if expect is not None and code != expect:
            raise HarnessError(f"{name} ({size}): exit {code}, expected {expect}\n{output[-2000:]}")
        if verify:
            verify(output)
        if attempt:  # the first run warms the caches and is not counted
            result.times.append(elapsed)
            result.rss_mb.append(rss)
    return result


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Inode and modification time of every file: a write changes one or the other."""
    found = {}
    for parent, _, files in os.walk(folder):
        for name in files:
            info = os.stat(os.path.join(parent, name))
            found[os.path.join(parent, name)] = (info.st_ino, info.st_mtime_ns)
    return found


def written(output: str) -> int:
    match = re.search(r"^(\d+) written, (?:\d+ removed, )?(\d+) unchanged", output, re.MULTILINE)
    if match is None:
        raise HarnessError(f"build printed no summary line:\n{output[-2000:]}")
    return int(match.group(1))


def has_command(cli: list[str], name: str, cwd: Path) -> bool:
    return run_once([*cli, name, "--help"], cwd)[2] == 0


def _log(results: list[Result], result: Result) -> None:
    results.append(result)
    print(f"  {result.name:<34} {result.median:8.3f} s  {result.peak_mb:6.0f} MB", flush=True)


def _clean(output: str) -> None:
    if "up to date" not in output:
        raise HarnessError(f"clean check reported drift:\n{output[-2000:]}")


def bench_peer(root: Path, size: int, work: Path, rulesync: list[str], label: str,
               targets: tuple[str, ...], catalog: str) -> Result:
    """The peer's drift check over the agents rendered at ``root`` (built for ``targets``)."""
    tree = peer.source_tree(root / "agents", work / f"peer-{catalog}-{size}", targets)
    peer.generate(rulesync, tree)
    result = measure(f"peer: rulesync generate --check{label}", [*rulesync, "generate", "--check"],
                     tree, PEER_RUNS, size, warmup=False,  # its `generate` just now warmed it
                     note=f"rulesync {peer.VERSION} checking the same agents (its source tree made "
                          "from our rendered files), its files written once before")
    result.catalog = catalog
    shutil.rmtree(tree)
    return result


def bench_cold_pair(root: Path, size: int, runs: int, work: Path, cli: list[str],
                    rulesync: list[str], catalog: str) -> list[Result]:
    """Our cold check and the peer's, with one target and with four."""
    results: list[Result] = []

    def no_cache() -> None:
        shutil.rmtree(root / ".assembler", ignore_errors=True)

    def ours(label: str) -> None:
        result = measure(f"check, clean, no cache{label}", [*cli, "check"], root, runs, size,
                         verify=_clean, prepare=no_cache,
                         note="`.assembler/` deleted before each run, as in a fresh clone"
                         + (": Claude Code, Codex, Copilot and Cursor" if label else ""))
        result.catalog = catalog
        _log(results, result)

    if catalog != "bench":  # the bench catalog's one-target row is measured with the others
        ours("")
    _log(results, bench_peer(root, size, work, rulesync, "", ("claude-code",), catalog))
    config = catalog_gen.enable_targets(root)
    subprocess.run([*cli, "build"], cwd=root, env=ENV, capture_output=True, check=True)
    ours(", 4 targets")
    _log(results, bench_peer(root, size, work, rulesync, ", 4 targets", catalog_gen.FOUR_TARGETS,
                             catalog))
    catalog_gen.restore_config(root, config)
    subprocess.run([*cli, "build"], cwd=root, env=ENV, capture_output=True, check=True)
    return results


def bench_seed_shaped(size: int, runs: int, work: Path, cli: list[str],
                      rulesync: list[str]) -> list[Result]:
    """The cold check against the peer on a catalog shaped like the seed one."""
    root = catalog_gen.generate_seed_shaped(work / f"seed-{size}", size)
    subprocess.run([*cli, "build"], cwd=root, env=ENV, capture_output=True, check=True)
    floor = measure("floor (import + read all)", [sys.executable, str(FLOOR), str(root)],
                    root, runs, size)
    floor.catalog = "seed-shaped"
    results = [floor]
    _log([], floor)
    results += bench_cold_pair(root, size, runs, work, cli, rulesync, "seed-shaped")
    for result in results:
        result.floor = floor.median
    shutil.rmtree(root)
    return results


def bench_size(size: int, runs: int, work: Path, cli: list[str],
               rulesync: list[str] | None = None) -> list[Result]:
    root = catalog_gen.generate(work / f"catalog-{size}", size)
    outputs = root / "agents"
    results: list[Result] = []
    # at 10,000 agents the run before warms every file already (the first: the generator)
    warm = size < 10000

    def log(result: Result) -> None:
        _log(results, result)

    def from_nothing() -> None:
        shutil.rmtree(outputs, ignore_errors=True)

    def all_created(output: str) -> None:
        if written(output) != size:
            raise HarnessError(f"build from nothing wrote {written(output)} of {size} files")

    log(measure("build, from nothing", [*cli, "build"], root, runs, size,
                prepare=from_nothing, verify=all_created, warmup=warm))

    before: dict[str, tuple[int, int]] = {}

    def take_snapshot() -> None:
        before.clear()
        before.update(snapshot(outputs))

    def nothing_written(output: str) -> None:
        after = snapshot(outputs)
        touched = sorted(path for path in before.keys() | after.keys()
                         if before.get(path) != after.get(path))
        if touched or written(output):
            raise HarnessError(f"no-op build wrote {len(touched)} files, e.g. {touched[:3]}")

    log(measure("build, nothing changed", [*cli, "build"], root, runs, size,
                prepare=take_snapshot, verify=nothing_written, warmup=warm,
                note="asserted: every output keeps its inode and mtime"))

    floor = measure("floor (import + read all)", [sys.executable, str(FLOOR), str(root)],
                    root, runs, size, warmup=warm)
    log(floor)
    clean = _clean

    log(measure("check, clean", [*cli, "check"], root, runs, size, verify=clean, warmup=warm,
                note="the render cache is warm, as after any build or check"))
    def no_cache() -> None:
        shutil.rmtree(root / ".assembler", ignore_errors=True)

    log(measure("check, clean, no cache", [*cli, "check"], root, runs, size, verify=clean,
                prepare=no_cache, warmup=warm,
                note="`.assembler/` deleted before each run, as in a fresh clone"))
    if size == 1000:  # at 10,000 agents this row alone would take half a minute
        log(measure("check, clean, no cache, 1 process", [*cli, "check"], root, runs, size,
                    verify=clean, prepare=no_cache, env={"ASSEMBLER_JOBS": "1"},
                    note="the same with ASSEMBLER_JOBS=1: what the second render process buys"))
    if rulesync is not None and size in PEER_SIZES:
        results += bench_cold_pair(root, size, runs, work, cli, rulesync, "bench")

    manifest = catalog_gen.manifest_path(root)
    original = manifest.read_bytes()
    catalog_gen.make_stale(root)

    def one_stale(output: str) -> None:
        if "1 of" not in output or "stale" not in output:
            raise HarnessError(f"expected exactly one stale agent:\n{output[-2000:]}")

    log(measure("check, one agent stale", [*cli, "check"], root, runs, size, expect=1,
                verify=one_stale, warmup=warm))
    if size == 1000:
        log(measure("check --diff, one agent stale", [*cli, "check", "--diff"], root, runs, size,
                    expect=1, verify=one_stale, prepare=no_cache,
                    note="no cache: the diff, its hunks annotated with their sources"))
    manifest.write_bytes(original)

    def some_written(output: str) -> None:
        if not written(output):
            raise HarnessError("build after a block change wrote nothing")

    log(measure(f"build, block `{CHANGED_BLOCK}` changed", [*cli, "build"], root, runs, size,
                prepare=lambda: catalog_gen.edit_block(root, CHANGED_BLOCK), verify=some_written,
                warmup=warm, note="the block is used by every agent, so every file is rewritten"))
    if has_command(cli, "lint", root):
        log(measure("lint", [*cli, "lint"], root, runs, size, expect=None, warmup=warm,
                    note="exit code not checked: findings are expected"))
    for result in results:
        result.floor = floor.median
    shutil.rmtree(root)
    return results


def bench_import(size: int, runs: int, work: Path, cli: list[str]) -> list[Result]:
    """``assembler import`` of ``size`` hand-written agent files of about 10 KB into a new
    catalog, and its floor: read every file and write it once."""
    source = catalog_gen.agent_files(work / f"agent-files-{size}", size)
    root = work / f"imported-{size}"
    copy = work / f"copied-{size}"
    results: list[Result] = []

    def fresh() -> None:
        shutil.rmtree(root, ignore_errors=True)
        shutil.rmtree(copy, ignore_errors=True)

    def all_imported(output: str) -> None:
        last = output.rstrip("\n").rsplit("\n", 1)[-1]
        if f"{size} of {size} files imported" not in last:
            raise HarnessError(f"import of {size} files did not import them all:\n{output[-2000:]}")

    floor = measure("floor (import + read and write all)",
                    [sys.executable, str(FLOOR), "--import", str(source), str(copy)], work, runs,
                    size, prepare=fresh, warmup=False)  # the generator just wrote every file
    for result in (
        measure("import, into a new catalog", [*cli, "import", str(source), "--root", str(root)],
                work, runs, size, prepare=fresh, verify=all_imported, warmup=False,
                note="every file read, planned, proven by rendering it back, and written"),
        floor,
    ):
        result.size, result.floor = size, floor.median
        results.append(result)
        print(f"  {result.name:<34} {result.median:8.3f} s  {result.peak_mb:6.0f} MB", flush=True)
    fresh()
    shutil.rmtree(source)
    for result in results:
        result.group = "import"
    return results


def bench_startup(runs: int, work: Path, cli: list[str]) -> list[Result]:
    results = [measure("python -c pass", [sys.executable, "-c", "pass"], work, runs)]
    for flag in ("--version", "--help"):
        results.append(measure(f"assembler {flag}", [*cli, flag], work, runs))
    for result in results:
        result.floor = results[0].median
    for result in results:
        print(f"  {result.name:<34} {result.median:8.3f} s  {result.peak_mb:6.0f} MB", flush=True)
    return results


# -- report -------------------------------------------------------------------------------
def _row(result: Result) -> str:
    spread = f"{min(result.times):.3f}–{max(result.times):.3f}"
    ratio = f"{result.median / result.floor:.1f}×" if result.floor else "–"
    return (f"| {result.name} | {result.median:.3f} | {spread} | {ratio} | "
            f"{result.peak_mb:.0f} | {len(result.times)} |")


def _find(results: list[Result], name: str, size: int | None, catalog: str = "bench"
          ) -> Result | None:
    return next((r for r in results
                 if r.name == name and r.size == size and r.catalog == catalog), None)


def targets(results: list[Result]) -> list[str]:
    """Each target of the project, the measured figure, and whether it is met."""
    lines = ["| target | measured | met |", "|---|---|---|"]

    def add(text: str, value: float | None, limit: float, unit: str = "s") -> None:
        if value is None:
            lines.append(f"| {text} | not measured | – |")
            return
        shown = f"{value:.3f}" if unit == "s" else f"{value:.0f}"
        if float(shown) == limit:  # show the digit that decides
            shown = f"{value:.4f}" if unit == "s" else f"{value:.1f}"
        lines.append(f"| {text} | {shown} {unit} | {'yes' if value <= limit else 'NO'} |")

    for scenario, label in (("check, clean", "cache warm"), ("check, clean, no cache", "no cache")):
        checks = {size: _find(results, scenario, size) for size in (40, 1000, 10000)}
        for size, limit in ((40, 0.25), (1000, 0.8), (10000, 6.0)):
            check = checks[size]
            add(f"`check` clean, {size:,} agents, {label} ≤ {limit} s",
                check.median if check else None, limit)
        big = checks[10000]
        add(f"`check` clean, 10,000 agents, {label}: peak RSS ≤ 300 MB",
            big.peak_mb if big else None, 300, "MB")
        if checks[1000] and checks[10000]:
            growth = checks[10000].median / checks[1000].median
            lines.append(f"| `check` clean, {label}: time grows at most linearly, 1,000 → 10,000 "
                         f"(≤ 10×) | {growth:.1f}× | {'yes' if growth <= 10 else 'NO'} |")
    four = _find(results, "check, clean, no cache, 4 targets", 1000)
    one = _find(results, "check, clean, no cache", 1000)
    if four and one:
        ratio = four.median / one.median
        lines.append(f"| `check` without a cache, 1,000 agents, 4 targets ≤ 2× one target "
                     f"| {ratio:.2f}× ({four.median:.3f} s) | {'yes' if ratio <= 2 else 'NO'} |")
    for catalog in ("seed-shaped", "bench"):
        for size in PEER_SIZES:
            for label in ("", ", 4 targets"):
                ours = _find(results, f"check, clean, no cache{label}", size, catalog)
                theirs = _find(results, f"peer: rulesync generate --check{label}", size, catalog)
                if ours and theirs:
                    ratio = theirs.median / ours.median
                    lines.append(
                        f"| `check` without a cache, {catalog} catalog, {size:,} agents, "
                        f"{'4 targets' if label else '1 target'}: ≥ {PEER_RATIO:g}× faster than "
                        f"the peer | {ratio:.1f}× ({ours.median:.3f} s against "
                        f"{theirs.median:.3f} s) | {'yes' if ratio >= PEER_RATIO else 'NO'} |")
    diff = _find(results, "check --diff, one agent stale", 1000)
    if diff and one:
        ratio = diff.median / one.median
        lines.append(f"| `check --diff`, 1,000 agents, one stale ≤ {DIFF_RATIO:g}× `check` without "
                     f"a cache | {ratio:.1f}× ({diff.median:.3f} s) | "
                     f"{'yes' if ratio <= DIFF_RATIO else 'NO'} |")
    for size in sorted({r.size for r in results if r.name == "lint"}):
        lint, check = _find(results, "lint", size), _find(results, "check, clean, no cache", size)
        if lint and check:
            ratio = lint.median / check.median
            lines.append(f"| `lint`, {size:,} agents ≤ {LINT_CHECK_RATIO:g}× `check` without a cache "
                         f"| {ratio:.1f}× ({lint.median:.3f} s) | "
                         f"{'yes' if ratio <= LINT_CHECK_RATIO else 'NO'} |")
    big_lint = _find(results, "lint", 10000)
    add("`lint`, 10,000 agents: peak RSS < 600 MB", big_lint.peak_mb if big_lint else None,
        600, "MB")
    cold = _find(results, "check, clean, no cache", 10000)
    add("`check` without a cache, 10,000 agents: peak RSS < 250 MB",
        cold.peak_mb if cold else None, 250, "MB")
    built = _find(results, "build, from nothing", 10000)
    add("`build` from nothing, 10,000 agents: peak RSS < 300 MB",
        built.peak_mb if built else None, 300, "MB")
    imports = {r.size: r for r in results if r.name == "import, into a new catalog"}
    if 1000 in imports:
        add(f"`import` of 1,000 agent files of about 10 KB ≤ {IMPORT_LIMIT_S:g} s",
            imports[1000].median, IMPORT_LIMIT_S)
    sizes = sorted(imports)
    for small, big in zip(sizes, sizes[1:]):
        growth = imports[big].median / imports[small].median
        limit = big / small
        lines.append(f"| `import`: time grows at most linearly, {small:,} → {big:,} files "
                     f"(≤ {limit:g}×) | {growth:.1f}× | {'yes' if growth <= limit else 'NO'} |")
    version = _find(results, "assembler --version", None)
    add("`--version` ≤ 0.10 s", version.median if version else None, 0.10)
    noop = [r for r in results if r.name == "build, nothing changed"]
    if noop:
        lines.append(f"| no-op `build` writes no file | 0 files in {sum(len(r.times) + 1 for r in noop)}"
                     " runs (inode and mtime of every output compared) | yes |")
    return lines


def load_average() -> str:
    return "/".join(f"{value:.2f}" for value in os.getloadavg())


def report(results: list[Result], runs_note: str) -> str:
    header = ("| scenario | median s | spread (min–max) s | × floor | peak RSS MB | runs |\n"
              "|---|---|---|---|---|---|")
    parts = [
        BEGIN,
        f"Measured {time.strftime('%Y-%m-%d')} on {os.cpu_count()} cores, "
        f"Python {platform.python_version()} ({platform.system()} {platform.machine()}). "
        f"{runs_note}",
    ]
    startup = [r for r in results if r.size is None]
    if startup:
        parts += ["", "### Start-up (floor: bare interpreter start-up)", "", header,
                  *(_row(r) for r in startup)]
    groups = sorted({(r.catalog != "bench", r.size) for r in results
                     if r.size is not None and r.group == "catalog"})
    for seed_shaped, size in groups:
        catalog = "seed-shaped" if seed_shaped else "bench"
        rows = [r for r in results if r.size == size and r.catalog == catalog and r.group == "catalog"]
        title = (f"{size:,} agents, seed-shaped catalog" if seed_shaped else f"{size:,} agents")
        parts += ["", f"### {title} (floor: import the dependencies, read every file)", "",
                  header, *(_row(r) for r in rows)]
        notes = [f"- {r.name}: {r.note}" for r in rows if r.note]
        parts += ([""] + notes) if notes else []
    for size in sorted({r.size for r in results if r.group == "import"}):
        rows = [r for r in results if r.size == size and r.group == "import"]
        parts += ["", f"### import of {size:,} agent files of about 10 KB (floor: import the "
                  "dependencies, read every file and write it once)", "",
                  header, *(_row(r) for r in rows)]
        notes = [f"- {r.name}: {r.note}" for r in rows if r.note]
        parts += ([""] + notes) if notes else []
    parts += ["", "### Targets", "", *targets(results), END]
    return "\n".join(parts) + "\n"


def write_report(path: Path, text: str) -> None:
    """Replace the generated part of ``path``, keeping the notes around it."""
    old = path.read_text("utf-8") if path.exists() else "# Benchmarks\n\n"
    if BEGIN in old and END in old:
        before, rest = old.split(BEGIN, 1)
        after = rest.split(END, 1)[1].lstrip("\n")
        new = before + text + ("\n" + after if after else "")
    else:
        new = old.rstrip("\n") + "\n\n" + text
    path.write_text(new, "utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="40,1000,10000",
                        help="agent counts, comma-separated (default: 40,1000,10000)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per scenario (default 5)")
    parser.add_argument("--large-runs", type=int, default=2,
                        help="timed runs per scenario at 10,000 agents and more (default 2)")
    parser.add_argument("--no-peer", action="store_true",
                        help="leave out the peer's rows (and the seed-shaped catalog)")
    parser.add_argument("--output", type=Path, default=HERE.parent / "BENCHMARKS.md",
                        help="file whose generated part is replaced (default BENCHMARKS.md)")
    parser.add_argument("--import-sizes", default=IMPORT_SIZES,
                        help=f"agent files imported, comma-separated (default: {IMPORT_SIZES}; "
                             "empty: no import rows)")
    parser.add_argument("--no-startup", action="store_true", help="skip the start-up rows")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    cli = assembler_command()
    rulesync = None
    if not args.no_peer:
        try:
            rulesync = peer.install()
        except peer.PeerUnavailable as exc:
            print(f"bench: error: {exc}", file=sys.stderr)
            return 2
    results: list[Result] = []
    started, load_before = time.perf_counter(), load_average()
    with tempfile.TemporaryDirectory(prefix="assembler-bench-") as temp:
        work = Path(temp)
        if not args.no_startup:
            print("start-up", flush=True)
            results += bench_startup(args.runs, work, cli)
        for size in sizes:
            print(f"{size:,} agents", flush=True)
            runs = args.large_runs if size >= 10000 else args.runs
            results += bench_size(size, runs, work, cli, rulesync)
            if rulesync is not None and size in PEER_SIZES:
                print(f"{size:,} agents, seed-shaped catalog", flush=True)
                results += bench_seed_shaped(size, runs, work, cli, rulesync)
        for size in [int(s) for s in args.import_sizes.split(",") if s]:
            print(f"import of {size:,} agent files", flush=True)
            results += bench_import(size, args.large_runs, work, cli)
    note = (f"Each scenario: one warm-up run, then {args.runs} timed runs ({PEER_RUNS} of the "
            f"peer, after the run that writes its files; {args.large_runs} at 10,000 agents and "
            f"{args.large_runs} of each import, with no warm-up: the catalog generator or the run "
            "before has just read or written every file, to stay within six minutes); "
            f"the whole benchmark took {time.perf_counter() - started:.0f} s. "
            f"Load average (1/5/15 min) {load_before} before and {load_average()} after: "
            "the machine's two cores are shared, and a busy core slows every figure.")
    text = report(results, note)
    print(text)
    if not args.no_write:
        write_report(args.output, text)
        print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
