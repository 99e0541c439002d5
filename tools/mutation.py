"""Mutation testing of the core modules with mutmut, and a summary per module.

Run from anywhere in a clone with the test extras installed
(``pip install -c .ci/constraints.txt -e ".[test]"``)::

    python tools/mutation.py                    # every core module
    python tools/mutation.py _functions _optim  # some of them
    python tools/mutation.py --summary          # only summarise the last runs
    python tools/mutation.py --check NAME tests/test_x.py   # one mutant, some tests
    python tools/mutation.py --check NAME tests/test_x.py::test_y  # ... or one test

mutmut's configuration (the modules it may mutate, the tests it may run) is
``[tool.mutmut]`` in ``pyproject.toml``. Each mutant runs only the tests that
called the function it changes, one mutant at a time by default
(``--max-children``). Results are kept in ``mutants/`` (git-ignored), so a
second run retries only what changed; ``--fresh`` starts from nothing.
Look at a survivor with ``mutmut show NAME``; list the survivors'
names with ``mutmut results``. ``--check NAME`` runs the given test files
(current versions, copied in) against that one mutant, to see whether a new
test kills it without another mutmut run. Not run in CI: see CONTRIBUTING.md.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The core modules, as paths relative to the package. A module that does not
# exist (yet) is left out.
CORE = [
    "_functions.py",
    "_optim.py",
    "_numpy_mlp.py",
    "_numpy_fast.py",
    "_torch_mlp.py",
    "_base.py",
    "_classifier.py",
    "_regressor.py",
    "plotting.py",
    "inspection/_common.py",
    "inspection/_gradients.py",
    "inspection/_layers.py",
    "inspection/_evolution.py",
    "inspection/_lr_finder.py",
    "_stacked.py",
    "model_selection.py",
    "lab/claims.py",
    "lab/conclusions.py",
    "lab/comparisons.py",
    "lab/stats.py",
]

# "sklearn_mlplab._base.xǁBaseMLPClassifierǁ_train__mutmut_12" -> the module.
_MODULE_OF_MUTANT = re.compile(r"^(?P<module>.+?)\.x(?:_|ǁ)")
STATUSES = ("killed", "survived", "timeout", "no tests")


def _module_name(path):
    return "sklearn_mlplab." + path.removesuffix(".py").replace("/", ".")


def _existing_modules(wanted):
    """The dotted names of the core modules asked for that exist."""
    chosen = []
    for path in CORE:
        stem = Path(path).stem
        if wanted and stem not in wanted and path not in wanted:
            continue
        if (ROOT / "sklearn_mlplab" / path).exists():
            chosen.append(_module_name(path))
    unknown = set(wanted) - {Path(p).stem for p in CORE} - set(CORE)
    if unknown:
        raise SystemExit(f"Not core modules: {sorted(unknown)}; choose from {CORE}.")
    return chosen


def _mutmut():
    """The mutmut command of this interpreter's environment."""
    here = Path(sys.executable).parent / ("mutmut.exe" if os.name == "nt" else "mutmut")
    found = str(here) if here.exists() else shutil.which("mutmut")
    if found is None:
        raise SystemExit(
            "mutmut is not installed: pip install -c .ci/constraints.txt -e '.[test]'"
        )
    return found


def summarise(modules):
    """Count mutmut's verdicts per module; return {module: Counter}."""
    out = subprocess.run(
        [_mutmut(), "results", "--all", "true"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    counts = {m: Counter() for m in modules}
    for line in out.splitlines():
        name, _, status = line.strip().rpartition(": ")
        match = _MODULE_OF_MUTANT.match(name)
        if match and match["module"] in counts:
            counts[match["module"]][status] += 1
    return counts


def print_summary(counts):
    header = ["module", *STATUSES, "other", "score"]
    rows = []
    for module, c in counts.items():
        other = sum(c.values()) - sum(c[s] for s in STATUSES)
        tried = c["killed"] + c["survived"] + c["timeout"] + c["no tests"]
        score = (c["killed"] + c["timeout"]) / tried if tried else float("nan")
        rows.append(
            [module, *(str(c[s]) for s in STATUSES), str(other), f"{score:.1%}"]
        )
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)))
    print(
        "score = (killed + timeout) / (killed + survived + timeout + no tests); "
        "'other' counts mutants not yet run, suspicious or skipped."
    )


def check(name, tests):
    """Run ``tests`` against mutant ``name``; return pytest's exit code.

    mutmut's copy of the package in ``mutants/`` switches to a mutant when
    ``MUTANT_UNDER_TEST`` names it. The test files are copied in first, so
    tests written since the run are the ones that run.
    """
    tree = ROOT / "mutants"
    if not (tree / "sklearn_mlplab").is_dir():
        raise SystemExit("No mutants/ yet: run the script on a module first.")
    ids = []
    for test in tests:  # a file, or a test in it: tests/test_x.py::test_y
        path, *node = test.split("::", 1)
        source = Path(path).resolve()
        target = tree / source.relative_to(ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        ids.append("::".join([str(source.relative_to(ROOT)), *node]))
    env = {**os.environ, "MUTANT_UNDER_TEST": name, "PYTHONPATH": str(tree)}
    command = [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider"]
    result = subprocess.run([*command, *ids], cwd=tree, env=env)
    code = result.returncode
    verdict = {0: "survived", 1: "killed"}.get(code, f"pytest exit {code}")
    print(f"{name}: {verdict}")
    return result.returncode


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "modules",
        nargs="*",
        help=(
            "core modules to mutate, e.g. _functions, lab/conclusions "
            "(default: all); with --check, the test files to run"
        ),
    )
    parser.add_argument(
        "--max-children", type=int, default=1, help="mutants run at once (default 1)"
    )
    parser.add_argument("--fresh", action="store_true", help="delete mutants/ first")
    parser.add_argument(
        "--summary", action="store_true", help="summarise earlier runs, run nothing"
    )
    parser.add_argument(
        "--check",
        metavar="NAME",
        help="run the test files given as arguments against mutant NAME only",
    )
    args = parser.parse_args(argv)
    if args.check:
        if not args.modules:
            parser.error("--check NAME needs test files, e.g. tests/test_optim.py")
        check(args.check, args.modules)
        return
    modules = _existing_modules(args.modules)
    if not args.summary:
        if args.fresh:
            shutil.rmtree(ROOT / "mutants", ignore_errors=True)
        command = [_mutmut(), "run", "--max-children", str(args.max_children)]
        if args.modules:
            command += [f"{m}.*" for m in modules]
        subprocess.run(command, cwd=ROOT, check=True)
    print_summary(summarise(modules))


if __name__ == "__main__":
    main()
