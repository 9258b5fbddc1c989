"""The benchmark's CP-SAT reference run in a child process: an abort of the solver costs one
solve, which is run again (the last time without the hint), and never the benchmark run.

Each case runs in a fresh interpreter, so that the forks happen in a process with no other
threads and the aborts stay out of the test process."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytest.importorskip("ortools")

if not hasattr(os, "fork"):
    pytest.skip("the isolated reference needs os.fork (POSIX)", allow_module_level=True)

ROOT = Path(__file__).resolve().parents[2]

# ``_solve`` replaced by one that records each attempt's hint flag in a file (the attempts run
# in children, so only a file reaches the parent) and then does what ``BEHAVIOUR`` says
SCRIPT = """
import os, resource, sys
resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # the aborts leave no core files
from benchmarks import reference
from benchmarks.instances import family_b
from splitship.planning import planner as pl

log, behaviour = sys.argv[1], sys.argv[2]
inst = family_b(3, "small")[2]
plan = pl.plan(inst.order, inst.context)
real = reference._solve

def flaky(*args, use_hint, **kw):
    with open(log, "a") as f:
        f.write(f"{use_hint}\\n")
    attempts = len(open(log).read().split())
    if behaviour == "raise":
        raise ValueError("a bug in the model")
    if attempts <= int(behaviour):
        os.abort()
    return real(*args, use_hint=use_hint, **kw)

direct = reference.solve(inst.order, inst.context, 5.0, len(plan.packages), 1, plan)
reference._solve = flaky
reference.ISOLATED = True
ref = reference.solve(inst.order, inst.context, 5.0, len(plan.packages), 1, plan)
print(ref.cost, ref.optimal, direct.cost, plan.total_cost)
"""


def _run(tmp_path: Path, behaviour: str) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    log = tmp_path / "attempts"
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(SCRIPT), str(log), behaviour],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    attempts = log.read_text().split() if log.exists() else []
    return proc, attempts


def test_an_abort_is_solved_again_and_the_last_try_has_no_hint(tmp_path: Path) -> None:
    proc, attempts = _run(tmp_path, "2")
    assert proc.returncode == 0, proc.stderr
    assert attempts == ["True", "True", "False"]
    cost, optimal, direct, planned = proc.stdout.split()
    # the third child's result reached the parent: the same optimum as a solve in-process
    assert optimal == "True"
    assert cost == direct
    assert int(cost) <= int(planned)
    assert proc.stderr.count("CP-SAT aborted on small002") == 2
    assert "without the hint" in proc.stderr


def test_a_solve_that_keeps_aborting_fails_the_run(tmp_path: Path) -> None:
    proc, attempts = _run(tmp_path, "9")
    assert proc.returncode != 0
    assert attempts == ["True", "True", "False"]
    assert "CP-SAT aborted 3 times on small002" in proc.stderr


def test_an_error_in_the_child_is_not_retried(tmp_path: Path) -> None:
    proc, attempts = _run(tmp_path, "raise")
    assert proc.returncode != 0
    assert attempts == ["True"]
    assert "ValueError: a bug in the model" in proc.stderr
    assert "the CP-SAT child process failed" in proc.stderr
