"""The compiled planner: used only while it matches its sources, and it plans as the interpreted
one.

Run as a script, this file prints the plans of a fixed sample of orders as JSON (the test runs it
with the interpreted planner and compares)."""

from __future__ import annotations

import importlib.machinery
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def sample_plans() -> dict[str, object]:
    """Whether the planner runs compiled, and the plans of a fixed sample of orders of every
    family and size (everything a plan says, in plain values)."""
    from benchmarks import instances

    from splitship import planning
    from splitship.planning import planner as pl

    orders = (
        instances.family_b(30, "small", 3)
        + instances.family_b(30, "medium", 3)
        + instances.family_b(4, "large", 3)
        + instances.family_a(1, (120,))
    )
    plans = []
    for inst in orders:
        plan = pl.plan(inst.order, inst.context)
        plans.append(
            {
                "order": inst.name,
                "cost": plan.total_cost,
                "on_time": plan.on_time,
                "proven": plan.proven_optimal,
                "single": plan.single_parcel_cost,
                "notes": [r.en for r in plan.notes],
                "unshippable": [(u.line_id, u.quantity, u.reason.en) for u in plan.unshippable],
                "packages": [
                    (
                        sorted(p.items.items()),
                        p.warehouse_id,
                        p.box_id,
                        p.channel_id,
                        p.zone,
                        p.chargeable_weight_g,
                        p.price,
                        p.handling_cost,
                        str(p.eta_earliest),
                        str(p.eta_latest),
                        p.on_time,
                        [r.en for r in p.reasons],
                    )
                    for p in plan.packages
                ],
            }
        )
    return {"compiled": planning.COMPILED, "plans": json.loads(json.dumps(plans))}


def test_a_build_is_used_only_while_its_stamp_matches(tmp_path: Path) -> None:
    from splitship.planning import use_compiled

    stamp = tmp_path / "STAMP"
    assert not use_compiled("", stamp, "abc")  # nothing built
    stamp.write_text("abc\n")
    assert use_compiled("", stamp, "abc")
    assert use_compiled(" Compiled ", stamp, "abc")
    assert not use_compiled("", stamp, "abd")  # built from other sources
    assert not use_compiled("python", stamp, "abc")  # the interpreted planner asked for
    with pytest.raises(RuntimeError, match=r"built from other sources.*dev\.py build"):
        use_compiled("compiled", stamp, "abd")
    with pytest.raises(RuntimeError, match=r"is not built.*dev\.py build"):
        use_compiled("compiled", tmp_path / "missing", "abc")
    with pytest.raises(RuntimeError, match="SPLITSHIP_PLANNER='fast' is not understood"):
        use_compiled("fast", stamp, "abc")


def test_the_stamp_changes_with_any_planning_or_domain_source(tmp_path: Path) -> None:
    from splitship import planning

    package = Path(planning.__file__).resolve().parent.parent
    copy = tmp_path / "splitship"
    for name in ("planning", "domain"):
        (copy / name).mkdir(parents=True)
        for path in (package / name).glob("*.py"):
            shutil.copy2(path, copy / name / path.name)
    same = planning.source_digest(copy)
    assert same == planning.source_digest()
    for edited in ("planning/packing.py", "domain/catalog.py"):
        path = copy / edited
        before = path.read_bytes()
        path.write_bytes(before + b"\n# edited\n")
        assert planning.source_digest(copy) != same, edited
        path.write_bytes(before)
    assert planning.source_digest(copy) == same


def test_the_compiled_planner_plans_as_the_interpreted_one() -> None:
    from splitship import planning

    if not planning.COMPILED:
        how = "`python3 dev.py build` compiles it (needs a C compiler and the Python headers)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI tests the compiled planner, but it is not in use: {how}")
        pytest.skip(f"the planner runs interpreted here: {how}")
    suffixes = tuple(importlib.machinery.EXTENSION_SUFFIXES)
    for name in planning.COMPILED_MODULES:
        module = sys.modules.get(f"splitship.planning.{name}") or __import__(
            f"splitship.planning.{name}", fromlist=["_"]
        )
        # (mypyc names the modules it starts along with the first as if in a package tree
        # under the build: within it either way)
        path = Path(module.__file__ or "")
        assert path.is_relative_to(planning.COMPILED_DIR) and path.name.endswith(suffixes), path
    here = sample_plans()
    done = subprocess.run(
        [sys.executable, __file__],
        env={**os.environ, "SPLITSHIP_PLANNER": "python"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    there = json.loads(done.stdout)
    assert here["compiled"] is True and there["compiled"] is False
    assert here["plans"] == there["plans"]


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    print(json.dumps(sample_plans()))
