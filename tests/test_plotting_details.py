"""What the displays show: labels, scales, colours, legends and layouts."""

import warnings

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.colors import same_color  # noqa: E402
from matplotlib.font_manager import FontProperties  # noqa: E402
from matplotlib.layout_engine import ConstrainedLayoutEngine  # noqa: E402
from sklearn.base import BaseEstimator  # noqa: E402
from sklearn.datasets import make_moons  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import MinMaxScaler, StandardScaler  # noqa: E402

from sklearn_mlplab import (  # noqa: E402
    GridSearchDisplay,
    LossCurveDisplay,
    NumpyMLPClassifier,
)

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def data():
    X, y = make_moons(n_samples=60, noise=0.2, random_state=0)
    return X, y


def fit(X, y, **params):
    params = {"max_iter": 5, "random_state": 0, "batch_size": None, **params}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return NumpyMLPClassifier(**params).fit(X, y)


def search_over(X, y, grid):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        net = NumpyMLPClassifier(max_iter=3, batch_size=None, random_state=0)
        return GridSearchCV(net, grid, cv=2).fit(X, y)


# LossCurveDisplay


def test_loss_curve_display_axes_labels_scale_and_layout():
    display = LossCurveDisplay(loss_curves=[[3.0, 2.0, 1.0]]).plot()
    ax = display.ax_
    assert ax.get_xlabel() == "epoch"
    assert ax.get_ylabel() == "training loss"
    assert ax.get_yscale() == "linear"
    assert ax.get_title() == ""
    assert isinstance(display.figure_.get_layout_engine(), ConstrainedLayoutEngine)
    # No labels: an unlabelled line and no legend.
    assert display.lines_[0].get_label().startswith("_")
    assert ax.get_legend() is None
    display.plot(title="losses")
    assert display.ax_.get_title() == "losses"


def test_loss_curve_display_from_estimator_passes_the_title(data):
    display = LossCurveDisplay.from_estimator(fit(*data), title="one network")
    assert display.ax_.get_title() == "one network"


def test_loss_curve_display_validation_curve_matches_its_network():
    # Only the second network has validation scores: its curve is dashed, in
    # the second loss curve's colour (not the twin axis's first colour), from
    # epoch 1, and named in the legend after the loss curves.
    display = LossCurveDisplay(
        loss_curves=[[3.0, 2.0, 1.0], [4.0, 3.0, 2.0]],
        labels=["a", "b"],
        validation_scores=[None, [0.5, 0.6, 0.7]],
    ).plot()
    (vline,) = display.validation_lines_
    first, second = display.lines_
    assert vline.get_linestyle() == "--"
    assert first.get_linestyle() == "-"
    assert same_color(vline.get_color(), second.get_color())
    assert not same_color(vline.get_color(), first.get_color())
    np.testing.assert_array_equal(vline.get_xdata(), [1, 2, 3])
    np.testing.assert_array_equal(vline.get_ydata(), [0.5, 0.6, 0.7])
    assert vline.axes is display.ax_validation_
    assert display.ax_validation_.get_ylabel() == "validation score"
    legend = display.ax_.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["a", "b", "b (validation)"]


def test_loss_curve_display_validation_loss_ends_at_its_networks_last_epoch():
    # A warm-started fit's validation covers its last fit only: the dotted
    # curve is drawn over the last epochs, on the loss axes, in its colour.
    display = LossCurveDisplay(
        loss_curves=[[3.0, 2.0, 1.0], [4.0, 3.0, 2.0]],
        labels=["a", "b"],
        validation_loss_curves=[[2.5, 1.5], None],
    ).plot()
    (vline,) = display.validation_loss_lines_
    assert vline.get_linestyle() == ":" and vline.axes is display.ax_
    assert same_color(vline.get_color(), display.lines_[0].get_color())
    np.testing.assert_array_equal(vline.get_xdata(), [2, 3])
    np.testing.assert_array_equal(vline.get_ydata(), [2.5, 1.5])
    assert display.ax_.get_ylabel() == "loss"
    assert display.ax_validation_ is None
    legend = display.ax_.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == [
        "a",
        "b",
        "a (validation loss)",
    ]
    with pytest.raises(ValueError, match="validation_loss_curves has 1 entries"):
        LossCurveDisplay(
            loss_curves=[[1.0], [2.0]], validation_loss_curves=[[1.0]]
        ).plot()


