#!/usr/bin/env python3
"""The two commands a newcomer needs, with nothing but Python 3.11+ installed.

    python3 dev.py run    install splitship and serve the demo shop on http://127.0.0.1:8000
    python3 dev.py test   install the development tools, compile the planner and run the whole
                          test suite
    python3 dev.py build  install the development tools and compile the planner

Each creates ``.venv`` beside this file and installs the pinned versions from ``constraints.txt``;
they reinstall only when ``pyproject.toml`` or ``constraints.txt`` changed. Compiling the planner
(mypyc) needs a C compiler and the Python headers; without them the planner runs as plain Python
(same plans, slower), except under CI=true, where the compiled planner is what is tested. ``run``
uses a compiled planner when one matches the sources.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / "python"


def ensure_env(extras: str) -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - this file runs before any install
        sys.exit(f"splitship needs Python 3.11 or newer; this is {sys.version.split()[0]}")
    if not PY.exists():
        print(f"creating {VENV} ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    inputs = b"".join((ROOT / f).read_bytes() for f in ("pyproject.toml", "constraints.txt"))
    stamp = VENV / f".installed-{extras or 'base'}"
    digest = hashlib.sha256(inputs).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        return
    target = f".[{extras}]" if extras else "."
    print(f"installing splitship{f'[{extras}]' if extras else ''} ...", flush=True)
    run([str(PY), "-m", "pip", "install", "--quiet", "--upgrade", "pip"])
    run([str(PY), "-m", "pip", "install", "--quiet", "-c", "constraints.txt", "-e", target])
    stamp.write_text(digest)


def run(cmd: list[str]) -> None:
    done = subprocess.run(cmd, cwd=ROOT)
    if done.returncode:
        sys.exit(done.returncode)


def build_planner() -> None:
    required = ["--require"] if os.environ.get("CI", "").lower() == "true" else []
    run([str(PY), str(ROOT / "tools" / "build_planner.py"), *required])


def main(argv: list[str]) -> None:
    command = argv[0] if argv else ""
    rest = argv[1:]
    if command == "run":
        ensure_env("")
        os.execv(str(BIN / "splitship"), [str(BIN / "splitship"), "up", *rest])
    elif command == "build":
        ensure_env("dev")
        build_planner()
    elif command == "test":
        ensure_env("dev")
        build_planner()
        code = ["src", "tests", "benchmarks", "tools", "dev.py"]
        run([str(PY), "-m", "ruff", "check", *code])
        run([str(PY), "-m", "ruff", "format", "--check", *code])
        run([str(PY), "-m", "mypy"])
        run([str(PY), "-m", "pytest", *(rest or ["-q"])])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
