"""The code on the documentation pages runs and prints what the pages show."""

import doctest
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"
# Written by hand; the build's outputs and generated pages are left out.
SKIP = {"_build", "_templates", "generated", "auto_examples", "sg_execution_times.rst"}
# Only pages with examples: a page without any would make a test that cannot
# fail.
PAGES = sorted(
    page
    for page in DOCS.rglob("*.rst")
    if not SKIP.intersection(page.relative_to(DOCS).parts)
    and doctest.DocTestParser().get_examples(page.read_text(encoding="utf-8"))
)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(DOCS)))
def test_page_examples_run(page, monkeypatch):
    monkeypatch.setenv("MPLBACKEND", "Agg")
    result = doctest.testfile(
        str(page),
        module_relative=False,
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
        raise_on_error=False,
    )
    assert result.attempted > 0, f"no example of {page.name} ran"
    assert result.failed == 0, f"{result.failed} example(s) failed in {page.name}"
