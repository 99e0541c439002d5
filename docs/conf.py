"""Sphinx configuration for the sklearn-mlplab documentation.

Build with::

    sphinx-build -W --keep-going -b html docs docs/_build/html
"""

import inspect
import os
import re
import sys
import warnings
import zlib
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
# Document the working tree even when the package is not installed.
sys.path.insert(0, str(ROOT))

import sklearn_mlplab  # noqa: E402

# Examples and doctests must never open windows.
os.environ.setdefault("MPLBACKEND", "Agg")

# -- Project ------------------------------------------------------------------
project = "sklearn-mlplab"
author = "The sklearn-mlplab developers"
copyright = "The sklearn-mlplab developers"
release = sklearn_mlplab.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "**.ipynb_checkpoints", "benchmark_results.rst"]
root_doc = "index"
default_role = "literal"

# -- HTML ---------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"sklearn-mlplab {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version", "theme-version"],
}
html_context = {"default_mode": "light"}
html_show_sourcelink = False

# -- autodoc / autosummary / numpydoc -------------------------------------------
autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": True}
autodoc_typehints = "none"

numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = True
numpydoc_xref_aliases = {
    "ndarray": "numpy.ndarray",
    "array-like": ":term:`array-like`",
    "sparse matrix": ":term:`sparse matrix`",
    "RandomState": "numpy.random.RandomState",
    "Axes": "matplotlib.axes.Axes",
    "matplotlib Axes": "matplotlib.axes.Axes",
    "Figure": "matplotlib.figure.Figure",
    "matplotlib Figure": "matplotlib.figure.Figure",
    "torch.device": "torch.device",
    "Bunch": "sklearn.utils.Bunch",
    "DataFrame": "pandas.DataFrame",
    "Line2D": "matplotlib.lines.Line2D",
    "AxesImage": "matplotlib.image.AxesImage",
    "Colorbar": "matplotlib.colorbar.Colorbar",
    "Colormap": "matplotlib.colors.Colormap",
    "GridSearchCV": "sklearn.model_selection.GridSearchCV",
    "MetadataRequest": "sklearn.utils.metadata_routing.MetadataRequest",
    "estimator": ":term:`estimator`",
}
numpydoc_xref_ignore = {
    "of",
    "shape",
    "default",
    "or",
    "optional",
    "n_samples",
    "n_features",
    "n_classes",
    "instance",
    "list",
    "tuple",
    "dict",
    "str",
    "int",
    "float",
    "bool",
    "None",
    "object",
    "callable",
    "path-like",
    "matplotlib",
    "is",
    "if",
    "CV",
    "estimators",
    "n_hidden",
    "n_lr",
    "n_outputs",
}
# Checked on every documented object; failures are build warnings (errors
# under -W). Methods scikit-learn generates for metadata routing are skipped.
numpydoc_validation_checks = {"PR01", "PR02", "PR03", "PR06", "PR10"}
numpydoc_validation_exclude = {
    r"\.set_\w+_request$",
    r"\.get_metadata_routing$",
    r"\.__\w+__$",
    # Instances of LabConfig: numpydoc would check the class's parameters.
    r"^sklearn_mlplab\.lab\.(FULL|QUICK)$",
}

