"""The split planner: pure functions from an order and its context to a plan (no I/O, no clock).

The planner's hot modules (``COMPILED_MODULES``) may run compiled. ``python3 dev.py build`` (and
``python3 dev.py test``) compile these very sources with mypyc, the compiler mypy ships, into
``_compiled/`` beside this file, with a stamp of the sources they were built from. A build is
used only while the stamp matches the sources of this package and of ``splitship.domain`` (the
types it was checked against) and the interpreter; otherwise the modules run as plain Python, with
the same plans, 1.6–2.3 times slower. ``SPLITSHIP_PLANNER=python`` always runs them as Python;
``SPLITSHIP_PLANNER=compiled`` refuses to start without a matching build.
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

# rule parsing, reasons and the context types stay interpreted: they are not on the hot path
COMPILED_MODULES = ("allocation", "binpack", "packing", "planner", "rates")
_HERE = Path(__file__).resolve().parent
COMPILED_DIR = _HERE / "_compiled"
STAMP = COMPILED_DIR / "STAMP"


def source_digest(package: Path = _HERE.parent) -> str:
    """The digest a build must carry: the interpreter's tag and every source of the planning and
    domain packages (of ``package``, the ``splitship`` folder)."""
    digest = hashlib.sha256(sys.implementation.cache_tag.encode())
    for folder in (package / "planning", package / "domain"):
        for path in sorted(folder.glob("*.py")):
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def use_compiled(setting: str, stamp: Path, digest: str) -> bool:
    """Whether to run the build whose stamp is ``stamp``: ``setting`` is SPLITSHIP_PLANNER."""
    choice = setting.strip().lower()
    if choice not in ("", "python", "compiled"):
        raise RuntimeError(
            f"SPLITSHIP_PLANNER={setting!r} is not understood: use 'python', 'compiled' or unset it"
        )
    if choice == "python":
        return False
    try:
        found = stamp.read_text().strip()
    except OSError:
        found = ""
    if found == digest:
        return True
    if choice == "compiled":
        state = "was built from other sources" if found else "is not built"
        raise RuntimeError(
            f"SPLITSHIP_PLANNER=compiled, but the compiled planner {state}: "
            "run `python3 dev.py build` (needs a C compiler), or unset SPLITSHIP_PLANNER"
        )
    return False


COMPILED = use_compiled(os.environ.get("SPLITSHIP_PLANNER", ""), STAMP, source_digest())
if COMPILED:
    # the extension modules there are found before the sources here
    __path__.insert(0, str(COMPILED_DIR))
