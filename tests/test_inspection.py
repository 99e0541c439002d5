"""sklearn_mlplab.inspection: the gradient check, layer outputs, snapshots
and their displays, each held against a reference computed another way."""

import copy
import itertools
import pickle
import warnings

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from scipy.special import expit, softmax  # noqa: E402
from sklearn.datasets import make_blobs, make_moons  # noqa: E402
from sklearn.exceptions import NotFittedError  # noqa: E402
from sklearn.metrics import log_loss  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from sklearn_mlplab import (  # noqa: E402
    NumpyMLPClassifier,
    TorchMLPClassifier,
    _functions,
    _torch_mlp,
)
from sklearn_mlplab.inspection import _evolution, _gradients  # noqa: E402
from sklearn_mlplab.inspection import (  # noqa: E402
    HiddenUnitsDisplay,
    LearningRateFinderDisplay,
    TrainingEvolutionDisplay,
    TrainingSnapshots,
    check_gradients,
    layer_outputs,
    record_training,
)

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
BACKENDS = [NumpyMLPClassifier, TorchMLPClassifier]


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def _data(kind, n=30):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(n, 3))
    if kind == "binary":
        y = np.arange(n) % 2
    elif kind == "multiclass":
        y = np.arange(n) % 3
    else:  # multilabel
        y = (rng.uniform(size=(n, 3)) > 0.5).astype(int)
        y[0], y[1] = 0, 1
    return X, y


def _state(est):
    """Everything an estimator holds, compared by value."""
    return pickle.dumps(
        {k: v for k, v in vars(est).items() if not k.startswith("_skl")}
    )


def _moons(n=120):
    X, y = make_moons(n_samples=n, noise=0.25, random_state=0)
    return StandardScaler().fit_transform(X), y


# ------------------------------------------------------------ check_gradients
GRADIENT_CASES = list(
    itertools.product(
        BACKENDS,
        ["identity", "logistic", "tanh", "relu"],
        ["log_loss", "squared_error"],
        ["binary", "multiclass", "multilabel"],
    )
)


