"""The README's Python example runs as written, quietly, and finds the lab's answer."""

import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def python_blocks(section="## Use"):
    """The Python code blocks of one section of the README."""
    text = README.read_text(encoding="utf-8").split(section + "\n", 1)[1]
    text = text.split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", text, re.S)


def test_readme_use_section_has_one_python_example():
    assert len(python_blocks()) == 1


def test_readme_example_warns_only_of_the_candidates_that_learned_nothing(tmp_path):
    (code,) = python_blocks()
    # A fresh interpreter, as a reader would run it; warnings always shown,
    # in the search's worker processes too.
    result = subprocess.run(
        [sys.executable, "-W", "always", "-c", code],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PYTHONWARNINGS": "always", "PATH": "", "MPLBACKEND": "Agg"},
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    # The smallest learning rates stay on the plateau near ln 2 for all 1000
    # epochs, and say so; nothing else warns.
    warned = [line for line in result.stderr.splitlines() if "Warning:" in line]
    for line in warned:
        assert "NoBetterThanChanceWarning" in line, line
        assert "lr (now 0.01)" in line or "lr (now 0.005)" in line, line
    assert warned, "no candidate warned: the test proves nothing"
    noise = [
        line
        for line in result.stderr.splitlines()
        if "Warning:" not in line and "self._final_estimator.fit" not in line
    ]
    assert noise == []
    params, accuracy = re.fullmatch(
        r"(\{.*\}) test accuracy (0\.\d{3})\n", result.stdout
    ).groups()
    assert "'numpymlpclassifier__lr': 0.5" in params
    assert float(accuracy) >= 0.9
