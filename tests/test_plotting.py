"""Displays draw on the Agg backend with the right lines and cells."""

import subprocess
import sys
import warnings

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.text import Text  # noqa: E402
from sklearn.datasets import make_moons  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.inspection import DecisionBoundaryDisplay  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from sklearn_mlplab import (  # noqa: E402
    GridSearchDisplay,
    LossCurveDisplay,
    NumpyMLPClassifier,
    TorchMLPClassifier,
)

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def data():
    X, y = make_moons(n_samples=80, noise=0.2, random_state=0)
    return X, y


def fit(X, y, **params):
    params = {"max_iter": 15, "random_state": 0, "batch_size": None, **params}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return NumpyMLPClassifier(**params).fit(X, y)


def test_loss_curve_display_one_estimator(data):
    net = fit(*data)
    display = LossCurveDisplay.from_estimator(net)
    assert len(display.lines_) == 1
    np.testing.assert_allclose(display.lines_[0].get_ydata(), net.loss_curve_)
    assert display.lines_[0].get_xdata()[0] == 1
    assert display.lines_[0].get_label() == "NumpyMLPClassifier"
    assert display.ax_.get_yscale() == "linear"
    assert display.figure_ is display.ax_.figure
    assert display.ax_validation_ is None
    assert display.validation_lines_ == []


def test_loss_curve_display_labels_by_differing_parameter(data):
    nets = [fit(*data, lr=lr) for lr in (0.5, 0.1, 0.01)]
    display = LossCurveDisplay.from_estimator(nets, log_scale=True)
    assert [line.get_label() for line in display.lines_] == [
        "lr=0.5",
        "lr=0.1",
        "lr=0.01",
    ]
    assert display.ax_.get_yscale() == "log"
    legend = display.ax_.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["lr=0.5", "lr=0.1", "lr=0.01"]


def test_loss_curve_display_labels_backends_by_class(data):
    X, y = data
    nets = [
        fit(X, y),
        TorchMLPClassifier(max_iter=5, batch_size=None, random_state=0).fit(X, y),
    ]
    display = LossCurveDisplay.from_estimator(nets)
    labels = [line.get_label() for line in display.lines_]
    assert labels[0].startswith("NumpyMLPClassifier")
    assert labels[1].startswith("TorchMLPClassifier")


def test_loss_curve_display_accepts_pipeline_labels_and_ax(data):
    X, y = data
    pipe = make_pipeline(StandardScaler(), NumpyMLPClassifier(max_iter=10))
    pipe.fit(X, y)
    fig, ax = plt.subplots()
    display = LossCurveDisplay.from_estimator([pipe], labels=["mine"], ax=ax)
    assert display.ax_ is ax and display.figure_ is fig
    assert len(ax.get_lines()) == 1
    assert display.lines_[0].get_label() == "mine"


def test_loss_curve_display_draws_validation_scores(data):
    X, y = data
    with_val = fit(X, y, early_stopping=True, validation_fraction=0.25)
    without = fit(X, y)
    display = LossCurveDisplay.from_estimator([with_val, without], labels=["a", "b"])
    assert len(display.lines_) == 2
    assert len(display.validation_lines_) == 1
    assert display.ax_validation_ is not None
    np.testing.assert_allclose(
        display.validation_lines_[0].get_ydata(), with_val.validation_scores_
    )
    assert display.validation_lines_[0].get_label() == "a (validation)"


def test_loss_curve_display_plot_from_numbers_and_replot():
    display = LossCurveDisplay(loss_curves=[[3, 2, 1], [4, 3]], labels=["x", "y"])
    display.plot()
    first = display.ax_
    display.plot(log_scale=True)
    assert display.ax_ is not first
    assert [len(line.get_xdata()) for line in display.lines_] == [3, 2]


def test_loss_curve_display_errors(data):
    with pytest.raises(ValueError, match="NumpyMLPClassifier has no loss_curve_"):
        LossCurveDisplay.from_estimator(NumpyMLPClassifier())
    with pytest.raises(ValueError, match="labels has 1 entries for 2 loss curves"):
        LossCurveDisplay(loss_curves=[[1], [2]], labels=["a"]).plot()


def test_loss_curve_display_rejects_validation_scores_of_another_length():
    """One validation curve per loss curve, or the wrong networks' colours
    and labels would be paired; the failed call draws nothing."""
    import matplotlib.pyplot as plt

    _, ax = plt.subplots()
    display = LossCurveDisplay(loss_curves=[[3, 2], [4, 1]], validation_scores=[[0.5]])
    cure = "give one per curve, None where a network has none."
    with pytest.raises(ValueError, match="validation_scores has 1 entries for 2") as e:
        display.plot(ax=ax)
    assert str(e.value).endswith(cure)  # the message names the cure
    assert len(ax.lines) == 0 and len(ax.figure.axes) == 1
    display.validation_scores = [None, [0.5, 0.7]]
    display.plot(ax=ax)
    assert [len(v.get_xdata()) for v in display.validation_lines_] == [2]
    assert display.validation_lines_[0].get_color() == display.lines_[1].get_color()
    plt.close(ax.figure)