# -- intersphinx ----------------------------------------------------------------
# Each project is looked up online first. Without a network the build falls
# back to a small local inventory that lists only the names these pages link
# to (written below into _build/), so an offline build with -W still passes
# and still links those names to the right pages.
_INVENTORY_DIR = DOCS / "_build" / "intersphinx_fallback"
_FALLBACK = {
    "sklearn": (
        "https://scikit-learn.org/stable/",
        [
            ("sklearn.neural_network.MLPClassifier", "py:class"),
            ("sklearn.model_selection.GridSearchCV", "py:class"),
            ("sklearn.model_selection.RandomizedSearchCV", "py:class"),
            ("sklearn.model_selection.HalvingGridSearchCV", "py:class"),
            ("sklearn.model_selection.train_test_split", "py:function"),
            ("sklearn.pipeline.Pipeline", "py:class"),
            ("sklearn.pipeline.make_pipeline", "py:function"),
            ("sklearn.preprocessing.StandardScaler", "py:class"),
            ("sklearn.inspection.DecisionBoundaryDisplay", "py:class"),
            ("sklearn.exceptions.ConvergenceWarning", "py:class"),
            ("sklearn.base.BaseEstimator", "py:class"),
            ("sklearn.base.clone", "py:function"),
            ("sklearn.set_config", "py:function"),
            ("sklearn.utils.metadata_routing.MetadataRequest", "py:class"),
            ("sklearn.utils.Bunch", "py:class"),
            ("sklearn.datasets.make_moons", "py:function"),
            ("sklearn.datasets.make_classification", "py:function"),
            ("sklearn.datasets.make_multilabel_classification", "py:function"),
            ("sklearn.multiclass.OneVsRestClassifier", "py:class"),
            ("sklearn.multioutput.MultiOutputClassifier", "py:class"),
            ("sklearn.utils.class_weight.compute_sample_weight", "py:function"),
            ("sklearn.utils.class_weight.compute_class_weight", "py:function"),
            ("sklearn.callback.ScoringMonitor", "py:class"),
            ("sklearn.callback.ProgressBar", "py:class"),
            ("sklearn.callback.FitCallback", "py:class"),
            ("sklearn.neural_network.MLPRegressor", "py:class"),
            ("sklearn.compose.TransformedTargetRegressor", "py:class"),
            ("sklearn.multioutput.MultiOutputRegressor", "py:class"),
            ("sklearn.linear_model.LinearRegression", "py:class"),
            ("sklearn.linear_model.PoissonRegressor", "py:class"),
            ("sklearn.model_selection.cross_validate", "py:function"),
        ],
        [
            ("array-like", "std:term", "glossary.html#term-array-like"),
            ("sparse matrix", "std:term", "glossary.html#term-sparse-matrix"),
            ("estimator", "std:term", "glossary.html#term-estimator"),
            ("meta-estimator", "std:term", "glossary.html#term-meta-estimator"),
            # Referenced by the docstrings of inherited scikit-learn methods.
            ("fit", "std:term", "glossary.html#term-fit"),
            ("classes_", "std:term", "glossary.html#term-classes_"),
            ("metadata_routing", "std:label", "metadata_routing.html#metadata-routing"),
            (
                "accuracy_score",
                "std:label",
                "modules/model_evaluation.html#accuracy-score",
            ),
            ("r2_score", "std:label", "modules/model_evaluation.html#r2-score"),
        ],
    ),
    # numpydoc links the builtin types of docstrings to Python's docs.
    "python": (
        "https://docs.python.org/3/",
        [],
        [
            (
                "bltin-boolean-values",
                "std:label",
                "library/stdtypes.html#bltin-boolean-values",
            ),
            ("None", "py:data", "library/constants.html#None"),
            ("True", "py:data", "library/constants.html#True"),
            ("False", "py:data", "library/constants.html#False"),
            ("int", "py:class", "library/functions.html#int"),
            ("float", "py:class", "library/functions.html#float"),
            ("str", "py:class", "library/stdtypes.html#str"),
            ("list", "py:class", "library/stdtypes.html#list"),
            ("tuple", "py:class", "library/stdtypes.html#tuple"),
            ("dict", "py:class", "library/stdtypes.html#dict"),
            ("callable", "py:function", "library/functions.html#callable"),
            ("UserWarning", "py:exception", "library/exceptions.html#UserWarning"),
            ("iterable", "std:term", "glossary.html#term-iterable"),
            ("sequence", "std:term", "glossary.html#term-sequence"),
            ("generator", "std:term", "glossary.html#term-generator"),
        ],
    ),
    "numpy": (
        "https://numpy.org/doc/stable/",
        [],
        [
            (
                "numpy.ndarray",
                "py:class",
                "reference/generated/numpy.ndarray.html#numpy.ndarray",
            ),
            (
                "numpy.random.RandomState",
                "py:class",
                "reference/random/legacy.html#numpy.random.RandomState",
            ),
        ],
    ),
    "torch": (
        "https://docs.pytorch.org/docs/stable/",
        [],
        [
            ("torch.device", "py:class", "tensor_attributes.html#torch.device"),
            ("torch.Tensor", "py:class", "tensors.html#torch.Tensor"),
            (
                "torch.cuda.is_available",
                "py:function",
                "generated/torch.cuda.is_available.html#torch.cuda.is_available",
            ),
            (
                "torch.set_num_threads",
                "py:function",
                "generated/torch.set_num_threads.html#torch.set_num_threads",
            ),
        ],
    ),
    "matplotlib": (
        "https://matplotlib.org/stable/",
        [],
        [
            (
                "matplotlib.axes.Axes",
                "py:class",
                "api/_as_gen/matplotlib.axes.Axes.html#matplotlib.axes.Axes",
            ),
            (
                "matplotlib.figure.Figure",
                "py:class",
                "api/_as_gen/matplotlib.figure.Figure.html#matplotlib.figure.Figure",
            ),
            (
                "matplotlib.lines.Line2D",
                "py:class",
                "api/_as_gen/matplotlib.lines.Line2D.html#matplotlib.lines.Line2D",
            ),
            (
                "matplotlib.image.AxesImage",
                "py:class",
                "api/image_api.html#matplotlib.image.AxesImage",
            ),
            (
                "matplotlib.colorbar.Colorbar",
                "py:class",
                "api/colorbar_api.html#matplotlib.colorbar.Colorbar",
            ),
            (
                "matplotlib.colors.Colormap",
                "py:class",
                "api/_as_gen/matplotlib.colors.Colormap.html"
                "#matplotlib.colors.Colormap",
            ),
            (
                "matplotlib.pyplot.subplots",
                "py:function",
                "api/_as_gen/matplotlib.pyplot.subplots.html"
                "#matplotlib.pyplot.subplots",
            ),
        ],
    ),
}


