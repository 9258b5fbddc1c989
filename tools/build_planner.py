"""Compile the planner's hot modules with mypyc (``python3 dev.py build`` runs this).

The extension modules go to ``src/splitship/planning/_compiled/`` with a stamp of the sources
they were built from; ``splitship.planning`` uses them only while the stamp matches (see its
docstring). Nothing is rebuilt while the stamp matches. Without a C compiler or the Python
headers, the planner stays interpreted: this says so and succeeds, unless ``--require`` is given
(CI tests the compiled build).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "splitship" / "planning"


def missing_toolchain() -> str | None:
    """What the build lacks, in words; None when a compiler and the headers are there."""
    compiler = (sysconfig.get_config_var("CC") or "cc").split()[0]
    if shutil.which(compiler) is None:
        return f"no C compiler ({compiler})"
    headers = Path(sysconfig.get_paths()["include"]) / "Python.h"
    if not headers.exists():
        return f"no Python headers ({headers})"
    return None


def build(out: Path, modules: tuple[str, ...]) -> None:
    """Compile ``modules`` of the planning package as one group into ``out``."""
    # imported here: both are development tools, absent from a plain install
    from mypyc.build import mypycify
    from setuptools import Distribution

    with tempfile.TemporaryDirectory(prefix="splitship-build-") as tmp:
        work = Path(tmp)
        sources = [str((PACKAGE / f"{m}.py").relative_to(ROOT)) for m in modules]
        extensions = mypycify(
            sources,
            opt_level="3",
            target_dir=str(work / "c"),
            # the shared runtime goes into the package too: splitship.planning.native__mypyc
            group_name="splitship.planning.native",
        )
        dist = Distribution({"name": "splitship-planner", "ext_modules": extensions})
        dist.script_args = [
            "--quiet",
            "build_ext",
            "--build-lib",
            str(work / "lib"),
            "--build-temp",
            str(work / "tmp"),
        ]
        dist.parse_command_line()
        dist.run_commands()
        built = sorted((work / "lib" / "splitship" / "planning").iterdir())
        if out.exists():
            shutil.rmtree(out)
        out.mkdir()
        for path in built:
            shutil.copy2(path, out / path.name)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--require", action="store_true", help="fail when the build is not possible")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT / "src"))
    import splitship.planning as planning

    digest = planning.source_digest()
    try:
        if planning.STAMP.read_text().strip() == digest:
            print("compiled planner: up to date")
            return 0
    except OSError:
        pass
    lack = missing_toolchain()
    if lack is not None:
        print(
            f"compiled planner: not built, {lack}; the planner runs as plain Python "
            "(same plans, slower)",
            file=sys.stderr if args.require else sys.stdout,
        )
        return 1 if args.require else 0
    print("compiling the planner with mypyc (about a minute, once per change) ...", flush=True)
    start = time.monotonic()
    # the old build no longer matches: leave no half-written one behind if this fails
    planning.STAMP.unlink(missing_ok=True)
    build(planning.COMPILED_DIR, planning.COMPILED_MODULES)
    planning.STAMP.write_text(digest + "\n")
    print(f"compiled planner: built in {time.monotonic() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