@pytest.fixture(scope="module")
def search(data):
    X, y = data
    pipe = make_pipeline(
        StandardScaler(),
        NumpyMLPClassifier(max_iter=10, batch_size=None, random_state=0),
    )
    grid = {
        "numpymlpclassifier__hidden": [3, 6],
        "numpymlpclassifier__lr": [0.5, 0.1, 0.01],
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return GridSearchCV(pipe, grid, cv=2).fit(X, y)


def test_grid_search_display_heat_map_and_refit_curves(search, data):
    display = GridSearchDisplay.from_search(search, *data)
    assert display.im_.get_array().shape == (2, 3)
    assert display.text_.shape == (2, 3)
    assert all(isinstance(t, Text) for t in display.text_.ravel())
    assert display.hidden_values == [3, 6] and display.lr_values == [0.5, 0.1, 0.01]
    expected = search.cv_results_["mean_test_score"]
    for p, score in zip(search.cv_results_["params"], expected, strict=True):
        i = [3, 6].index(p["numpymlpclassifier__hidden"])
        j = [0.5, 0.1, 0.01].index(p["numpymlpclassifier__lr"])
        assert display.scores[i, j] == score
        assert display.text_[i, j].get_text() == f"{score:.3f}"
    best = np.unravel_index(np.argmax(display.scores), (2, 3))
    assert display.text_[best].get_fontweight() == "bold"
    assert display.ax_curves_ is not None
    assert len(display.ax_curves_.get_lines()) == 6
    assert set(display.lines_) == {(h, lr) for h in (3, 6) for lr in (0.5, 0.1, 0.01)}
    assert display.ax_curves_.get_yscale() == "log"
    assert [t.get_text() for t in display.ax_.get_xticklabels()] == [
        "0.5",
        "0.1",
        "0.01",
    ]
    # Each curve is a fit on the whole data with that pair's parameters.
    refit = make_pipeline(
        StandardScaler(),
        NumpyMLPClassifier(
            hidden=6, lr=0.1, max_iter=10, batch_size=None, random_state=0
        ),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        refit.fit(*data)
    np.testing.assert_allclose(
        display.lines_[6, 0.1].get_ydata(), refit[-1].loss_curve_
    )


def test_grid_search_display_without_curves(search):
    display = GridSearchDisplay.from_search(search)
    assert display.ax_curves_ is None
    assert display.loss_curves is None
    assert display.lines_ == {}
    assert display.text_.shape == (2, 3)
    # The heat map's axes and its colour bar's.
    assert len(display.figure_.axes) == 2


def test_grid_search_display_with_given_curves_and_axes(search):
    curves = {(h, lr): [1.0, 0.5, 0.25] for h in (3, 6) for lr in (0.5, 0.1, 0.01)}
    curves[3, 0.01] = None  # a diverged run is left out
    fig, (ax, ax_curves) = plt.subplots(1, 2)
    display = GridSearchDisplay.from_search(
        search, loss_curves=curves, ax=ax, ax_curves=ax_curves, log_scale=False
    )
    assert display.ax_ is ax and display.ax_curves_ is ax_curves
    assert len(ax_curves.get_lines()) == 5
    assert ax_curves.get_yscale() == "linear"


def test_grid_search_display_marks_missing_cells():
    display = GridSearchDisplay(
        scores=np.array([[0.9, np.nan], [0.8, 0.7]]),
        hidden_values=[3, 6],
        lr_values=[0.1, 0.01],
    ).plot()
    assert display.text_[0, 1].get_text() == "n/a"
    assert display.text_[0, 0].get_fontweight() == "bold"


def test_grid_search_display_labels_rows_by_hidden_and_columns_by_lr():
    # A grid that is not square: hidden down the rows, lr across the columns,
    # each cell's text where its score is drawn.
    hidden, lr = [3, 6, 11], [0.5, 0.01]
    scores = np.array([[0.91, 0.62], [0.83, 0.55], [0.77, 0.48]])
    display = GridSearchDisplay(
        scores=scores, hidden_values=hidden, lr_values=lr
    ).plot()
    ax = display.ax_
    assert ax.get_xlabel() == "lr"
    assert ax.get_ylabel() == "hidden"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0.5", "0.01"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["3", "6", "11"]
    assert list(ax.get_xticks()) == [0, 1]
    assert list(ax.get_yticks()) == [0, 1, 2]
    np.testing.assert_array_equal(display.im_.get_array(), scores)
    for i in range(3):
        for j in range(2):
            text = display.text_[i, j]
            assert text.get_position() == (j, i)
            assert text.get_text() == f"{scores[i, j]:.3f}"
    assert display.colorbar_.ax.get_ylabel() == "mean CV accuracy"


def test_grid_search_display_rejects_other_varied_parameters(data):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search = GridSearchCV(
            NumpyMLPClassifier(max_iter=3),
            {"hidden": [3], "lr": [0.1], "momentum": [0.0, 0.9]},
            cv=2,
        ).fit(*data)
    with pytest.raises(ValueError, match="also varies 'momentum'"):
        GridSearchDisplay.from_search(search)
    with pytest.raises(ValueError, match="exactly one parameter named 'alpha'"):
        GridSearchDisplay.from_search(search, lr="alpha")


def test_grid_search_display_rejects_wrong_score_shape():
    message = "expected \\(2, 1\\) for the hidden and lr values"
    with pytest.raises(ValueError, match=message):
        GridSearchDisplay(
            scores=np.zeros((1, 2)), hidden_values=[3, 6], lr_values=[0.1]
        ).plot()


def test_decision_boundary_display_works_with_the_networks(data):
    X, y = data
    pipe = make_pipeline(StandardScaler(), fit(X, y))
    pipe.fit(X, y)
    display = DecisionBoundaryDisplay.from_estimator(
        pipe, X, response_method="predict_proba", grid_resolution=20
    )
    assert display.response.shape == (20, 20)
    assert ((display.response >= 0) & (display.response <= 1)).all()


def test_import_does_not_import_matplotlib_or_torch():
    code = (
        "import sys, sklearn_mlplab, sklearn_mlplab.plotting, sklearn_mlplab.cli; "
        "print('matplotlib' in sys.modules, 'torch' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["False", "False"]