def _write_fallback_inventory(name, entries):
    """Write a Sphinx v2 inventory holding only ``entries``; return its path."""
    lines = []
    for entry in entries:
        if len(entry) == 2:  # scikit-learn's API pages follow one pattern
            obj, role = entry
            uri = f"modules/generated/{obj}.html#{obj}"
        else:
            obj, role, uri = entry
        dispname, priority = "-", 1
        if role in ("std:term", "std:label"):
            dispname, priority = obj, -1
            obj = obj.lower()
        lines.append(f"{obj} {role} {priority} {uri} {dispname}\n")
    header = (
        "# Sphinx inventory version 2\n"
        f"# Project: {name}\n"
        "# Version: stable\n"
        "# The remainder of this file is compressed using zlib.\n"
    )
    _INVENTORY_DIR.mkdir(parents=True, exist_ok=True)
    path = _INVENTORY_DIR / f"{name}.inv"
    path.write_bytes(header.encode() + zlib.compress("".join(lines).encode()))
    return str(path.relative_to(DOCS))


intersphinx_mapping = {}
for _name, (_uri, _api, _other) in _FALLBACK.items():
    _local = _write_fallback_inventory(_name, [*_api, *_other])
    intersphinx_mapping[_name] = (_uri, (None, _local))
intersphinx_mapping["pandas"] = (
    "https://pandas.pydata.org/docs/",
    (
        None,
        _write_fallback_inventory(
            "pandas",
            [
                (
                    "pandas.DataFrame",
                    "py:class",
                    "reference/api/pandas.DataFrame.html#pandas.DataFrame",
                )
            ],
        ),
    ),
)
intersphinx_timeout = 10

# -- sphinx-gallery -------------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": ["../examples"],
    "gallery_dirs": ["auto_examples"],
    "filename_pattern": r"/plot_",
    "ignore_pattern": r"__init__\.py",
    "doc_module": ("sklearn_mlplab",),
    "backreferences_dir": "generated/backreferences",
    "within_subsection_order": "FileNameSortKey",
    "download_all_examples": False,
    "remove_config_comments": True,
    "show_memory": False,
    "plot_gallery": True,
    # Run every example, then fail the build if any of them raised: a broken
    # example must not ship as a page without its figures.
    "abort_on_example_error": False,
    "only_warn_on_example_error": False,
}

