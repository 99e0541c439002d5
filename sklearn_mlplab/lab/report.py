"""The report: findings and figures through Jinja2 templates.

``report.md`` is rendered from ``templates/report.md.j2``; ``report.html``
is the same Markdown, with each figure inlined as a data URI, turned into
HTML by markdown-it-py and wrapped in ``templates/report.html.j2`` with the
stylesheet ``templates/report.css``. Everything is written to a temporary
folder first and moved into place only when complete.
"""

import base64
import os
import shutil
import tempfile
from importlib import resources
from pathlib import Path

from .. import __version__
from . import conclusions, figures
from .claims import claims
from .text import cell, fmt, interval, join, pct, plain, times

FIGURES = {
    "data_raw.png": lambda s: figures.data_figure(s.described, False, s.config.smoke),
    "data_zscored.png": lambda s: figures.data_figure(
        s.described, True, s.config.smoke
    ),
    "loss_functions.png": lambda s: figures.loss_figure(s.losses, s.config.smoke),
    "decision_boundary.png": lambda s: figures.boundary_figure(
        s.accuracy, s.described, s.config.smoke
    ),
    "hidden_units.png": lambda s: figures.hidden_units_figure(
        s.inside, s.described, s.config.smoke
    ),
    "training_evolution.png": lambda s: figures.evolution_figure(
        s.inside, s.described, s.config.smoke
    ),
    "momentum.png": lambda s: figures.momentum_figure(s.momentum, s.config.smoke),
    **{
        f"grid_{b}.png": (
            lambda s, i=i: figures.search_figure(
                s.searches[i],
                s.config.smoke,
                # The range test ran on the first (numpy) backend's network.
                lr_finder=s.inside.lr_finder if i == 0 else None,
            )
        )
        for i, b in enumerate(("numpy", "torch"))
    },
}
# Written by a function of the study and a path; False where not drawn.
ANIMATIONS = {
    "training_evolution.gif": lambda s, path: figures.evolution_animation(
        s.inside, s.described, path
    ),
}
_MIME = {"png": "image/png", "gif": "image/gif"}


def _environment():
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(
        loader=PackageLoader("sklearn_mlplab.lab", "templates"),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=StrictUndefined,
        autoescape=False,
    )
    env.filters.update(
        fmt=fmt,
        pct=pct,
        times=times,
        listing=join,
        plain=plain,
        interval=interval,
        cell=cell,
    )
    return env


def context(study, where=None):
    """Everything the templates show, worked out from the study.

    ``where`` names the dask scheduler the searches ran on, if any.
    """
    smoke = study.config.smoke
    return dict(
        study=study,
        where=where,
        config=study.config,
        data=study.data,
        described=study.described,
        version=__version__,
        smoke=smoke,
        claims=claims(study),
        twins=conclusions.searches_agree(study.searches),
        twin_tolerance=conclusions.TWIN_TOLERANCE,
        summary=conclusions.summary(study),
        findings=dict(
            scale=conclusions.scale_finding(study.described),
            losses=conclusions.loss_findings(study.losses, smoke),
            accuracy=conclusions.accuracy_findings(study.accuracy, study.data, smoke),
            momentum=conclusions.momentum_findings(study.momentum, smoke),
            search=conclusions.search_findings(study.searches, smoke),
            gradient=conclusions.gradient_finding(study.inside),
            evolution=conclusions.evolution_finding(study.inside, smoke),
            lr_finder=conclusions.lr_finder_finding(
                study.inside, study.searches[0], smoke
            ),
        ),
    )


def draw_figures(study, folder, twins=False):
    """Save every figure of the study as a PNG (animations as GIFs) in
    ``folder``; return the names.

    With ``twins`` (the backends' searches agree), only the first backend's
    grid is drawn.
    """
    import matplotlib.pyplot as plt

    grids = study.backends[:1] if twins else study.backends
    names = []
    for name, draw in FIGURES.items():
        if name.startswith("grid_") and name[5:-4] not in grids:
            continue
        fig = draw(study)
        if fig is None:
            continue
        fig.savefig(Path(folder) / name, dpi=100)
        plt.close(fig)
        names.append(name)
    for name, write in ANIMATIONS.items():
        if write(study, Path(folder) / name):
            names.append(name)
    return names


def render_markdown(ctx, names, image=str):
    """The report as Markdown from :func:`context`; ``names`` are the drawn
    figures and ``image(name)`` gives each one's address."""
    env = _environment()
    return env.get_template("report.md.j2").render(
        **ctx, figures=set(names), image=image
    )


def render_html(ctx, names, folder):
    """The report as one self-contained HTML page, figures inlined."""
    from markdown_it import MarkdownIt

    def inline(name):
        data = base64.b64encode((Path(folder) / name).read_bytes()).decode("ascii")
        return f"data:{_MIME[name.rsplit('.', 1)[-1]]};base64,{data}"

    body = (
        MarkdownIt("commonmark", {"html": False})
        .enable("table")
        .render(render_markdown(ctx, names, image=inline))
    )
    css = resources.files("sklearn_mlplab.lab").joinpath("templates", "report.css")
    return (
        _environment()
        .get_template("report.html.j2")
        .render(body=body, css=css.read_text(encoding="utf-8"), smoke=ctx["smoke"])
    )


def write_report(study, out, where=None):
    """Write figures, ``report.md`` and ``report.html`` into ``out``.

    They are written to a temporary folder beside ``out`` and moved in only
    once all of them exist, so a failure leaves ``out`` as it was.

    Parameters
    ----------
    study : Study
        The results, from :func:`run_study`.
    out : str or Path
        The folder to write; created if missing. Figures of an earlier
        report there that this one does not draw are removed.
    where : str, default=None
        The dask scheduler the searches ran on, named in the report.

    Returns
    -------
    path : Path
        The written ``report.html``.

    Examples
    --------
    >>> import tempfile
    >>> from dataclasses import replace
    >>> from pathlib import Path
    >>> from sklearn_mlplab.lab import QUICK, load_bundled, run_study, write_report
    >>> tiny = replace(QUICK, epochs=20, momentum_epochs=20, search_epochs=10)
    >>> study = run_study(load_bundled(), tiny, backends=("numpy",))
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     html = write_report(study, Path(folder) / "report")
    ...     print(html.name, (html.parent / "report.md").exists())
    report.html True
    """
    out = Path(out)
    parent = out.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".mlplab-", dir=parent))
    try:
        ctx = context(study, where)
        names = draw_figures(study, tmp, twins=ctx["twins"])
        (tmp / "report.md").write_text(render_markdown(ctx, names), encoding="utf-8")
        (tmp / "report.html").write_text(render_html(ctx, names, tmp), encoding="utf-8")
        if not out.exists():
            os.replace(tmp, out)
        else:
            for item in tmp.iterdir():
                os.replace(item, out / item.name)
            # A figure of an earlier run that this one did not draw.
            for name in (set(FIGURES) | set(ANIMATIONS)) - set(names):
                (out / name).unlink(missing_ok=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out / "report.html"
