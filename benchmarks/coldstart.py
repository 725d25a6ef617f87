"""Cold start of the CLI: ``kim report`` and ``kim screening check`` from a fresh process.

Target from issue 16 (item 4): "the cold start of the CLI (``kim report``, ``kim screening
check`` for one person ≤ 1 s from a cold process: import document libraries only when
needed)".

1. **Database** ``var/bench/coldstart/bench.sqlite3``: ``kim migrate`` and ``kim seed_demo``
   (the demo world, ≈ 30 s; ``--reuse-db`` keeps an earlier seed). Always SQLite: the figure is
   the process's start, not the database's.
2. **Bytecode.** Every command runs once untimed first. With ``--bytecode`` (the default) the
   children may write their compiled modules – into ``var/bench/coldstart/pycache``
   (``PYTHONPYCACHEPREFIX``, nothing in the source tree or the venv) – so the timed runs are
   cold *processes* of an installed system, which has its ``.pyc`` files. ``--no-bytecode``
   keeps ``PYTHONDONTWRITEBYTECODE=1``: every start then compiles every module from source
   (≈ 1.8 s of CPU more), which is what a read-only checkout without caches pays.
3. **Runs.** Each command ``--runs`` times (default 7) in a new process, wall time from
   ``subprocess.run`` (start of the interpreter to its exit), median reported, and the median
   CPU time (user + system) of the child, which a busy machine disturbs less. One more run
   with ``python -X importtime`` lists which document libraries (python-docx, openpyxl,
   WeasyPrint, matplotlib, pandas) the command imported.

Commands (``TARGET_MS`` applies to the first two; the renders are reported for comparison,
they import their document library by design):
``kim screening check --input one-person.json``, ``kim report motion --list``,
``kim report motion 184/2022 --format html|docx|pdf --out …`` and ``kim --help``.

Writes ``benchmarks/results/coldstart-latest.json`` (and a dated copy)::

    {"when": str, "config": {...}, "loadavg_1min_before": float, "bytecode": bool,
     "commands": [{"name": str, "argv": [str], "runs": int, "median_ms": float,
                   "min_ms": float, "max_ms": float, "samples_ms": [float],
                   "cpu_median_ms": float,
                   "target_ms": float | null, "ok": bool | null, "document_imports": [str]}],
     "ok": bool}

Standalone: ``.venv/bin/python benchmarks/coldstart.py [--reuse-db] [--runs N] [--strict]``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the ``benchmarks`` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.run import RESULTS_DIR, ROOT, VENV_BIN, child_env, run_child

VAR_DIR = ROOT / "var" / "bench" / "coldstart"
DB_FILE = "bench.sqlite3"
SEED_VERSION = 1
TARGET_MS = 1000.0
DEFAULT_RUNS = 7
RUN_TIMEOUT = 120
DOCUMENT_LIBRARIES = ("docx", "openpyxl", "weasyprint", "matplotlib", "pandas")
MOTION = "184/2022"  # kim.council.demo.DEMO_MOTION_REFERENCE
ONE_PERSON = {
    "decision_date": "2026-03-15",
    "persons": [
        {
            "ref": "BENCH-1",
            "birth_date": "2002-06-10",
            "residence_periods": [
                {"status": "gestattung", "from": "2016-01-01", "to": "2019-12-31"},
                {"status": "duldung", "section": "§ 60a", "from": "2020-01-01", "to": None},
            ],
            "school_years_de": 4,
            "identity_deception": False,
            "fdgo_commitment": True,
            "in_education": True,
        }
    ],
}


@dataclass
class Command:
    name: str
    argv: list[str]  # after ``kim``
    target_ms: float | None = None
    runs: int = 0
    median_ms: float = 0.0
    min_ms: float = 0.0
    max_ms: float = 0.0
    samples_ms: list[float] = field(default_factory=list)
    cpu_median_ms: float = (
        0.0  # user + system CPU of the process: steadier than wall on a busy machine
    )
    ok: bool | None = None
    document_imports: list[str] = field(default_factory=list)


def commands(out_dir: Path, person_file: Path) -> list[Command]:
    def report(fmt: str) -> Command:
        out = str(out_dir / f"report.{fmt}")
        return Command(
            f"kim report motion {MOTION} --format {fmt}",
            ["report", "motion", MOTION, "--format", fmt, "--out", out],
        )

    return [
        Command(
            "kim screening check (one person)",
            ["screening", "check", "--input", str(person_file)],
            target_ms=TARGET_MS,
        ),
        Command("kim report motion --list", ["report", "motion", "--list"], target_ms=TARGET_MS),
        report("html"),
        report("docx"),
        report("pdf"),
        Command("kim --help", ["--help"]),
    ]


def environment(bytecode: bool) -> dict[str, str]:
    env = child_env(VAR_DIR)
    env["DATABASE_URL"] = f"sqlite:///{VAR_DIR / DB_FILE}"
    if bytecode:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(VAR_DIR / "pycache")
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def prepare(reuse: bool) -> float | None:
    """The seeded demo world; returns the seed time (None when reused)."""
    marker = VAR_DIR / "seeded.json"
    seeded = json.loads(marker.read_text(encoding="utf-8")) if marker.exists() else {}
    if reuse and seeded.get("seed_version") == SEED_VERSION and (VAR_DIR / DB_FILE).exists():
        print(f"Reusing the seeded demo world of {VAR_DIR.relative_to(ROOT)}")
        return None
    shutil.rmtree(VAR_DIR, ignore_errors=True)
    VAR_DIR.mkdir(parents=True)
    env = environment(bytecode=False)
    started = time.perf_counter()
    run_child([str(VENV_BIN / "kim"), "migrate", "--verbosity", "0"], env, 600)
    run_child([str(VENV_BIN / "kim"), "seed_demo"], env, 1800)
    seconds = time.perf_counter() - started
    marker.write_text(json.dumps({"seed_version": SEED_VERSION, "seconds": seconds}), "utf-8")
    return seconds


def _run(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU (user + system) milliseconds of one run of ``kim argv``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        [str(VENV_BIN / "kim"), *argv],
        env=env,
        cwd=ROOT,
        capture_output=True,
        timeout=RUN_TIMEOUT,
        check=False,
    )
    elapsed = (time.perf_counter() - started) * 1000
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000
    if done.returncode != 0:
        raise SystemExit(
            f"kim {' '.join(argv)} failed ({done.returncode}): {done.stderr.decode()[-2000:]}"
        )
    return elapsed, cpu


_IMPORT_LINE = re.compile(r"import time:\s+\d+ \|\s+\d+ \|\s*(\S+)")


def document_imports(argv: list[str], env: dict[str, str]) -> list[str]:
    """The document libraries the command imports (one run under ``-X importtime``)."""
    done = subprocess.run(
        [str(VENV_BIN / "python"), "-X", "importtime", "-m", "kim", *argv],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        check=False,
    )
    modules = {m.group(1) for m in _IMPORT_LINE.finditer(done.stderr)}
    return [lib for lib in DOCUMENT_LIBRARIES if lib in modules]


def measure(command: Command, runs: int, env: dict[str, str]) -> Command:
    _run(command.argv, env)  # untimed: writes the bytecode caches (with --bytecode)
    measured = [_run(command.argv, env) for _ in range(runs)]
    samples = [wall for wall, _cpu in measured]
    command.cpu_median_ms = round(statistics.median(cpu for _wall, cpu in measured), 1)
    command.runs = runs
    command.samples_ms = [round(s, 1) for s in samples]
    command.median_ms = round(statistics.median(samples), 1)
    command.min_ms = round(min(samples), 1)
    command.max_ms = round(max(samples), 1)
    command.ok = None if command.target_ms is None else command.median_ms <= command.target_ms
    command.document_imports = document_imports(command.argv, env)
    return command


def print_results(results: list[Command]) -> None:
    print(
        f"\n{'command':<40} {'runs':>4} {'median ms':>10} {'min ms':>8} {'max ms':>8} "
        f"{'CPU ms':>7}  {'target':<10} imports"
    )
    for c in results:
        target = f"≤ {c.target_ms:.0f} ms" if c.target_ms else ""
        verdict = "" if c.ok is None else (" PASS" if c.ok else " FAIL")
        print(
            f"{c.name:<40} {c.runs:>4} {c.median_ms:>10,.0f} {c.min_ms:>8,.0f} {c.max_ms:>8,.0f} "
            f"{c.cpu_median_ms:>7,.0f}  {target:<10} {', '.join(c.document_imports) or '–'}"
            f"{verdict}"
        )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Benchmark the cold start of the kim CLI.")
    parser.add_argument("--runs", type=int, default=DEFAULT_RUNS, help="timed runs per command")
    parser.add_argument("--reuse-db", action="store_true", help="reuse the seeded demo world")
    parser.add_argument(
        "--no-bytecode",
        dest="bytecode",
        action="store_false",
        help="compile every module at every start (PYTHONDONTWRITEBYTECODE=1)",
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 if a target fails")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be ≥ 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    load_before = os.getloadavg()[0]
    seed_seconds = prepare(args.reuse_db)
    person_file = VAR_DIR / "one-person.json"
    person_file.write_text(json.dumps(ONE_PERSON, ensure_ascii=False), encoding="utf-8")
    out_dir = VAR_DIR / "out"
    out_dir.mkdir(exist_ok=True)
    env = environment(args.bytecode)
    print(
        f"Cold start, {args.runs} runs per command, bytecode caches "
        f"{'on' if args.bytecode else 'off'}, load average {load_before:.2f} "
        f"({os.cpu_count()} CPUs)"
    )
    results = []
    for command in commands(out_dir, person_file):
        print(f"  kim {' '.join(command.argv)}")
        results.append(measure(command, args.runs, env))
    print_results(results)
    ok = all(c.ok is not False for c in results)
    payload: dict[str, Any] = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "config": vars(args),
        "seed_seconds": round(seed_seconds, 1) if seed_seconds is not None else None,
        "loadavg_1min_before": round(load_before, 2),
        "loadavg_1min_after": round(os.getloadavg()[0], 2),
        "bytecode": args.bytecode,
        "commands": [asdict(c) for c in results],
        "ok": ok,
    }
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    text = json.dumps(payload, indent=2, ensure_ascii=False)
    path = RESULTS_DIR / f"coldstart-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(text, encoding="utf-8")
    (RESULTS_DIR / "coldstart-latest.json").write_text(text, encoding="utf-8")
    print(f"\nResults written to {path.relative_to(ROOT)}")
    return 1 if args.strict and not ok else 0


if __name__ == "__main__":
    sys.exit(main())