# -- math ---------------------------------------------------------------------
# MathJax is loaded from its CDN when a page is viewed; the build is offline.
# The pages use standard TeX commands only (``\mathbb{R}``, no custom macros
# such as ``\R``), so no MathJax configuration is needed: Sphinx 9 loads
# MathJax 4 (configured by ``mathjax4_config``), older releases MathJax 3
# (``mathjax3_config``), and the maths renders the same under both.


# -- checks ---------------------------------------------------------------------
def _public_objects():
    """Every public name: ``__all__`` and the ``__all__`` of public submodules."""
    import importlib
    import pkgutil

    names = {}
    for name in sklearn_mlplab.__all__:
        if name.startswith("__"):
            continue
        names[f"sklearn_mlplab.{name}"] = getattr(sklearn_mlplab, name)
    for info in pkgutil.iter_modules(sklearn_mlplab.__path__):
        if info.name.startswith("_") or info.name in {"cli"}:
            continue
        try:
            module = importlib.import_module(f"sklearn_mlplab.{info.name}")
        except ImportError:
            continue
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name)
            qualified = f"sklearn_mlplab.{name}"
            if getattr(sklearn_mlplab, name, None) is not obj:
                qualified = f"sklearn_mlplab.{info.name}.{name}"
            names.setdefault(qualified, obj)
    return names


def _check_api_reference(app):
    """Warn about public names that api.rst or their docstrings leave out."""
    from sphinx.util import logging

    logger = logging.getLogger("sklearn_mlplab.docs")
    api = (DOCS / "api.rst").read_text(encoding="utf-8")
    listed = set()
    module = None
    for line in api.splitlines():
        match = re.match(r"\.\. currentmodule:: (\S+)", line.strip())
        if match:
            module = match.group(1)
        elif re.match(r"^   [A-Za-z_][\w.]*$", line) and module:
            listed.add(f"{module}.{line.strip()}")
    for qualified, obj in sorted(_public_objects().items()):
        if qualified not in listed:
            logger.warning("%s is public but not listed in docs/api.rst", qualified)
        if (inspect.isclass(obj) or inspect.isfunction(obj)) and not re.search(
            r"^\s*Examples\n\s*-{8}", obj.__doc__ or "", re.MULTILINE
        ):
            logger.warning("%s has no Examples section in its docstring", qualified)


def _write_cli_help(app):
    """Write the ``mlplab`` command's help texts for api.rst to include."""
    from sklearn_mlplab.cli import build_parser

    out = DOCS / "generated" / "cli"
    out.mkdir(parents=True, exist_ok=True)
    previous = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "80"  # argparse wraps to the terminal's width
    try:
        parser = build_parser()
        (out / "mlplab.txt").write_text(parser.format_help(), encoding="utf-8")
        for action in parser._actions:
            for name, sub in (getattr(action, "choices", None) or {}).items():
                if hasattr(sub, "format_help"):
                    text = sub.format_help()
                    (out / f"mlplab_{name}.txt").write_text(text, encoding="utf-8")
    finally:
        if previous is None:
            os.environ.pop("COLUMNS")
        else:
            os.environ["COLUMNS"] = previous


def _data_comment(app, what, name, obj, options, lines):
    """Document re-exported data (``lab.FULL``) by its ``#:`` comment.

    autodoc reads ``#:`` comments of the module it is given, not of the one
    that defines the name, and otherwise shows the docstring of the value's
    class.
    """
    from sphinx.pycode import ModuleAnalyzer

    if what != "data" or inspect.getdoc(type(obj)) != "\n".join(lines).strip():
        return
    package, _, attr = name.rpartition(".")
    for modname, module in list(sys.modules.items()):
        defined_here = getattr(module, attr, None) is obj
        if not modname.startswith(package + ".") or not defined_here:
            continue
        comment = ModuleAnalyzer.for_module(modname).find_attr_docs().get(("", attr))
        if comment:
            lines[:] = list(comment)
            return


def setup(app):
    app.connect("autodoc-process-docstring", _data_comment, priority=100)
    app.connect("builder-inited", _check_api_reference)
    app.connect("builder-inited", _write_cli_help)


warnings.filterwarnings(
    "ignore",
    category=UserWarning,
    message="Matplotlib is currently using agg, which is a non-GUI backend",
)
