"""The lab's experiments: what they measure, held against a direct computation."""

from dataclasses import replace

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

pytest.importorskip("pandas")

from sklearn.model_selection import GridSearchCV, StratifiedKFold  # noqa: E402

from sklearn_mlplab.lab import QUICK, load_bundled, make_network  # noqa: E402
from sklearn_mlplab.lab import experiments as ex  # noqa: E402
from sklearn_mlplab.lab.search import SteppedGridSearchCV  # noqa: E402

SMALL = replace(
    QUICK,
    epochs=30,
    momentum_epochs=120,
    search_epochs=20,
    cv=3,
    hidden_grid=(2, 4),
    lr_grid=(0.5, 0.05),
)


@pytest.fixture(scope="module")
def data():
    return load_bundled()


def test_momentum_speed_up_is_plain_epochs_over_epochs_needed(data):
    result = ex.sweep_momentum(data, SMALL, 0)
    plain = result.curves["dampened", 0.0]
    assert result.target == plain[result.half - 1]
    for key, c in result.curves.items():
        reach = result.reach[key]
        if reach is None:
            assert (c > result.target).all() and result.speedup[key] is None
            continue
        # The first epoch at or below the target, counted from 1.
        assert c[reach - 1] <= result.target and (c[: reach - 1] > result.target).all()
        assert result.speedup[key] == pytest.approx(result.half / reach)
        assert result.rises[key] == int(np.sum(np.diff(c) > 0))
    assert result.speedup["dampened", 0.0] == 1.0
    # The classic rule's larger steady step reaches the target sooner.
    assert result.speedup["classic", 0.9] > 2
    assert result.speedup["classic", 0.9] > result.speedup["dampened", 0.9]


def test_momentum_runs_plain_gradient_descent_once(data):
    calls = []
    ex.sweep_momentum(data, SMALL, 0, progress=calls.append)
    assert sum(calls) == ex.momentum_epochs(SMALL)
    assert len(calls) == 1 + len(SMALL.momentum_types) * 3


def test_loss_comparison_matches_fitting_each_loss_directly(data):
    result = ex.compare_losses(data, SMALL, 0)
    for loss, run in result.runs.items():
        model = make_network(SMALL, loss=loss).fit(data.X_train, data.y_train)
        assert_array_equal(run.curve, model[-1].loss_curve_)
        assert run.test_accuracy == model.score(data.X_test, data.y_test)
    lo, hi = result.first_outputs
    assert 0 < lo <= hi < 1


def test_stepped_search_matches_grid_search_cv(data):
    model = make_network(SMALL, max_iter=SMALL.search_epochs)
    grid = {"numpymlpclassifier__hidden": [2, 4], "numpymlpclassifier__lr": [0.5, 0.05]}
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    seen = []
    stepped = SteppedGridSearchCV(model, grid, cv=cv, on_candidates=seen.append)
    stepped.fit(data.X_train, data.y_train)
    plain = GridSearchCV(model, grid, cv=cv).fit(data.X_train, data.y_train)
    assert seen == [1, 1, 1, 1]
    assert stepped.cv_results_["params"] == plain.cv_results_["params"]
    for key in ("mean_test_score", "std_test_score", "rank_test_score"):
        assert_allclose(stepped.cv_results_[key], plain.cv_results_[key])
    assert stepped.best_params_ == plain.best_params_


def test_stepped_search_groups_fill_the_workers(data):
    model = make_network(SMALL, max_iter=5)
    grid = {
        "numpymlpclassifier__hidden": [2, 3, 4],
        "numpymlpclassifier__lr": [0.5, 0.1],
    }
    seen = []
    SteppedGridSearchCV(model, grid, cv=2, n_jobs=4, on_candidates=seen.append).fit(
        data.X_train, data.y_train
    )
    assert seen == [2, 2, 2]


def test_search_grid_reports_every_epoch_and_its_grid(data):
    calls = []
    result = ex.search_grid(data, SMALL, 0, "numpy", progress=calls.append)
    assert sum(calls) == ex.search_epochs(SMALL)
    assert result.mean.shape == (2, 2) and np.isfinite(result.mean).all()
    i, j = np.unravel_index(np.argmax(result.mean), result.mean.shape)
    assert result.pick == (SMALL.hidden_grid[i], SMALL.lr_grid[j])
    assert set(result.curves) == {(h, lr) for h in (2, 4) for lr in (0.5, 0.05)}
    assert result.fold_rows == 100  # 300 rows, 3 folds


def test_look_inside_checks_records_and_sweeps(data):
    from sklearn_mlplab.inspection import check_gradients

    seen = []
    result = ex.look_inside(data, SMALL, 0, ("numpy", "torch"), seen.append)
    assert sum(seen) == ex.inside_epochs(SMALL) == SMALL.epochs + SMALL.search_epochs
    # Each backend at its initial weights, the numpy network trained.
    assert [(g.backend, g.weights) for g in result.gradients] == [
        ("numpy", "initial"),
        ("torch", "initial"),
        ("numpy", "trained"),
    ]
    direct = check_gradients(
        make_network(SMALL, "torch", 0), data.X_train, data.y_train
    )
    assert result.gradients[1].max_error == direct.max_relative_error
    assert all(g.max_error < 1e-6 for g in result.gradients)
    assert len(result.gradients[0].layer_errors) == 2
    # The recorded run is the lab's network; each snapshot is what a run
    # that many epochs long ends with.
    assert result.epochs == ex.snapshot_epochs(SMALL.epochs)
    trained = make_network(SMALL, "numpy", 0).fit(data.X_train, data.y_train)
    assert_allclose(result.loss_curve, trained[-1].loss_curve_)
    epoch = result.epochs[3]
    short = make_network(SMALL, "numpy", 0, max_iter=epoch).fit(
        data.X_train, data.y_train
    )
    assert result.snapshot_accuracy[3] == short.score(data.X_train, data.y_train)
    assert result.snapshot_losses[3] == short[-1].loss_curve_[-1]
    # The range test: the search's network, as many steps as a search fit.
    assert len(result.lr_finder.lrs) <= SMALL.search_epochs == result.lr_steps
    assert result.lr_finder.lrs[0] == pytest.approx(ex.LR_RANGE[0])


def test_snapshot_epochs_spread_on_a_log_scale_and_end_at_the_run():
    # 2000 / 200 = 10, then times 200 ** (1 / 5) at each step.
    expected = tuple(round(10 * 200 ** (k / 5)) for k in range(6))
    assert ex.snapshot_epochs(2000) == (0, *expected) == (0, 10, 29, 83, 240, 693, 2000)
    # From epoch 1 for short runs, without repeats.
    assert ex.snapshot_epochs(30) == (0, 1, 2, 4, 8, 15, 30)
    assert ex.snapshot_epochs(3) == (0, 1, 2, 3)


def test_the_stacked_search_reports_what_grid_search_cv_reports(data):
    stacked = ex.search_grid(data, SMALL, 0, "numpy", batched=True)
    plain = ex.search_grid(data, SMALL, 0, "numpy", batched=False)
    assert_allclose(stacked.mean, plain.mean, rtol=0, atol=1e-12)
    assert_allclose(stacked.std, plain.std, rtol=0, atol=1e-12)
    assert stacked.pick == plain.pick
    assert stacked.test_accuracy == plain.test_accuracy
    assert stacked.curves.keys() == plain.curves.keys()
    for key, curve in plain.curves.items():
        assert_allclose(stacked.curves[key], curve, rtol=1e-10)