def test_loss_curve_display_unlabelled_validation_curve_stays_unlabelled():
    display = LossCurveDisplay(
        loss_curves=[[3.0, 2.0]], validation_scores=[[0.5, 0.6]]
    ).plot()
    (vline,) = display.validation_lines_
    assert vline.get_label().startswith("_")
    assert display.ax_.get_legend() is None


def test_loss_curve_display_needs_only_a_loss_curve():
    class Curve:
        loss_curve_ = [3.0, 2.0, 1.0]

    display = LossCurveDisplay.from_estimator(Curve())
    assert display.lines_[0].get_label() == "Curve"
    assert display.ax_validation_ is None


def test_loss_curve_display_reads_the_last_step_of_a_longer_pipeline(data):
    X, y = data
    pipe = make_pipeline(
        StandardScaler(),
        MinMaxScaler(),
        NumpyMLPClassifier(max_iter=5, batch_size=None, random_state=0),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        pipe.fit(X, y)
    display = LossCurveDisplay.from_estimator(pipe)
    np.testing.assert_allclose(display.lines_[0].get_ydata(), pipe[-1].loss_curve_)
    assert display.lines_[0].get_label() == "NumpyMLPClassifier"


def test_loss_curve_display_labels_join_every_differing_parameter(data):
    nets = [fit(*data, hidden=3, lr=0.5), fit(*data, hidden=6, lr=0.1)]
    display = LossCurveDisplay.from_estimator(nets)
    assert [line.get_label() for line in display.lines_] == [
        "hidden=3, lr=0.5",
        "hidden=6, lr=0.1",
    ]


def test_loss_curve_display_draws_values_read_as_text_as_numbers():
    # Loss values read from a text file sit on a numeric axis: 10 is ten
    # times as high as 1, not the next of three categories.
    display = LossCurveDisplay(loss_curves=[["10", "2", "1"]]).plot()
    np.testing.assert_array_equal(display.lines_[0].get_ydata(), [10.0, 2.0, 1.0])


class _Wrapper(BaseEstimator):
    """An estimator with a network as a parameter, and a loss curve."""

    def __init__(self, net=None):
        self.net = net

    loss_curve_ = [2.0, 1.0]


def test_loss_curve_display_labels_by_top_level_parameters_only():
    # The wrapped networks differ in lr, seen once in the wrapper's own
    # parameter, not again as a nested ``net__lr``.
    nets = [NumpyMLPClassifier(lr=0.5), NumpyMLPClassifier(lr=0.1)]
    display = LossCurveDisplay.from_estimator([_Wrapper(n) for n in nets])
    assert [line.get_label() for line in display.lines_] == [f"net={n!r}" for n in nets]


# GridSearchDisplay


SCORES = np.array([[0.25, 0.5], [np.nan, 0.75], [0.625, 0.375]])


def heat_map(**kwargs):
    return GridSearchDisplay(
        scores=SCORES, hidden_values=[3, 6, 11], lr_values=[0.1, 0.01]
    ).plot(**kwargs)


def test_grid_search_display_text_contrasts_with_its_cell():
    # The range of scores is [0.25, 0.75]: black text above its middle 0.5,
    # white at or below it, black "n/a" on the missing cell.
    display = heat_map()
    expected = [["white", "white"], ["black", "black"], ["black", "white"]]
    for i in range(3):
        for j in range(2):
            text = display.text_[i, j]
            assert same_color(text.get_color(), expected[i][j]), (i, j)
            assert text.get_ha() == "center" and text.get_va() == "center"
    assert display.text_[1, 0].get_text() == "n/a"


def test_grid_search_display_only_the_best_cell_is_bold():
    display = heat_map()
    weights = [[t.get_fontweight() for t in row] for row in display.text_]
    assert weights == [["normal", "normal"], ["normal", "bold"], ["normal", "normal"]]


def test_grid_search_display_heat_map_fills_its_axes_with_the_colour_map():
    display = heat_map(cmap="magma")
    assert display.im_.get_cmap().name == "magma"
    assert display.ax_.get_aspect() == "auto"
    # The colour bar spans the scores and is labelled with what they are.
    assert display.colorbar_.ax.get_ylim() == (0.25, 0.75)
    assert display.colorbar_.mappable is display.im_


def test_grid_search_display_all_missing_scores():
    # Every run diverged: no midpoint, no best cell, every cell "n/a".
    display = GridSearchDisplay(
        scores=np.full((2, 2), np.nan), hidden_values=[3, 6], lr_values=[0.1, 0.01]
    ).plot()
    for text in display.text_.ravel():
        assert text.get_text() == "n/a"
        assert same_color(text.get_color(), "black")
        assert text.get_fontweight() == "normal"


def test_grid_search_display_reads_none_as_a_missing_score():
    display = GridSearchDisplay(
        scores=[[0.5, None], [0.75, 0.25]], hidden_values=[3, 6], lr_values=[0.1, 0.01]
    ).plot()
    assert display.text_[0, 1].get_text() == "n/a"
    assert display.text_[1, 0].get_fontweight() == "bold"


def test_grid_search_display_default_figure_without_curves():
    display = heat_map()
    np.testing.assert_array_equal(display.figure_.get_size_inches(), [6, 4.5])
    assert isinstance(display.figure_.get_layout_engine(), ConstrainedLayoutEngine)
    assert display.ax_curves_ is None


HIDDEN, LRS = [3, 6], [0.5, 0.1, 0.01]


def curves_display(**kwargs):
    curves = {
        (h, lr): [1.0 / (k + 1), 0.5 / (k + 1), 0.25 / (k + 1)]
        for k, (h, lr) in enumerate((h, lr) for h in HIDDEN for lr in LRS)
    }
    return GridSearchDisplay(
        scores=np.arange(6.0).reshape(2, 3) / 10,
        hidden_values=HIDDEN,
        lr_values=LRS,
        loss_curves=curves,
    ).plot(**kwargs)


def test_grid_search_display_default_figure_with_curves():
    display = curves_display()
    fig = display.figure_
    np.testing.assert_array_equal(fig.get_size_inches(), [13, 5])
    assert isinstance(fig.get_layout_engine(), ConstrainedLayoutEngine)
    gridspec = display.ax_.get_subplotspec().get_gridspec()
    assert display.ax_curves_.get_subplotspec().get_gridspec() is gridspec
    assert list(gridspec.get_width_ratios()) == [1, 1.4]
    assert display.ax_curves_.get_subplotspec().colspan.start == 1


def test_grid_search_display_curve_axes_labels_and_scale():
    display = curves_display()
    ax = display.ax_curves_
    assert ax.get_yscale() == "log"
    assert ax.get_xlabel() == "epoch"
    assert ax.get_ylabel() == "training loss (full training set)"
    for (h, lr), line in display.lines_.items():
        assert line.get_label() == f"hidden={h}, lr={lr}"
        np.testing.assert_array_equal(line.get_xdata(), [1, 2, 3])


def test_grid_search_display_curves_coloured_by_lr_and_styled_by_hidden():
    lines = curves_display().lines_
    for lr in LRS:
        assert same_color(lines[3, lr].get_color(), lines[6, lr].get_color())
    for h in HIDDEN:
        assert len({lines[h, lr].get_linestyle() for lr in LRS}) == 1
    colours = [lines[3, lr].get_color() for lr in LRS]
    assert not any(
        same_color(a, b) for k, a in enumerate(colours) for b in colours[k + 1 :]
    )
    assert lines[3, 0.5].get_linestyle() != lines[6, 0.5].get_linestyle()


def test_grid_search_display_legend_has_a_column_per_hidden_value():
    display = curves_display()
    legend = display.ax_curves_.get_legend()
    display.figure_.canvas.draw()
    renderer = display.figure_.canvas.get_renderer()
    column_of = {}
    for text in legend.get_texts():
        hidden = text.get_text().split(",")[0]
        x0 = round(text.get_window_extent(renderer).x0, 1)
        column_of.setdefault(hidden, set()).add(x0)
    assert set(column_of) == {"hidden=3", "hidden=6"}
    assert all(len(xs) == 1 for xs in column_of.values())
    assert column_of["hidden=3"] != column_of["hidden=6"]
    small = FontProperties(size="x-small").get_size_in_points()
    assert all(t.get_fontsize() == small for t in legend.get_texts())


def test_grid_search_display_curve_outside_the_grid_is_solid():
    display = GridSearchDisplay(
        scores=np.array([[0.5, 0.6]]),
        hidden_values=[3],
        lr_values=[0.1, 0.01],
        loss_curves={(3, 0.1): [1.0, 0.5], (12, 0.1): [2.0, 1.0]},
    )
    with matplotlib.rc_context({"lines.linestyle": ":"}):
        display.plot()
    assert display.lines_[12, 0.1].get_linestyle() == "-"


def test_grid_search_display_draws_curves_only_on_axes_for_them():
    curves = {(3, 0.1): [1.0, 0.5]}
    _, ax = plt.subplots()
    display = GridSearchDisplay(
        scores=np.array([[0.5]]), hidden_values=[3], lr_values=[0.1], loss_curves=curves
    ).plot(ax=ax)
    assert display.ax_curves_ is None and display.lines_ == {}
    assert len(ax.get_lines()) == 0
    # Axes for curves but no curves: those axes are left alone.
    _, (ax, ax_curves) = plt.subplots(1, 2)
    display = GridSearchDisplay(
        scores=np.array([[0.5]]), hidden_values=[3], lr_values=[0.1]
    ).plot(ax=ax, ax_curves=ax_curves)
    assert display.ax_curves_ is None
    assert ax_curves.get_xlabel() == "" and ax_curves.get_legend() is None
    assert ax_curves.get_yscale() == "linear"


def test_grid_search_display_from_search_keeps_a_fixed_third_parameter(data):
    # momentum takes a single value: the search still varies only hidden and lr.
    search = search_over(*data, {"hidden": [3, 6], "lr": [0.1], "momentum": [0.9]})
    display = GridSearchDisplay.from_search(search)
    assert display.scores.shape == (2, 1)
    np.testing.assert_array_equal(
        display.scores.ravel(), search.cv_results_["mean_test_score"]
    )
    assert display.loss_curves is None


def test_grid_search_display_from_search_marks_untried_pairs_nan(data):
    search = search_over(
        *data, [{"hidden": [3], "lr": [0.1, 0.01]}, {"hidden": [6], "lr": [0.1]}]
    )
    display = GridSearchDisplay.from_search(search)
    assert display.scores.dtype == float
    assert np.isnan(display.scores[1, 1])
    assert np.isfinite(display.scores[[0, 0, 1], [0, 1, 0]]).all()
    assert display.text_[1, 1].get_text() == "n/a"


def test_grid_search_display_from_search_reads_curves_of_given_estimators(data):
    X, y = data
    search = search_over(X, y, {"hidden": [3], "lr": [0.1, 0.01]})
    net = fit(X, y, hidden=3, lr=0.1)
    pipe = make_pipeline(StandardScaler(), NumpyMLPClassifier(hidden=3, lr=0.01))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        pipe.set_params(numpymlpclassifier__max_iter=4).fit(X, y)
    display = GridSearchDisplay.from_search(
        search, loss_curves={(3, 0.1): net, (3, 0.01): pipe}, cmap="magma"
    )
    np.testing.assert_allclose(display.lines_[3, 0.1].get_ydata(), net.loss_curve_)
    np.testing.assert_allclose(
        display.lines_[3, 0.01].get_ydata(), pipe[-1].loss_curve_
    )
    assert display.im_.get_cmap().name == "magma"