@pytest.mark.parametrize(
    "Estimator, activation, loss, kind",
    GRADIENT_CASES,
    ids=[f"{c[0].__name__[:5]}-{c[1]}-{c[2]}-{c[3]}" for c in GRADIENT_CASES],
)
def test_check_gradients_is_below_1e6_for_every_network(
    Estimator, activation, loss, kind
):
    X, y = _data(kind)
    sw = np.random.RandomState(1).uniform(0.2, 2.0, size=len(X))
    est = Estimator((4, 3), activation=activation, loss=loss, alpha=0.2, random_state=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fresh = check_gradients(est, X, y, sample_weight=sw)
    # A relu network's second layer starts on its kink where all the first
    # layer's units are off (zero biases): that is said, not hidden.
    if fresh.kinks == 0:
        assert fresh.max_relative_error < 1e-6
        assert not caught
    else:
        assert activation == "relu"
        assert "kink" in str(caught[-1].message)
    assert fresh.relative_errors.shape == (3,)
    assert fresh.max_relative_error == fresh.relative_errors.max()
    # And at trained weights, which are no longer the small initial ones,
    # biases moved off relu's kinks (a trained relu layer may sit on one).
    fitted = est.set_params(max_iter=30, lr=0.3).fit(X, y)
    for b in fitted.intercepts_:
        b += np.random.RandomState(2).normal(scale=0.5, size=b.shape)
    trained = check_gradients(fitted, X, y, sample_weight=sw)
    assert trained.kinks == 0
    assert trained.max_relative_error < 1e-6


def _break_numpy_tanh(monkeypatch):
    def wrong(a, delta):  # f'(z) = 1 - a**2, here 1 - a
        delta *= 1 - a

    monkeypatch.setitem(_functions.DERIVATIVES, "tanh", wrong)


def _break_torch_tanh(monkeypatch):
    real = _torch_mlp._activation

    def activation(torch, name, inplace=False):
        if name != "tanh":
            return real(torch, name, inplace)
        # tanh's value, but a derivative of 0.5 everywhere.
        return lambda z: torch.tanh(z).detach() + 0.5 * (z - z.detach())

    monkeypatch.setattr(_torch_mlp, "_activation", activation)


@pytest.mark.parametrize(
    "Estimator, breaker",
    [(NumpyMLPClassifier, _break_numpy_tanh), (TorchMLPClassifier, _break_torch_tanh)],
)
def test_check_gradients_catches_a_wrong_derivative(monkeypatch, Estimator, breaker):
    X, y = _data("multiclass")
    est = Estimator(4, activation="tanh", random_state=0)
    assert check_gradients(est, X, y).max_relative_error < 1e-6
    breaker(monkeypatch)
    result = check_gradients(est, X, y)
    assert result.max_relative_error > 1e-2
    # The output layer does not go through tanh's derivative; the first does.
    assert result.relative_errors[-1] < 1e-6 < result.relative_errors[0]


@pytest.mark.parametrize("Estimator", BACKENDS)
def test_check_gradients_objective_is_the_training_loss_written_out(Estimator):
    X, y = _data("multiclass")
    est = Estimator(4, alpha=0.3, max_iter=20, random_state=0).fit(X, y)
    penalty = 0.3 / 2 * sum((W**2).sum() for W in est.coefs_)
    expected = log_loss(y, est.predict_proba(X)) + penalty
    result = check_gradients(est, X, y)
    np.testing.assert_allclose(result.objective, expected, rtol=1e-10)
    # The gradient is laid out as the parameters are: layer by layer.
    assert result.analytic.shape == est._params.shape
    np.testing.assert_allclose(result.analytic, result.numerical, rtol=1e-5, atol=1e-9)


def test_check_gradients_leaves_the_estimator_as_it_was(Estimator):
    X, y = _data("binary")
    unfitted = Estimator(3, random_state=0)
    check_gradients(unfitted, X, y)
    assert not hasattr(unfitted, "_params")
    fitted = Estimator(3, max_iter=10, random_state=0).fit(X, y)
    before = _state(fitted)
    check_gradients(fitted, X[:10], y[:10])
    assert _state(fitted) == before


def test_check_gradients_of_a_pipeline_checks_the_network_on_scaled_inputs():
    X, y = _data("binary")
    X = X * [1.0, 30.0, 0.1] + 5
    pipe = make_pipeline(
        StandardScaler(), NumpyMLPClassifier(3, max_iter=10, random_state=0)
    )
    pipe.fit(X, y)
    through = check_gradients(pipe, X, y)
    direct = check_gradients(pipe[-1], pipe[0].transform(X), y)
    np.testing.assert_array_equal(through.analytic, direct.analytic)
    assert through.max_relative_error < 1e-6


def test_check_gradients_of_a_float32_network_runs_in_float64():
    X, y = _data("binary")
    est = NumpyMLPClassifier(3, max_iter=10, random_state=0).fit(
        X.astype(np.float32), y
    )
    assert check_gradients(est, X, y).max_relative_error < 1e-6
    assert est._params.dtype == np.float32


@pytest.mark.parametrize("eps", [0, -1e-6, 1, 1.5, "1e-6"])
def test_check_gradients_refuses_a_bad_eps(eps):
    X, y = _data("binary")
    with pytest.raises(ValueError, match="eps must be"):
        check_gradients(NumpyMLPClassifier(3), X, y, eps=eps)


def test_inspection_refuses_estimators_that_are_not_networks():
    from sklearn.linear_model import LogisticRegression

    X, y = _data("binary")
    with pytest.raises(TypeError, match="NumpyMLPClassifier, TorchMLPClassifier, NumpyMLPRegressor"):
        check_gradients(LogisticRegression(), X, y)
    with pytest.raises(TypeError, match="Pipeline ending in one"):
        layer_outputs(make_pipeline(StandardScaler()), X)


# --------------------------------------------------------------- layer_outputs
def test_layer_outputs_are_the_forward_pass_written_out(Estimator):
    X, y = _data("multiclass")
    est = Estimator((4, 2), activation="tanh", max_iter=10, random_state=0).fit(X, y)
    outputs = layer_outputs(est, X)
    assert [a.shape for a in outputs] == [(30, 3), (30, 4), (30, 2), (30, 3)]
    W, b = est.coefs_, est.intercepts_
    h1 = np.tanh(X @ W[0] + b[0])
    h2 = np.tanh(h1 @ W[1] + b[1])
    np.testing.assert_allclose(outputs[1], h1, rtol=1e-12)
    np.testing.assert_allclose(outputs[2], h2, rtol=1e-12)
    np.testing.assert_allclose(
        outputs[3], softmax(h2 @ W[2] + b[2], axis=1), rtol=1e-10
    )
    np.testing.assert_allclose(outputs[3], est.predict_proba(X), rtol=1e-6)


def test_layer_outputs_binary_output_is_the_positive_class_probability():
    X, y = _data("binary")
    est = NumpyMLPClassifier(3, max_iter=10, random_state=0).fit(X, y)
    out = layer_outputs(est, X)[-1]
    assert out.shape == (30, 1)
    np.testing.assert_allclose(out[:, 0], est.predict_proba(X)[:, 1], rtol=1e-12)
    z = layer_outputs(est, X)[1] @ est.coefs_[1] + est.intercepts_[1]
    np.testing.assert_allclose(out, expit(z), rtol=1e-12)


def test_layer_outputs_of_a_pipeline_and_of_sparse_inputs():
    import scipy.sparse as sp

    X, y = _data("binary")
    pipe = make_pipeline(
        StandardScaler(), NumpyMLPClassifier(3, max_iter=5, random_state=0)
    )
    pipe.fit(X * 10, y)
    outputs = layer_outputs(pipe, X * 10)
    np.testing.assert_allclose(outputs[0], pipe[0].transform(X * 10))
    est = pipe[-1]
    dense = layer_outputs(est, X)
    sparse = layer_outputs(est, sp.csr_matrix(X))
    for a, b in zip(dense, sparse, strict=True):
        np.testing.assert_allclose(a, b)


def test_layer_outputs_needs_a_fitted_network_with_its_features():
    X, y = _data("binary")
    with pytest.raises(NotFittedError):
        layer_outputs(NumpyMLPClassifier(3), X)
    est = NumpyMLPClassifier(3, max_iter=5).fit(X, y)
    with pytest.raises(ValueError, match="features"):
        layer_outputs(est, X[:, :2])


# ---------------------------------------------------------- HiddenUnitsDisplay
def test_hidden_units_display_draws_one_map_per_unit(Estimator):
    X, y = _moons()
    est = Estimator(5, lr=0.5, max_iter=50, random_state=0).fit(X, y)
    before = _state(est)
    display = HiddenUnitsDisplay.from_estimator(est, X, y, grid_resolution=25)
    assert _state(est) == before
    assert len(display.axes_) == 5 and len(display.surfaces_) == 5
    assert display.activations.shape == (5, 25, 25)
    # Each map is that unit's column of layer_outputs over the grid.
    points = np.c_[display.xx0.ravel(), display.xx1.ravel()]
    hidden = layer_outputs(est, points)[1]
    np.testing.assert_allclose(display.activations[2].ravel(), hidden[:, 2])
    np.testing.assert_allclose(display.surfaces_[2].get_array().ravel(), hidden[:, 2])
    # The data are drawn on every panel; logistic units share the 0-1 scale.
    assert all(len(s.get_offsets()) == len(X) for s in display.scatters_)
    assert display.surfaces_[0].get_clim() == (0.0, 1.0)
    assert display.axes_[0].get_title() == "layer 1, unit 1"
    assert display.figure_ is display.axes_[0].figure


def test_hidden_units_display_maps_a_chosen_layer_of_a_pipeline():
    X, y = _moons()
    X = X * [1, 50] + 3
    pipe = make_pipeline(
        StandardScaler(),
        NumpyMLPClassifier((4, 3), activation="relu", max_iter=30, random_state=0),
    ).fit(X, y)
    display = HiddenUnitsDisplay.from_estimator(pipe, X, y, layer=1, grid_resolution=20)
    assert len(display.axes_) == 3
    points = np.c_[display.xx0.ravel(), display.xx1.ravel()]
    np.testing.assert_allclose(
        display.activations[0].ravel(), layer_outputs(pipe, points)[2][:, 0]
    )
    # The grid spans the raw inputs, eps beyond them.
    assert display.xx1.min() == pytest.approx(X[:, 1].min() - 0.5)
    # relu maps are coloured over the values drawn.
    assert display.surfaces_[0].get_clim()[1] == pytest.approx(
        display.activations.max()
    )
    with pytest.raises(ValueError, match=r"layer must be an int in \[0, 1\]"):
        HiddenUnitsDisplay.from_estimator(pipe, X, y, layer=2)


def test_hidden_units_display_on_given_axes_and_with_style():
    X, y = _moons()
    est = NumpyMLPClassifier(3, max_iter=20, random_state=0).fit(X, y)
    fig, axes = plt.subplots(2, 2)
    display = HiddenUnitsDisplay.from_estimator(
        est, X, y, ax=axes, grid_resolution=10, alpha=0.4, cmap="viridis"
    )
    assert list(display.axes_) == list(axes.ravel()[:3])
    assert not axes[1, 1].axison  # the spare panel is hidden
    assert display.surfaces_[0].get_alpha() == 0.4
    assert display.surfaces_[0].get_cmap().name == "viridis"
    fig, ax = plt.subplots()
    display = HiddenUnitsDisplay.from_estimator(est, X, ax=ax, grid_resolution=10)
    assert len(display.axes_) == 3 and display.figure_ is fig
    assert display.scatters_[0].get_facecolors().shape[0] == 1  # no labels: one colour
    with pytest.raises(ValueError, match="ax has 2 axes but 3 panels"):
        HiddenUnitsDisplay.from_estimator(est, X, ax=plt.subplots(1, 2)[1])
    with pytest.raises(ValueError, match="exactly 2 features"):
        HiddenUnitsDisplay.from_estimator(
            NumpyMLPClassifier(3, max_iter=5).fit(np.c_[X, X[:, 0]], y),
            np.c_[X, X[:, 0]],
        )


# -------------------------------------------------------- training snapshots
def _initial_weights(est, n_features, n_outputs):
    """Xavier-normal draws from random_state, written out: weights first,
    layer by layer, biases zero."""
    rng = np.random.RandomState(est.random_state)
    units = (
        [n_features, *est.hidden, n_outputs]
        if isinstance(est.hidden, tuple)
        else [
            n_features,
            est.hidden,
            n_outputs,
        ]
    )
    return [
        rng.normal(0, np.sqrt(2 / (a + b)), (a, b))
        for a, b in zip(units[:-1], units[1:], strict=True)
    ]


@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
def test_snapshots_hold_the_weights_a_shorter_fit_ends_with(Estimator, solver):
    X, y = _moons(60)
    params = {
        "hidden": 4,
        "solver": solver,
        "lr": 0.1,
        "batch_size": 16,
        "random_state": 0,
    }
    snapshots = TrainingSnapshots(epochs=[0, 1, 3, 7])
    est = Estimator(max_iter=7, **params).set_callbacks(snapshots).fit(X, y)
    assert snapshots.epochs_ == [0, 1, 3, 7]
    start = snapshots.estimators_[0]
    for W, W0 in zip(start.coefs_, _initial_weights(est, 2, 1), strict=True):
        np.testing.assert_allclose(W, W0, rtol=1e-12)
    for epoch, model in zip(
        snapshots.epochs_[1:], snapshots.estimators_[1:], strict=True
    ):
        shorter = Estimator(max_iter=epoch, **params).fit(X, y)
        np.testing.assert_allclose(
            model._params, shorter._params, rtol=1e-10, atol=1e-12
        )
        np.testing.assert_allclose(model.predict_proba(X), shorter.predict_proba(X))
        assert model.loss_curve_ == shorter.loss_curve_
        assert model.n_iter_ == epoch
    assert snapshots.losses_[1:] == [est.loss_curve_[e - 1] for e in (1, 3, 7)]
    assert np.isnan(snapshots.losses_[0])


def test_snapshots_of_every_epoch_and_a_fresh_record_each_fit():
    X, y = _moons(60)
    snapshots = TrainingSnapshots()
    est = NumpyMLPClassifier(3, max_iter=5, random_state=0).set_callbacks(snapshots)
    est.fit(X, y)
    assert snapshots.epochs_ == [0, 1, 2, 3, 4, 5]
    est.set_params(max_iter=2).fit(X, y)
    assert snapshots.epochs_ == [0, 1, 2]
    with pytest.raises(ValueError, match="non-negative"):
        est.set_callbacks(TrainingSnapshots(epochs=[-1, 2])).fit(X, y)


def test_record_training_clones_and_stops_where_the_fit_stops():
    X, y = _moons(80)
    est = NumpyMLPClassifier(
        3, lr=0.5, max_iter=500, tol=1e-2, n_iter_no_change=3, random_state=0
    )
    history = record_training(est, X, y, epochs=[0, 2, 4, 400])
    assert not hasattr(est, "_params")
    assert history.fitted.n_iter_ < 400
    assert history.epochs == [0, 2, 4]  # the fit never reached 400
    assert len(history.estimators) == len(history.losses) == 3
    # The default: 0 and five epochs on a log scale up to max_iter.
    assert _evolution._default_epochs(1000) == [0, 1, 6, 32, 178, 1000]


def test_record_training_of_a_pipeline_gives_pipelines():
    X, y = _moons(80)
    pipe = make_pipeline(
        StandardScaler(), NumpyMLPClassifier(3, max_iter=6, random_state=0)
    )
    sw = np.linspace(0.5, 1.5, len(X))
    history = record_training(pipe, X * 7, y, epochs=[6], sample_weight=sw)
    model = history.estimators[0]
    np.testing.assert_allclose(
        model.predict_proba(X * 7), history.fitted.predict_proba(X * 7)
    )
    assert model[0] is history.fitted[0]
    direct = NumpyMLPClassifier(3, max_iter=6, random_state=0).fit(
        history.fitted[0].transform(X * 7), y, sample_weight=sw
    )
    np.testing.assert_allclose(model[-1]._params, direct._params)


def test_record_training_needs_the_callback_api(monkeypatch):
    X, y = _moons(40)
    monkeypatch.setattr(_evolution, "CALLBACKS_AVAILABLE", False)
    with pytest.raises(ImportError, match="scikit-learn >= 1.9"):
        record_training(NumpyMLPClassifier(3), X, y)


# ------------------------------------------------- TrainingEvolutionDisplay
def test_training_evolution_display_draws_each_epoch_and_the_loss(Estimator):
    X, y = _moons()
    est = Estimator(3, lr=0.5, max_iter=40, random_state=0)
    display = TrainingEvolutionDisplay.from_estimator(
        est, X, y, epochs=[0, 5, 40], grid_resolution=15
    )
    assert not hasattr(est, "_params")
    assert len(display.axes_) == 4 and len(display.surfaces_) == 3
    assert [ax.get_title() for ax in display.axes_] == [
        "epoch 0",
        "epoch 5",
        "epoch 40",
        "loss",
    ]
    shorter = Estimator(3, lr=0.5, max_iter=5, random_state=0).fit(X, y)
    points = np.c_[display.xx0.ravel(), display.xx1.ravel()]
    np.testing.assert_allclose(
        display.responses[1].ravel(), shorter.predict_proba(points)[:, 1], rtol=1e-9
    )
    fitted = Estimator(3, lr=0.5, max_iter=40, random_state=0).fit(X, y)
    np.testing.assert_allclose(display.loss_line_.get_ydata(), fitted.loss_curve_)
    np.testing.assert_allclose(
        display.markers_.get_offsets(),
        [[5, fitted.loss_curve_[4]], [40, fitted.loss_curve_[39]]],
    )
    assert display.contours_[2] is not None  # the boundary crosses the plane


def test_training_evolution_display_of_three_classes_shows_the_predicted_class():
    X, y = make_blobs(n_samples=90, centers=3, random_state=0)
    X = StandardScaler().fit_transform(X)
    display = TrainingEvolutionDisplay.from_estimator(
        NumpyMLPClassifier(4, lr=0.3, max_iter=20, random_state=0),
        X,
        y,
        epochs=[20],
        grid_resolution=12,
    )
    assert not display.binary
    fitted = NumpyMLPClassifier(4, lr=0.3, max_iter=20, random_state=0).fit(X, y)
    points = np.c_[display.xx0.ravel(), display.xx1.ravel()]
    np.testing.assert_array_equal(display.responses[0].ravel(), fitted.predict(points))
    assert display.contours_ == [None]


def test_training_evolution_animates_to_gif_and_html(tmp_path):
    from PIL import Image

    X, y = _moons(60)
    display = TrainingEvolutionDisplay.from_estimator(
        NumpyMLPClassifier(3, lr=0.5, max_iter=10, random_state=0),
        X,
        y,
        epochs=[0, 2, 10],
        grid_resolution=10,
    )
    display.animate(tmp_path / "evo.gif", interval=200)
    with Image.open(tmp_path / "evo.gif") as gif:
        assert gif.n_frames == 3
    display.animate(tmp_path / "evo.html")
    page = (tmp_path / "evo.html").read_text()
    assert page.count("data:image/png;base64") == 3  # frames inside the page
    with pytest.raises(ValueError, match=r"\.gif or \.html"):
        display.animate(tmp_path / "evo.mp4")


# ------------------------------------------------ LearningRateFinderDisplay
def test_lr_finder_sweeps_lr_geometrically_from_the_initial_weights(Estimator):
    X, y = _moons()
    est = Estimator(3, batch_size=None, random_state=0)
    display = LearningRateFinderDisplay.from_estimator(
        est, X, y, start_lr=1e-3, end_lr=1.0, n_steps=31, smoothing=0.5
    )
    assert not hasattr(est, "_params")
    np.testing.assert_allclose(display.lrs, np.geomspace(1e-3, 1.0, 31), rtol=1e-10)
    # The first step's loss is that of the initial weights.
    start = TrainingSnapshots(epochs=[0])
    Estimator(3, max_iter=1, random_state=0).set_callbacks(start).fit(X, y)
    p0 = start.estimators_[0].predict_proba(X)
    np.testing.assert_allclose(display.raw_losses[0], log_loss(y, p0), rtol=1e-9)
    # The smoothing: a bias-corrected moving average of the raw losses.
    avg, expected = 0.0, []
    for k, loss in enumerate(display.raw_losses, start=1):
        avg = 0.5 * avg + 0.5 * loss
        expected.append(avg / (1 - 0.5**k))
    np.testing.assert_allclose(display.losses, expected, rtol=1e-12)
    best = np.argmin(display.losses)
    assert display.suggested_lr == pytest.approx(display.lrs[best] / 10)
    assert len(display.line_.get_xdata()) == 31
    assert display.ax_.get_xscale() == "log"
    assert "minimum / 10" in display.suggestion_line_.get_label()


def test_lr_finder_stops_once_the_loss_diverges():
    X, y = _moons()
    display = LearningRateFinderDisplay.from_estimator(
        NumpyMLPClassifier(3, batch_size=16, random_state=0),
        X,
        y,
        start_lr=1e-2,
        end_lr=1e4,
        n_steps=200,
    )
    assert display.diverged and len(display.lrs) < 200
    assert display.suggested_lr < 1e3
    calm = LearningRateFinderDisplay.from_estimator(
        NumpyMLPClassifier(3, random_state=0),
        X,
        y,
        start_lr=1e-5,
        end_lr=1e-4,
        n_steps=10,
    )
    assert not calm.diverged and len(calm.lrs) == 10
    assert "lower bound" in calm.suggestion_line_.get_label()


def test_lr_finder_matches_across_backends():
    X, y = _moons()
    kwargs = {"start_lr": 1e-3, "end_lr": 3.0, "n_steps": 40}
    params = {"hidden": 4, "batch_size": 20, "random_state": 0, "momentum": 0.5}
    a = LearningRateFinderDisplay.from_estimator(
        NumpyMLPClassifier(**params), X, y, **kwargs
    )
    b = LearningRateFinderDisplay.from_estimator(
        TorchMLPClassifier(**params), X, y, **kwargs
    )
    np.testing.assert_allclose(a.raw_losses, b.raw_losses, rtol=1e-7)


def test_lr_finder_refuses_lbfgs_and_bad_ranges():
    X, y = _moons(40)
    message = (
        r"^The learning-rate finder needs a solver with a learning rate; "
        r"solver='lbfgs' has none\. Use solver='sgd' or 'adam'\.$"
    )
    with pytest.raises(ValueError, match=message):
        LearningRateFinderDisplay.from_estimator(
            NumpyMLPClassifier(3, solver="lbfgs"), X, y
        )
    bad = [
        ({"start_lr": 1.0, "end_lr": 0.1}, "start_lr < end_lr"),
        ({"start_lr": 0.0}, "start_lr < end_lr"),
        ({"start_lr": 0.1, "end_lr": 0.1}, "start_lr < end_lr"),
        ({"n_steps": 1}, "n_steps must be"),
        ({"n_steps": 2.0}, "n_steps must be"),
        ({"smoothing": 1.0}, "smoothing must be"),
        ({"diverge_threshold": 1.0}, "diverge_threshold must be"),
    ]
    for kwargs, message in bad:
        with pytest.raises(ValueError, match=message):
            LearningRateFinderDisplay.from_estimator(
                NumpyMLPClassifier(3), X, y, **kwargs
            )


# ------------------------------------------------------ matplotlib missing
def test_every_display_names_itself_when_matplotlib_is_missing(monkeypatch):
    import sys

    from sklearn_mlplab import GridSearchDisplay, LossCurveDisplay

    X, y = _moons(40)
    est = NumpyMLPClassifier(3, max_iter=3, random_state=0).fit(X, y)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    calls = {
        "LossCurveDisplay.from_estimator": lambda: LossCurveDisplay.from_estimator(est),
        "LossCurveDisplay.plot": lambda: LossCurveDisplay(loss_curves=[[1.0]]).plot(),
        "GridSearchDisplay.plot": lambda: GridSearchDisplay(
            scores=np.ones((1, 1)), hidden_values=[3], lr_values=[0.1]
        ).plot(),
        "HiddenUnitsDisplay.from_estimator": lambda: HiddenUnitsDisplay.from_estimator(
            est, X
        ),
        "TrainingEvolutionDisplay.from_estimator": (
            lambda: TrainingEvolutionDisplay.from_estimator(est, X, y)
        ),
        "LearningRateFinderDisplay.from_estimator": (
            lambda: LearningRateFinderDisplay.from_estimator(est, X, y)
        ),
    }
    for name, call in calls.items():
        with pytest.raises(ImportError, match=rf"{name} needs matplotlib.*pip install"):
            call()


def test_snapshot_models_survive_a_deep_copy():
    X, y = _moons(40)
    snapshots = TrainingSnapshots(epochs=[2])
    NumpyMLPClassifier(3, max_iter=2, random_state=0).set_callbacks(snapshots).fit(X, y)
    model = copy.deepcopy(snapshots.estimators_[0])
    np.testing.assert_allclose(
        model.predict_proba(X), snapshots.estimators_[0].predict_proba(X)
    )


def test_the_displays_draw_a_recorded_run_and_a_range_test_as_given():
    from sklearn_mlplab.inspection import lr_range_test

    X, y = _moons(60)
    est = NumpyMLPClassifier(3, lr=0.5, max_iter=8, random_state=0)
    history = record_training(est, X, y, epochs=[0, 8])
    drawn = TrainingEvolutionDisplay.from_history(history, X, y, grid_resolution=9)
    trained = TrainingEvolutionDisplay.from_estimator(
        est, X, y, epochs=[0, 8], grid_resolution=9
    )
    np.testing.assert_array_equal(drawn.responses, trained.responses)
    assert drawn.epochs == trained.epochs == [0, 8]
    result = lr_range_test(est, X, y, start_lr=1e-2, end_lr=1.0, n_steps=12)
    display = LearningRateFinderDisplay.from_result(result, estimator_name="net")
    np.testing.assert_array_equal(display.line_.get_ydata(), result.losses)
    np.testing.assert_array_equal(display.raw_line_.get_ydata(), result.raw_losses)
    assert display.suggestion_line_.get_xdata()[0] == result.suggested_lr
    assert display.ax_.get_title() == "Learning-rate range test: net"
    again = LearningRateFinderDisplay.from_estimator(
        est, X, y, start_lr=1e-2, end_lr=1.0, n_steps=12, linewidth=3
    )
    np.testing.assert_array_equal(again.losses, result.losses)
    assert again.line_.get_linewidth() == 3


# ---------------------------------------------- held against a second route
def test_relative_error_is_the_norm_ratio_written_out():
    assert _gradients._relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert _gradients._relative_error(np.array([3.0, 4.0]), np.zeros(2)) == 1.0
    a, n = np.array([1.0, 2.0, 2.0]), np.array([1.0, 2.0, 2.3])
    expected = 0.3 / np.sqrt(1 + 4 + 2.3**2)
    assert _gradients._relative_error(a, n) == pytest.approx(expected, rel=1e-12)


def test_relu_kinks_counts_pre_activations_within_reach_of_zero():
    # One relu unit whose pre-activation is 1e-5 on a row with |x| = 10: a
    # step of eps = 1e-6 in its weight moves it by up to 1e-5, so it counts;
    # the reach is 100 eps max|x| = 1e-3.
    est = NumpyMLPClassifier(1, activation="relu", max_iter=1, random_state=0)
    X = np.array([[10.0, 0.0], [-10.0, 0.0]])
    est.fit(X, [0, 1])
    est.coefs_[0][...] = [[1e-6], [0.0]]
    est.intercepts_[0][...] = 0.0
    theta = est._params.copy()
    assert _gradients._relu_kinks(est, theta, X, 1e-6) == 2  # 1e-5 and -1e-5
    est.coefs_[0][...] = [[1e-3], [0.0]]  # 1e-2: out of reach
    assert _gradients._relu_kinks(est, est._params.copy(), X, 1e-6) == 0
    assert (
        _gradients._relu_kinks(est.set_params(activation="tanh"), theta, X, 1e-6) == 0
    )


@pytest.mark.parametrize("Estimator", BACKENDS)
def test_check_gradients_objective_is_the_weighted_loss_written_out(Estimator):
    X, y = _data("multiclass")
    sw = np.random.RandomState(3).uniform(0.1, 3.0, size=len(X))
    for fitted in (False, True):
        est = Estimator(4, alpha=0.1, max_iter=5, random_state=0)
        if fitted:
            est.fit(X, y, sample_weight=sw)
        result = check_gradients(est, X, y, sample_weight=sw)
        model = est if fitted else Estimator(4, alpha=0.1, random_state=0)
        if not fitted:  # the initial weights: epoch 0 of a recorded fit
            snapshots = TrainingSnapshots(epochs=[0])
            model.set_callbacks(snapshots).fit(X, y)
            model = snapshots.estimators_[0]
        penalty = 0.1 / 2 * sum((W**2).sum() for W in model.coefs_)
        loss = log_loss(y, model.predict_proba(X), sample_weight=sw)
        assert result.objective == pytest.approx(loss + penalty, rel=1e-9)
        assert result.max_relative_error < 1e-6


def test_check_gradients_of_a_fitted_network_takes_some_of_its_classes():
    X, y = _data("multiclass")
    est = NumpyMLPClassifier(3, max_iter=5, random_state=0).fit(X, y)
    some = y != 2
    result = check_gradients(est, X[some], y[some])
    assert result.max_relative_error < 1e-6
    balanced = NumpyMLPClassifier(3, class_weight="balanced", max_iter=5).fit(X, y)
    assert check_gradients(balanced, X, y).max_relative_error < 1e-6


def test_unfitted_pipelines_fit_their_earlier_steps_with_y():
    # SelectKBest needs y: the earlier steps must be fitted on (X, y).
    from sklearn.feature_selection import SelectKBest

    X, y = _data("binary")
    X = np.c_[X, np.random.RandomState(0).normal(size=len(X))]
    pipe = make_pipeline(SelectKBest(k=2), NumpyMLPClassifier(3, random_state=0))
    assert check_gradients(pipe, X, y).analytic.shape == (13,)
    assert len(lr_range_test_of(pipe, X, y).lrs) == 5


def lr_range_test_of(model, X, y, **kwargs):
    from sklearn_mlplab.inspection import lr_range_test

    return lr_range_test(model, X, y, start_lr=1e-3, end_lr=1e-2, n_steps=5, **kwargs)


@pytest.mark.parametrize("Estimator", BACKENDS)
@pytest.mark.parametrize(
    "batch_size, shuffle", [(None, True), (20, True), (25, True), (16, False)]
)
def test_lr_range_run_at_a_near_constant_lr_is_an_sgd_fit(
    Estimator, batch_size, shuffle
):
    # With lr all but constant, the range test's steps are those of a fit:
    # each epoch's steps, weighted by their batches' weights, average to
    # the fit's loss for that epoch (the same rows, order and weights).
    from sklearn_mlplab.inspection import lr_range_test

    X, y = _moons(50)
    sw = np.random.RandomState(0).uniform(0.5, 2.0, size=len(X))
    params = {
        "hidden": 3,
        "batch_size": batch_size,
        "shuffle": shuffle,
        "random_state": 0,
    }
    batches = 1 if batch_size is None else -(-len(X) // batch_size)
    epochs = 3
    result = lr_range_test(
        Estimator(**params),
        X,
        y,
        sample_weight=sw,
        start_lr=0.1,
        end_lr=0.1 * (1 + 1e-9),
        n_steps=epochs * batches,
    )
    fit = Estimator(lr=0.1, max_iter=epochs, **params).fit(X, y, sample_weight=sw)
    # Each step's weight is the sum of its rows' weights, in the epoch's
    # order: the permutations the generator draws after the initial weights.
    rng = np.random.RandomState(0)
    for a, b in [(2, 3), (3, 1)]:
        rng.normal(0, np.sqrt(2 / (a + b)), (a, b))
    size = batch_size or len(X)
    for epoch in range(epochs):
        order = (
            rng.permutation(len(X)) if shuffle and batches > 1 else np.arange(len(X))
        )
        weights = [sw[order][k : k + size].sum() for k in range(0, len(X), size)]
        steps = result.raw_losses[epoch * batches : (epoch + 1) * batches]
        assert np.dot(steps, weights) / sw.sum() == pytest.approx(
            fit.loss_curve_[epoch], rel=1e-6
        )


def test_lr_range_test_defaults_are_the_documented_ones():
    from sklearn_mlplab.inspection import lr_range_test

    X, y = _moons(40)
    result = lr_range_test(NumpyMLPClassifier(2, batch_size=None, random_state=0), X, y)
    assert result.lrs[0] == pytest.approx(1e-4)
    ratio = result.lrs[1] / result.lrs[0]
    assert ratio == pytest.approx((10 / 1e-4) ** (1 / 99))  # 100 steps to 10
    avg, smooth = 0.0, []
    for k, loss in enumerate(result.raw_losses, start=1):
        avg = 0.9 * avg + 0.1 * loss
        smooth.append(avg / (1 - 0.9**k))
    np.testing.assert_allclose(result.losses, smooth, rtol=1e-12)
    if result.diverged:  # the default threshold: 4 times the minimum so far
        assert result.losses[-1] > 4 * result.losses[:-1].min()
    else:
        assert len(result.lrs) == 100


def test_lr_range_test_takes_the_edges_of_its_ranges():
    from sklearn_mlplab.inspection import lr_range_test

    X, y = _moons(40)
    est = NumpyMLPClassifier(2, batch_size=None, random_state=0)
    two = lr_range_test(est, X, y, n_steps=2, smoothing=0.0, diverge_threshold=1.5)
    assert len(two.lrs) <= 2 and two.rule == "minimum / 10"
    # No smoothing: the smoothed losses are the raw ones.
    np.testing.assert_array_equal(two.losses, two.raw_losses)


def test_lr_range_test_stops_at_the_default_four_times_the_minimum():
    from sklearn_mlplab.inspection import lr_range_test

    X, y = _moons()
    result = lr_range_test(
        NumpyMLPClassifier(3, batch_size=16, random_state=0),
        X,
        y,
        start_lr=1e-2,
        end_lr=1e4,
        n_steps=300,
    )
    assert result.diverged
    smooth = result.losses
    for k in range(1, len(smooth) - 1):
        assert smooth[k] <= 4 * smooth[:k].min()
    assert smooth[-1] > 4 * smooth[:-1].min() or not np.isfinite(smooth[-1])


def test_lr_range_test_suggests_from_finite_losses_only():
    from sklearn_mlplab.inspection import lr_range_test

    X, y = _moons()
    result = lr_range_test(
        NumpyMLPClassifier(3, activation="identity", batch_size=None, random_state=0),
        X,
        y,
        start_lr=1.0,
        end_lr=1e30,
        n_steps=60,
        diverge_threshold=1e300,
    )
    assert result.diverged and not np.isfinite(result.losses[-1])
    finite = np.isfinite(result.losses)
    best = np.flatnonzero(finite)[np.argmin(result.losses[finite])]
    assert result.suggested_lr == pytest.approx(result.lrs[best] / 10)


def test_relu_kinks_adds_up_every_hidden_layer():
    est = NumpyMLPClassifier((1, 1), activation="relu", max_iter=1, random_state=0)
    X = np.array([[1.0, 0.0], [-1.0, 0.0]])
    est.fit(X, [0, 1])
    # Layer 1: z = 1e-6 x, both rows near 0; layer 2: relu(z) * 1 + 0, that
    # is 1e-6 and 0, both near 0 too: 4 in all.
    est.coefs_[0][...] = [[1e-6], [0.0]]
    est.coefs_[1][...] = [[1.0]]
    for b in est.intercepts_:
        b[...] = 0.0
    assert _gradients._relu_kinks(est, est._params.copy(), X, 1e-6) == 4


def test_lr_range_run_skips_batches_of_zero_weight_as_a_fit_does():
    from sklearn_mlplab.inspection import lr_range_test

    X, y = _moons(48)
    # The first of three unshuffled batches weighs nothing, the others 0.8:
    # only a zero weight skips a batch.
    sw = np.full(len(X), 0.05)
    sw[:16] = 0.0
    params = {"hidden": 3, "batch_size": 16, "shuffle": False, "random_state": 0}
    result = lr_range_test(
        NumpyMLPClassifier(**params),
        X,
        y,
        sample_weight=sw,
        start_lr=0.1,
        end_lr=0.1 * (1 + 1e-9),
        n_steps=4,
    )
    fit = NumpyMLPClassifier(lr=0.1, max_iter=2, **params).fit(X, y, sample_weight=sw)
    assert np.isfinite(result.raw_losses).all() and len(result.raw_losses) == 4
    # Two steps an epoch, of equal weights: their mean is the epoch's loss.
    np.testing.assert_allclose(
        result.raw_losses.reshape(2, 2).mean(axis=1), fit.loss_curve_, rtol=1e-6
    )


def test_relu_kinks_reach_is_100_eps_times_the_largest_input():
    est = NumpyMLPClassifier(1, activation="relu", max_iter=1, random_state=0)
    X = np.array([[1.0, 0.0], [-1.0, 0.0]])
    est.fit(X, [0, 1])
    est.intercepts_[0][...] = 0.0
    # Inputs of at most 1: the reach is 100 * 1e-6 = 1e-4.
    for weight, expected in [(0.9e-4, 2), (1.005e-4, 0), (1.5e-4, 0)]:
        est.coefs_[0][...] = [[weight], [0.0]]
        assert _gradients._relu_kinks(est, est._params.copy(), X, 1e-6) == expected
