"""Open the lab's report.html in a real headless Chromium.

The report is meant to be self-contained: every figure is inlined as a
``data:`` URI. A browser is the only thing that can tell whether those images
actually decode and whether the page runs without errors, so this module drives
the system's Chromium through Playwright (``pip install playwright``; no
``playwright install`` needed, as the browser found on this machine is used).

The browser is found via the ``MLPLAB_CHROMIUM`` environment variable or, failing
that, ``chromium``, ``chromium-browser`` or ``google-chrome`` on ``PATH``. Without
a browser or without Playwright the tests are skipped, saying what is missing.
"""

import os
import re
import shutil

import pytest

pytest.importorskip("pandas", reason="the lab report needs pandas")
pytest.importorskip("matplotlib", reason="the lab report needs matplotlib")

from sklearn_mlplab.cli import main  # noqa: E402

BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome")

# Headless comes from ``headless=True``; the user data dir is a fresh temporary
# folder given to ``launch_persistent_context``. The network flags keep Chromium
# from reaching out (and logging about it) on a machine without a network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

_IMAGES_JS = """() => Array.from(document.images, (img, i) => ({
    index: i,
    alt: img.alt,
    complete: img.complete,
    naturalWidth: img.naturalWidth,
}))"""

_HEADINGS_JS = """() => ({
    title: document.querySelector("head > title")?.textContent.trim() ?? null,
    h1: document.querySelector("h1")?.textContent.trim() ?? null,
})"""


def find_chromium():
    """Path of a Chromium-family browser, or skip saying how to get one."""
    env = os.environ.get("MLPLAB_CHROMIUM")
    if env:
        path = shutil.which(env)
        if path is None:
            pytest.fail(f"MLPLAB_CHROMIUM={env!r} is not an executable file")
        return path
    for name in BROWSER_NAMES:
        path = shutil.which(name)
        if path is not None:
            return path
    pytest.skip(
        "no Chromium found (looked for MLPLAB_CHROMIUM and "
        f"{', '.join(BROWSER_NAMES)} on PATH); install it, e.g. "
        "`apt-get install chromium`, or set MLPLAB_CHROMIUM=/path/to/chrome"
    )


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """A headless Chromium context with a fresh profile, shared by the module."""
    sync_api = pytest.importorskip(
        "playwright.sync_api",
        reason=(
            "the browser test needs Playwright: `pip install playwright` "
            "(it uses the system Chromium, no `playwright install`)"
        ),
    )
    executable = find_chromium()
    with sync_api.sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            tmp_path_factory.mktemp("chromium-profile"),
            executable_path=executable,
            headless=True,
            args=CHROMIUM_ARGS,
        )
        try:
            yield context
        finally:
            context.close()


@pytest.fixture(scope="module")
def report_html(tmp_path_factory):
    out = tmp_path_factory.mktemp("lab-report")
    assert main(["lab", "--quick", "--quiet", "--out", str(out), "--n-jobs", "1"]) == 0
    path = out / "report.html"
    assert path.is_file()
    return path


def page_problems(context, path):
    """Everything wrong with the page at ``path`` as a browser sees it.

    Returns a list of messages, empty when every image has loaded (and there
    is at least one), nothing was logged as a console error, no uncaught
    exception was raised, no request left the file or failed, and the page has
    a non-empty <title> and <h1>.
    """
    problems = []
    page = context.new_page()
    page.on(
        "console",
        lambda msg: (
            problems.append(f"console error: {msg.text}")
            if msg.type == "error"
            else None
        ),
    )
    page.on("pageerror", lambda err: problems.append(f"page error: {err}"))
    page.on(
        "requestfailed",
        lambda req: problems.append(f"request failed: {req.url[:80]} ({req.failure})"),
    )
    page.on(
        "request",
        lambda req: (
            None
            if req.url.startswith(("file:", "data:"))
            else problems.append(f"external request: {req.url}")
        ),
    )
    try:
        page.goto(path.resolve().as_uri(), wait_until="load")
        images = page.evaluate(_IMAGES_JS)
        headings = page.evaluate(_HEADINGS_JS)
    finally:
        page.close()

    if not images:
        problems.append("image: the page has no <img>")
    for img in images:
        if not (img["complete"] and img["naturalWidth"] > 0):
            problems.append(
                f"image {img['index']} ({img['alt']!r}) did not load: "
                f"complete={img['complete']}, naturalWidth={img['naturalWidth']}"
            )
    if not headings["title"]:
        problems.append("title: the page has no (non-empty) <title>")
    if not headings["h1"]:
        problems.append("h1: the page has no (non-empty) <h1>")
    return problems


def test_report_html_renders_in_browser(browser, report_html):
    assert page_problems(browser, report_html) == []


def _corrupt_first_image(html):
    # Garbage in front of the PNG signature: still valid base64, not an image.
    return html.replace("data:image/png;base64,", "data:image/png;base64,AAAA", 1)


def _throw(html):
    return html.replace("</body>", "<script>throw new Error('x')</script></body>")


def _console_error(html):
    return html.replace("</body>", "<script>console.error('oops')</script></body>")


def _no_title_no_h1(html):
    html = re.sub(r"<title>.*?</title>", "", html, flags=re.S)
    return re.sub(r"<h1>.*?</h1>", "", html, flags=re.S)


def _no_images(html):
    return re.sub(r"<img [^>]*>", "", html)


def _external_image(html):
    return html.replace(
        "</body>", '<img src="http://example.invalid/x.png" alt="remote"></body>'
    )


@pytest.mark.parametrize(
    ("breakage", "expected"),
    [
        pytest.param(_corrupt_first_image, r"^image 0 .* did not load", id="bad-image"),
        pytest.param(_throw, r"^page error: .*x", id="throw"),
        pytest.param(_console_error, r"^console error: oops", id="console-error"),
        pytest.param(_no_title_no_h1, r"^(title|h1): ", id="no-title-h1"),
        pytest.param(_no_images, r"^image: the page has no <img>", id="no-images"),
        pytest.param(
            _external_image,
            r"^external request: http://example\.invalid/",
            id="external-request",
        ),
    ],
)
def test_checker_catches_broken_report(
    browser, report_html, tmp_path, breakage, expected
):
    """The checker fails on a copy of the report broken on purpose."""
    broken_html = breakage(report_html.read_text(encoding="utf-8"))
    assert broken_html != report_html.read_text(encoding="utf-8")
    broken = tmp_path / "report.html"
    broken.write_text(broken_html, encoding="utf-8")
    problems = page_problems(browser, broken)
    assert any(re.search(expected, p) for p in problems), problems
