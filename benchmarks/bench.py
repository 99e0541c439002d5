"""Time sklearn-mlplab against scikit-learn, skorch and the machine's limit.

One process, one table. It runs our two estimators, scikit-learn's
``MLPClassifier`` (``solver="sgd"``) and skorch's ``NeuralNetClassifier`` on
the same network, data, batch size, learning rate, momentum and number of
epochs, with every stopping rule off, and sets each against the *GEMM floor*:
the time numpy's matrix products of the same shapes take alone.

Cases
-----
(a) the lab's size: 300 x 2, one hidden layer of 3 logistic units, full
    batch, 2,000 epochs; a minimal hand-written torch loop is a further
    reference.
(b) 100,000 x 20 float32, hidden (64, 64), relu, batch 256, momentum 0.9,
    3 epochs.
(c) ``GridSearchCV``, 5 folds over hidden {3, 6, 11} x lr {0.5, 0.1, 0.01,
    0.005} on the lab data, ``n_jobs=2``.
(d) ``predict_proba`` on 1,000,000 rows with the models of (b).
(e) peak resident memory of (b) on 1,000,000 rows, each estimator in a fresh
    process.
(f) (a) with Adam: ``solver="adam"`` here and in ``MLPClassifier``.
(g) (b) with Adam.
(h) ``BatchedGridSearchCV`` on the lab grid: 12 candidates x 5 folds x 1,000
    full-batch epochs on the lab data, against ``GridSearchCV`` of the same
    estimator (``n_jobs=1`` and ``2``) and ``MLPClassifier``'s
    ``GridSearchCV`` on the same grid.
(i) The same on a mini-batch grid: breast cancer (569 x 30), batch 32,
    hidden {8, 16, 32} x lr {0.1, 0.03, 0.01}, 5 folds x 100 epochs.
(j) Regression: ``NumpyMLPRegressor`` and ``TorchMLPRegressor`` against
    ``MLPRegressor`` (``solver="sgd"``), Friedman #1 (20,000 x 10, targets
    standardised), hidden (64,), relu, batch 200, 10 epochs.

Momentum is the classic (heavy-ball) rule everywhere: ``momentum_type=
"classic"`` here, ``nesterovs_momentum=False`` in scikit-learn and
``torch.optim.SGD(momentum=0.9)`` in skorch and the torch loop.

Usage
-----
::

    pip install -e ".[torch]"
    pip install skorch          # optional: without it the skorch rows are skipped
    python benchmarks/bench.py                  # the full run (several minutes)
    python benchmarks/bench.py --quick          # a smoke run in seconds
    python benchmarks/bench.py --write-docs docs/benchmark_results.rst

Times are medians of repeats interleaved across the implementations and the
GEMM floor's own timers, so that load from other processes hits all of them
alike; ratios compare numbers measured in the same run. Thread settings are
left at the defaults of each library (each decides for itself); the GEMM
floor is the faster of the default BLAS threads and one thread.
"""

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
import warnings
from contextlib import contextmanager, nullcontext

import numpy as np
import scipy
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_info, threadpool_limits

import sklearn_mlplab
from sklearn_mlplab import (
    NumpyMLPClassifier,
    NumpyMLPRegressor,
    TorchMLPClassifier,
    TorchMLPRegressor,
)

# Imported by main(), not at import time: the memory case's child processes
# must not pay for torch unless they train with it.
torch = skorch = None


def import_optional():
    """Import torch and skorch where installed; their rows are skipped if not."""
    global torch, skorch
    try:
        import torch
    except ImportError:
        torch = None
    try:
        import skorch
    except ImportError:
        skorch = None


FULL = dict(
    repeats=7,
    a_epochs=2000,
    a_skorch_epochs=200,
    b_rows=100_000,
    b_epochs=3,
    b_skorch_epochs=1,
    b_repeats=3,
    c_epochs=300,
    c_repeats=5,
    d_rows=1_000_000,
    d_repeats=7,
    e_rows=1_000_000,
    h_epochs=1000,
    i_epochs=100,
    hi_repeats=3,
    j_rows=20_000,
    j_epochs=10,
    j_repeats=5,
)
QUICK = dict(
    repeats=1,
    a_epochs=50,
    a_skorch_epochs=5,
    b_rows=3_000,
    b_epochs=1,
    b_skorch_epochs=1,
    b_repeats=1,
    c_epochs=10,
    c_repeats=1,
    d_rows=20_000,
    d_repeats=1,
    e_rows=20_000,
    h_epochs=20,
    i_epochs=3,
    hi_repeats=1,
    j_rows=2_000,
    j_epochs=2,
    j_repeats=1,
)

LR_A = 0.1  # cases (a) and (c) use the grid's learning rates
LR_B = 0.01
LR_ADAM = 0.01
MOMENTUM = 0.9
GRID_HIDDEN = (3, 6, 11)
GRID_LR = (0.5, 0.1, 0.01, 0.005)
MIB = 2**20

NUMPY = "NumpyMLPClassifier"
TORCH = "TorchMLPClassifier"
SKLEARN = "MLPClassifier"
SKORCH = "skorch NeuralNetClassifier"
LOOP = "minimal torch loop"
LOOP_1 = "minimal torch loop, 1 thread"
FLOOR = "GEMM floor (numpy)"
OURS = (NUMPY, TORCH)
BATCHED = "BatchedGridSearchCV, {}"
PLAIN = "GridSearchCV, {}, n_jobs={}"
SK_GRID = "GridSearchCV, MLPClassifier, n_jobs=1"
REGRESSORS = {
    "NumpyMLPRegressor": NumpyMLPRegressor,
    "TorchMLPRegressor": TorchMLPRegressor,
}
SK_REGRESSOR = "MLPRegressor"


# ----------------------------------------------------------------- data
def lab_data():
    """The lab's 300 x 2 training set (or make_moons), z-scored."""
    try:
        from sklearn_mlplab.datasets import load_lab

        X, y = load_lab(return_X_y=True)
        source = "load_lab()"
    except ImportError:
        from sklearn.datasets import make_moons

        X, y = make_moons(n_samples=300, noise=0.2, random_state=0)
        source = "make_moons(300)"
    return StandardScaler().fit_transform(X), y, source


def synthetic(n_rows, n_features=20, seed=0):
    """float32 rows drawn directly in float32 (no float64 copy), binary labels."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_rows, n_features), dtype=np.float32)
    w = np.linspace(-1.0, 1.0, n_features, dtype=np.float32)
    score = X @ w
    score += X[:, 0] * X[:, 1]
    return X, (score > 0).astype(np.int64)


# ----------------------------------------------------------- estimators
def ours(cls, hidden, activation, lr, batch_size, epochs, shuffle=True, solver="sgd"):
    return cls(
        hidden,
        activation=activation,
        solver=solver,
        lr=lr,
        momentum=MOMENTUM,
        momentum_type="classic",
        batch_size=batch_size,
        max_iter=epochs,
        tol=0.0,
        n_iter_no_change=epochs,
        shuffle=shuffle,
        random_state=0,
    )


def sklearn_mlp(hidden, activation, lr, batch_size, epochs, shuffle=True, solver="sgd"):
    return MLPClassifier(
        hidden,
        activation=activation,
        solver=solver,
        alpha=0.0,
        batch_size=batch_size,
        learning_rate_init=lr,
        momentum=MOMENTUM,
        nesterovs_momentum=False,
        max_iter=epochs,
        tol=0.0,
        n_iter_no_change=epochs,
        shuffle=shuffle,
        random_state=0,
    )


def torch_network(n_in, hidden, activation, n_out, dtype):
    act = {"logistic": torch.nn.Sigmoid, "relu": torch.nn.ReLU}[activation]
    layers, width = [], n_in
    for h in hidden:
        layers += [torch.nn.Linear(width, h), act()]
        width = h
    layers.append(torch.nn.Linear(width, n_out))
    return torch.nn.Sequential(*layers).to(dtype)


def skorch_net(n_in, hidden, activation, lr, batch_size, epochs, shuffle):
    # Two logits and the softmax cross-entropy: NeuralNetClassifier's form of
    # the binary output (ours and scikit-learn's use one sigmoid unit).
    from skorch import NeuralNetClassifier

    torch.manual_seed(0)
    return NeuralNetClassifier(
        torch_network(n_in, hidden, activation, 2, torch.float32),
        criterion=torch.nn.CrossEntropyLoss,
        optimizer=torch.optim.SGD,
        optimizer__momentum=MOMENTUM,
        lr=lr,
        max_epochs=epochs,
        batch_size=batch_size,
        iterator_train__shuffle=shuffle,
        train_split=None,
        verbose=0,
        device="cpu",
    )


def n_epochs_run(est):
    if hasattr(est, "history"):  # skorch
        return len(est.history)
    return est.n_iter_


@contextmanager
def torch_threads(n):
    old = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(old)


def minimal_torch_loop(X, y, hidden, lr, epochs, threads=None):
    """The plainest full-batch torch training loop for network (a), in float64."""
    Xt = torch.from_numpy(np.ascontiguousarray(X, dtype=np.float64))
    Yt = torch.from_numpy(y.astype(np.float64)[:, None])
    torch.manual_seed(0)
    net = torch_network(X.shape[1], (hidden,), "logistic", 1, torch.float64)
    opt = torch.optim.SGD(net.parameters(), lr=lr, momentum=MOMENTUM)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    with torch_threads(threads) if threads else nullcontext():
        start = time.perf_counter()
        for _ in range(epochs):
            opt.zero_grad()
            loss_fn(net(Xt), Yt).backward()
            opt.step()
        return time.perf_counter() - start


# --------------------------------------------------------------- timing
def timed_fit(make, X, y, epochs):
    est = make()
    start = time.perf_counter()
    est.fit(X, y)
    elapsed = time.perf_counter() - start
    if n_epochs_run(est) != epochs:
        raise RuntimeError(f"{est!r} ran {n_epochs_run(est)} epochs, not {epochs}")
    return elapsed, est


def interleaved(candidates, repeats):
    """Median seconds of each callable, the repeats taken in turn.

    Each callable returns the seconds to record. A warm-up round runs first.
    """
    for fn in candidates.values():
        fn()
    times = {name: [] for name in candidates}
    for _ in range(repeats):
        for name, fn in candidates.items():
            times[name].append(fn())
    return {name: statistics.median(t) for name, t in times.items()}


def products(units, batch, dtype, rng):
    """One training step's matrix products: (A, B, out) for np.matmul.

    Forward: a_i @ W_i. Backward, layer by layer from the top: a_i.T @ delta
    (the weight gradient) and, below the top, delta @ W_i.T.
    """
    acts = [rng.standard_normal((batch, u)).astype(dtype) for u in units]
    shapes = zip(units[:-1], units[1:], strict=True)
    Ws = [rng.standard_normal(s).astype(dtype) for s in shapes]
    ops = [(acts[i], W, np.empty((batch, W.shape[1]), dtype)) for i, W in enumerate(Ws)]
    for i in reversed(range(len(Ws))):
        ops.append((acts[i].T, acts[i + 1], np.empty(Ws[i].shape, dtype)))
        if i > 0:
            ops.append((acts[i + 1], Ws[i].T, np.empty((batch, units[i]), dtype)))
    return ops


def floor_candidates(steps, label=""):
    """Timers of the products in ``steps`` alone, BLAS on its default threads
    and on one; their keys mark them for :func:`split_floor`."""

    def timer(limit):
        def run():
            with threadpool_limits(limit, user_api="blas") if limit else nullcontext():
                start = time.perf_counter()
                for ops in steps:
                    for A, B, out in ops:
                        np.matmul(A, B, out=out)
                return time.perf_counter() - start

        return run

    return {(FLOOR, label, limit): timer(limit) for limit in (None, 1)}


def split_floor(times):
    """Take the floor timers out of ``times``; the floor is the fastest."""
    keys = [k for k in times if isinstance(k, tuple) and k[0] == FLOOR]
    return min(times.pop(k) for k in keys)


def epoch_steps(units, n_rows, batch, dtype):
    rng = np.random.default_rng(0)
    full, rest = divmod(n_rows, batch)
    steps = [products(units, batch, dtype, rng)] * full
    if rest:
        steps.append(products(units, rest, dtype, rng))
    return steps


# ----------------------------------------------------------------- cases
def case_a(cfg, rows):
    X, y, source = lab_data()
    epochs, n = cfg["a_epochs"], X.shape[0]
    per_epoch = 1.0 / epochs
    args = (3, "logistic", LR_A, None, epochs)
    cands = {
        NUMPY: lambda: timed_fit(lambda: ours(NumpyMLPClassifier, *args), X, y, epochs),
        SKLEARN: lambda: timed_fit(
            lambda: sklearn_mlp((3,), "logistic", LR_A, n, epochs, shuffle=False),
            X,
            y,
            epochs,
        ),
    }
    if torch is not None:
        cands[TORCH] = lambda: timed_fit(
            lambda: ours(TorchMLPClassifier, *args), X, y, epochs
        )
        cands[LOOP] = lambda: (minimal_torch_loop(X, y, 3, LR_A, epochs), None)
        cands[LOOP_1] = lambda: (minimal_torch_loop(X, y, 3, LR_A, epochs, 1), None)
    if skorch is not None:
        sk_epochs = cfg["a_skorch_epochs"]
        X32 = X.astype(np.float32)
        cands[SKORCH] = lambda: (
            timed_fit(
                lambda: skorch_net(2, (3,), "logistic", LR_A, n, sk_epochs, False),
                X32,
                y,
                sk_epochs,
            )[0]
            * epochs
            / sk_epochs,
            None,
        )
    timers = {k: (lambda f=f: f()[0]) for k, f in cands.items()}
    timers.update(floor_candidates(epoch_steps([2, 3, 1], n, n, np.float64) * epochs))
    times = interleaved(timers, cfg["repeats"])
    floor = split_floor(times)
    case = f"(a) lab {n}x2, hidden 3, full batch, {epochs} epochs"
    for name, t in times.items():
        rows.append(dict(case=case, impl=name, seconds=t * per_epoch, kind="epoch"))
    rows.append(dict(case=case, impl=FLOOR, seconds=floor * per_epoch, kind="epoch"))
    notes = [f"(a) data: {source}, z-scored, float64 (skorch: float32)."]
    if skorch is not None:
        notes.append(
            f"(a) skorch runs {cfg['a_skorch_epochs']} epochs; its time per epoch "
            "is the mean over them."
        )
    return notes


def case_adam(cfg, rows, which):
    """(f), (g): the network and data of (a) or (b), trained with Adam."""
    if which == "f":
        X, y, _ = lab_data()
        epochs, n = cfg["a_epochs"], X.shape[0]
        ours_args = (3, "logistic", LR_ADAM, None, epochs)
        sk_args = ((3,), "logistic", LR_ADAM, n, epochs)
        steps = epoch_steps([2, 3, 1], n, n, np.float64) * epochs
        case = f"(f) (a) with Adam, {epochs} epochs"
        shuffle = False  # one full batch: nothing to shuffle
    else:
        n, epochs = cfg["b_rows"], cfg["b_epochs"]
        X, y = synthetic(n)
        ours_args = ((64, 64), "relu", LR_ADAM, 256, epochs)
        sk_args = ours_args
        steps = epoch_steps([20, 64, 64, 1], n, 256, np.float32) * epochs
        case = f"(g) (b) with Adam, {n:,}x20 float32, {epochs} epochs"
        shuffle = True

    def fit(make):
        return timed_fit(make, X, y, epochs)[0]

    cands = {
        NUMPY: lambda: fit(lambda: ours(NumpyMLPClassifier, *ours_args, solver="adam")),
        SKLEARN: lambda: fit(
            lambda: sklearn_mlp(*sk_args, shuffle=shuffle, solver="adam")
        ),
    }
    if torch is not None:
        cands[TORCH] = lambda: fit(
            lambda: ours(TorchMLPClassifier, *ours_args, solver="adam")
        )
    cands.update(floor_candidates(steps))
    times = interleaved(cands, cfg["repeats"] if which == "f" else cfg["b_repeats"])
    floor = split_floor(times)
    for name, t in times.items():
        rows.append(dict(case=case, impl=name, seconds=t / epochs, kind="epoch"))
    rows.append(dict(case=case, impl=FLOOR, seconds=floor / epochs, kind="epoch"))
    return [
        f"({which}) Adam with lr={LR_ADAM}, beta_1=0.9, beta_2=0.999, epsilon=1e-8 "
        "in every implementation."
    ]


def case_b(cfg, rows):
    n, epochs = cfg["b_rows"], cfg["b_epochs"]
    X, y = synthetic(n)
    batch = 256
    args = ((64, 64), "relu", LR_B, batch, epochs)
    models = {}

    def fit(name, make, X=X, epochs=epochs):
        t, est = timed_fit(make, X, y, epochs)
        models[name] = est
        return t / epochs

    cands = {
        NUMPY: lambda: fit(NUMPY, lambda: ours(NumpyMLPClassifier, *args)),
        SKLEARN: lambda: fit(SKLEARN, lambda: sklearn_mlp(*args)),
    }
    if torch is not None:
        cands[TORCH] = lambda: fit(TORCH, lambda: ours(TorchMLPClassifier, *args))
    if skorch is not None:
        sk_epochs = cfg["b_skorch_epochs"]
        cands[SKORCH] = lambda: fit(
            SKORCH,
            lambda: skorch_net(20, (64, 64), "relu", LR_B, batch, sk_epochs, True),
            epochs=sk_epochs,
        )
    cands.update(floor_candidates(epoch_steps([20, 64, 64, 1], n, batch, np.float32)))
    times = interleaved(cands, cfg["b_repeats"])
    floor = split_floor(times)
    case = f"(b) {n:,}x20 float32, (64, 64) relu, batch {batch}, {epochs} epochs"
    for name, t in times.items():
        rows.append(dict(case=case, impl=name, seconds=t, kind="epoch"))
    rows.append(dict(case=case, impl=FLOOR, seconds=floor, kind="epoch"))
    notes = ["(b) data: standard normal float32 features, labels from a fixed rule."]
    if skorch is not None:
        notes.append(f"(b) skorch runs {cfg['b_skorch_epochs']} epoch(s) per repeat.")
    return models, notes


def case_c(cfg, rows):
    X, y, source = lab_data()
    epochs = cfg["c_epochs"]

    def search(est, grid):
        pipe = Pipeline([("scale", StandardScaler()), ("est", est)])
        gs = GridSearchCV(pipe, grid, cv=5, n_jobs=2, error_score="raise")
        start = time.perf_counter()
        gs.fit(X, y)
        return time.perf_counter() - start

    ours_grid = {"est__hidden": list(GRID_HIDDEN), "est__lr": list(GRID_LR)}
    sk_grid = {
        "est__hidden_layer_sizes": [(h,) for h in GRID_HIDDEN],
        "est__learning_rate_init": list(GRID_LR),
    }
    n = X.shape[0] * 4 // 5
    cands = {
        NUMPY: lambda: search(
            ours(NumpyMLPClassifier, 3, "logistic", 0.1, None, epochs), ours_grid
        ),
        SKLEARN: lambda: search(
            sklearn_mlp((3,), "logistic", 0.1, n, epochs, shuffle=False), sk_grid
        ),
    }
    if torch is not None:
        cands[TORCH] = lambda: search(
            ours(TorchMLPClassifier, 3, "logistic", 0.1, None, epochs), ours_grid
        )
    times = interleaved(cands, cfg["c_repeats"])
    fits = len(GRID_HIDDEN) * len(GRID_LR) * 5 + 1
    case = f"(c) GridSearchCV, {fits} fits x {epochs} epochs, n_jobs=2"
    for name, t in times.items():
        rows.append(dict(case=case, impl=name, seconds=t, kind="grid"))
    return [
        f"(c) data: {source}; StandardScaler in the pipeline; full batch; after "
        "one untimed warm-up search per estimator (worker start-up and imports "
        "excluded); joblib's loky workers get one BLAS/OpenMP thread each."
    ]


def _search_seconds(search_class, pipe, grid, X, y, **kwargs):
    from sklearn.model_selection import StratifiedKFold

    cv = StratifiedKFold(5, shuffle=True, random_state=0)
    search = search_class(pipe, grid, cv=cv, error_score=np.nan, **kwargs)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search.fit(X, y)
    return time.perf_counter() - start, search


def case_batched(cfg, rows, which):
    """(h), (i): BatchedGridSearchCV against GridSearchCV, one by one."""
    from sklearn.datasets import load_breast_cancer

    from sklearn_mlplab.model_selection import BatchedGridSearchCV

    if which == "h":
        X, y, source = lab_data()
        epochs, batch, hiddens, lrs = cfg["h_epochs"], None, GRID_HIDDEN, GRID_LR
        case = f"(h) lab grid, 60 fits x {epochs} full-batch epochs"
    else:
        X, y = load_breast_cancer(return_X_y=True)
        source = "breast cancer (569 x 30)"
        epochs, batch, hiddens, lrs = (
            cfg["i_epochs"],
            32,
            (8, 16, 32),
            (0.1, 0.03, 0.01),
        )
        case = f"(i) breast cancer, 45 fits x {epochs} epochs, batch 32"
    grid = {"est__hidden": list(hiddens), "est__lr": list(lrs)}
    sk_grid = {
        "est__hidden_layer_sizes": [(h,) for h in hiddens],
        "est__learning_rate_init": list(lrs),
    }
    n = X.shape[0] * 4 // 5

    def pipe(est):
        return Pipeline([("scale", StandardScaler()), ("est", est)])

    classes = {"numpy": NumpyMLPClassifier}
    if torch is not None:
        classes["torch"] = TorchMLPClassifier
    cands, results = {}, {}
    for name, cls in classes.items():
        est = pipe(
            ours(cls, 3, "logistic", 0.1, batch, epochs, shuffle=batch is not None)
        )
        cands[BATCHED.format(name)] = lambda e=est, k=name: _record(
            results, k, *_search_seconds(BatchedGridSearchCV, e, grid, X, y)
        )
        for jobs in (1, 2):
            cands[PLAIN.format(name, jobs)] = lambda e=est, j=jobs, k=name: _record(
                results,
                f"{k} plain",
                *_search_seconds(GridSearchCV, e, grid, X, y, n_jobs=j),
            )
    sk = pipe(
        sklearn_mlp(
            (3,), "logistic", 0.1, batch or n, epochs, shuffle=batch is not None
        )
    )
    cands[SK_GRID] = lambda: _search_seconds(GridSearchCV, sk, sk_grid, X, y)[0]
    times = interleaved(cands, cfg["hi_repeats"])
    for name, t in times.items():
        rows.append(dict(case=case, impl=name, seconds=t, kind="grid"))
    same = all(
        np.allclose(
            results[k].cv_results_["mean_test_score"],
            results[f"{k} plain"].cv_results_["mean_test_score"],
            rtol=0,
            atol=1e-9,
            equal_nan=True,
        )
        and results[k].best_params_ == results[f"{k} plain"].best_params_
        for k in classes
    )
    return [
        f"({which}) data: {source}; StandardScaler in the pipeline; classic momentum "
        f"0.9; BatchedGridSearchCV's ``mean_test_score`` and ``best_params_`` "
        f"{'equal' if same else 'DIFFER FROM'} GridSearchCV's (to 1e-9)."
    ]


def case_j(cfg, rows):
    """(j): one regression network, ours against MLPRegressor, per epoch."""
    from sklearn.datasets import make_friedman1

    n, epochs = cfg["j_rows"], cfg["j_epochs"]
    X, y = make_friedman1(n, noise=1.0, random_state=0)
    X = StandardScaler().fit_transform(X)
    y = (y - y.mean()) / y.std()
    common = dict(batch_size=200, max_iter=epochs, tol=0.0, n_iter_no_change=epochs)
    common.update(shuffle=True, random_state=0)

    def fit(make):
        return timed_fit(make, X, y, epochs)[0]

    cands = {
        SK_REGRESSOR: lambda: fit(
            lambda: MLPRegressor(
                hidden_layer_sizes=(64,),
                activation="relu",
                solver="sgd",
                alpha=0.0,
                learning_rate_init=LR_B,
                momentum=MOMENTUM,
                nesterovs_momentum=False,
                **common,
            )
        )
    }
    for name, cls in REGRESSORS.items():
        if cls is TorchMLPRegressor and torch is None:
            continue
        cands[name] = lambda cls=cls: fit(
            lambda: cls(
                64,
                activation="relu",
                solver="sgd",
                lr=LR_B,
                momentum=MOMENTUM,
                momentum_type="classic",
                **common,
            )
        )
    times = interleaved(cands, cfg["j_repeats"])
    case = f"(j) regression, {n:,}x10, (64,) relu, batch 200, {epochs} epochs"
    for name, t in times.items():
        row = dict(case=case, impl=name, seconds=t / epochs, kind="epoch")
        if name != SK_REGRESSOR:
            row["vs_sklearn"] = t / times[SK_REGRESSOR]
        rows.append(row)
    return ["(j) the ratio column against MLPClassifier is against MLPRegressor here."]


def _record(results, key, seconds, search):
    results[key] = search
    return seconds


def case_d(cfg, rows, models):
    n = cfg["d_rows"]
    X, _ = synthetic(n, seed=1)
    repeats = cfg["d_repeats"]

    def predict(est):
        start = time.perf_counter()
        est.predict_proba(X)
        return time.perf_counter() - start

    cands = {
        k: (lambda est=models[k]: predict(est))
        for k in (NUMPY, TORCH, SKLEARN)
        if k in models
    }
    units = [20, 64, 64, 1]
    rng = np.random.default_rng(0)
    shapes = zip(units[:-1], units[1:], strict=True)
    Ws = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    for chunk in (n, 65536):
        chunk = min(chunk, n)
        outs = [np.empty((chunk, W.shape[1]), np.float32) for W in Ws]
        steps = []
        for start in range(0, n, chunk):
            a = X[start : start + chunk]
            m = a.shape[0]
            ops = []
            for W, out in zip(Ws, outs, strict=True):
                ops.append((a, W, out[:m]))
                a = out[:m]
            steps.append(ops)
        cands.update(floor_candidates(steps, f"{chunk} rows"))
    times = interleaved(cands, repeats)
    floor = split_floor(times)
    case = f"(d) predict_proba, {n:,}x20 float32, models of (b)"
    for name, t in times.items():
        rows.append(dict(case=case, impl=name, seconds=t, kind="predict", n=n))
    rows.append(dict(case=case, impl=FLOOR, seconds=floor, kind="predict", n=n))
    return [
        "(d) GEMM floor: the three forward products, whole or in 65,536-row chunks."
    ]


def rss_child(backend, n_rows):
    """Run in a fresh process: fit (b)'s network for one epoch, print peak RSS."""
    X, y = synthetic(n_rows)
    args = ((64, 64), "relu", LR_B, 256, 1)
    if backend == "numpy":
        est = ours(NumpyMLPClassifier, *args)
    elif backend == "torch":
        est = ours(TorchMLPClassifier, *args)
    else:
        est = sklearn_mlp(*args)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)
    print(json.dumps({"peak": peak_rss(), "data": X.nbytes}))


def peak_rss():
    """This process's peak resident set size, in bytes.

    On Linux, VmHWM of /proc/self/status: ``getrusage``'s ``ru_maxrss`` carries
    the parent's high-water mark over a fork and exec, so a child of this big
    benchmark process would report the parent's peak. Elsewhere ru_maxrss.
    """
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    scale = 1 if sys.platform == "darwin" else 1024  # bytes on macOS, else KiB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale


def case_e(cfg, rows):
    n = cfg["e_rows"]
    backends = {"numpy": NUMPY, "sklearn": SKLEARN}
    if torch is not None:
        backends["torch"] = TORCH
    case = f"(e) peak RSS, (b) on {n:,} rows, 1 epoch, fresh process"
    data = None
    for backend, name in backends.items():
        out = subprocess.run(
            [sys.executable, __file__, "--rss-child", backend, str(n)],
            check=True,
            capture_output=True,
            text=True,
        )
        result = json.loads(out.stdout.strip().splitlines()[-1])
        data = result["data"]
        rows.append(dict(case=case, impl=name, bytes=result["peak"], kind="memory"))
    budget = 2 * data + 300 * MIB
    rows.append(
        dict(case=case, impl="budget: 2 x data + 300 MiB", bytes=budget, kind="memory")
    )
    return [f"(e) float32 training data: {data / MIB:.1f} MiB."]


# ---------------------------------------------------------------- report
def fmt_time(s):
    if s < 1e-3:
        return f"{s * 1e6:.1f} us"
    if s < 1.0:
        return f"{s * 1e3:.2f} ms"
    return f"{s:.2f} s"


def value_text(row):
    kind = row["kind"]
    if kind == "epoch":
        return fmt_time(row["seconds"]) + " /epoch"
    if kind == "grid":
        return fmt_time(row["seconds"]) + " /search"
    if kind == "predict":
        rate = row["n"] / row["seconds"] / 1e6
        return f"{fmt_time(row['seconds'])} ({rate:.1f} M rows/s)"
    return f"{row['bytes'] / MIB:.0f} MiB"


def ratio_columns(rows):
    """Add ratio columns to our rows: our time over each peer's."""
    by_case = {}
    for row in rows:
        by_case.setdefault(row["case"], {})[row["impl"]] = row
    for case_rows in by_case.values():
        for row in case_rows.values():
            key = "bytes" if row["kind"] == "memory" else "seconds"
            for col, peer in (
                ("vs_sklearn", SKLEARN),
                ("vs_skorch", SKORCH),
                ("vs_loop", LOOP),
                ("vs_loop1", LOOP_1),
                ("vs_floor", FLOOR),
            ):
                if row["impl"] in OURS and peer in case_rows:
                    row[col] = row[key] / case_rows[peer][key]
            if row["impl"] in (SKLEARN, SKORCH) and FLOOR in case_rows:
                row["vs_floor"] = row[key] / case_rows[FLOOR][key]
    return by_case


COLUMNS = [
    ("Case", None),
    ("Implementation", None),
    ("Time (median) / memory", None),
    ("/ MLPClassifier", "vs_sklearn"),
    ("/ skorch", "vs_skorch"),
    ("/ torch loop (default threads, 1 thread)", "vs_loop"),
    ("/ GEMM floor", "vs_floor"),
]


def table_cells(rows):
    cells = []
    for row in rows:
        line = [row["case"], row["impl"], value_text(row)]
        for _, key in COLUMNS[3:]:
            if key not in row:
                line.append("")
            elif key == "vs_loop":
                line.append(
                    f"{row['vs_loop']:.2f}x, {row.get('vs_loop1', np.nan):.2f}x"
                )
            else:
                line.append(f"{row[key]:.2f}x")
        cells.append(line)
    return cells


def targets(by_case):
    """(target, measured, met) for each of the issue's targets that was run."""
    out = []

    def get(prefix, impl, key):
        for case, case_rows in by_case.items():
            if case.startswith(prefix) and impl in case_rows:
                return case_rows[impl].get(key)
        return None

    def add(text, value, limit, fmt="{:.2f}x", greater=False):
        if value is None:
            return
        met = value >= limit if greater else value <= limit
        out.append((text, fmt.format(value), "met" if met else "NOT met"))

    add("numpy <= 0.5x MLPClassifier in (a)", get("(a)", NUMPY, "vs_sklearn"), 0.5)
    add("numpy <= 0.5x MLPClassifier in (b)", get("(b)", NUMPY, "vs_sklearn"), 0.5)
    add("numpy <= 3x GEMM floor in (b)", get("(b)", NUMPY, "vs_floor"), 3.0)
    add(
        "numpy <= 0.5x MLPClassifier (Adam) in (f)",
        get("(f)", NUMPY, "vs_sklearn"),
        0.5,
    )
    add(
        "numpy <= 0.5x MLPClassifier (Adam) in (g)",
        get("(g)", NUMPY, "vs_sklearn"),
        0.5,
    )
    add("numpy <= 3x GEMM floor in (g)", get("(g)", NUMPY, "vs_floor"), 3.0)
    add("torch <= 0.05x skorch in (a)", get("(a)", TORCH, "vs_skorch"), 0.05)
    add("torch <= 0.35x skorch in (b)", get("(b)", TORCH, "vs_skorch"), 0.35)
    add("torch <= 1x minimal torch loop in (a)", get("(a)", TORCH, "vs_loop"), 1.0)
    add(
        "torch <= 1x minimal torch loop on 1 thread in (a)",
        get("(a)", TORCH, "vs_loop1"),
        1.0,
    )
    add("numpy <= 1x MLPClassifier in (c)", get("(c)", NUMPY, "vs_sklearn"), 1.0)
    add("torch <= 1x MLPClassifier in (c)", get("(c)", TORCH, "vs_sklearn"), 1.0)
    for prefix, limit in (("(h)", 0.1), ("(i)", 0.5)):
        for name in ("numpy", "torch"):
            batched = get(prefix, BATCHED.format(name), "seconds")
            plain = get(prefix, PLAIN.format(name, 1), "seconds")
            add(
                f"BatchedGridSearchCV {name} <= {limit}x GridSearchCV n_jobs=1 in "
                f"{prefix}",
                None if batched is None or plain is None else batched / plain,
                limit,
            )
    add(
        "numpy <= 0.5x MLPRegressor in (j)",
        get("(j)", "NumpyMLPRegressor", "vs_sklearn"),
        0.5,
    )
    for impl in OURS:
        floor = get("(d)", impl, "vs_floor")
        add(
            f"{impl.split('MLP')[0].lower()} >= 50% of GEMM floor throughput in (d)",
            None if floor is None else 100.0 / floor,
            50.0,
            "{:.0f}%",
            greater=True,
        )
    for case, case_rows in by_case.items():
        if case.startswith("(e)"):
            budget = case_rows["budget: 2 x data + 300 MiB"]["bytes"]
            for impl in OURS:
                if impl in case_rows:
                    add(
                        f"{impl.split('MLP')[0].lower()} peak RSS <= 2 x data + 300 MiB"
                        " in (e)",
                        case_rows[impl]["bytes"] / MIB,
                        budget / MIB,
                        "{:.0f} MiB",
                    )
    return out


def text_table(header, cells):
    widths = [max(len(str(r[i])) for r in [header, *cells]) for i in range(len(header))]
    sep = "  ".join("-" * w for w in widths)
    lines = [
        sep,
        "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)),
        sep,
    ]
    for r in cells:
        lines.append("  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)))
    lines.append(sep)
    return "\n".join(lines)


def rst_list_table(header, cells, widths=None):
    lines = [".. list-table::", "   :header-rows: 1"]
    if widths:
        lines.append("   :widths: " + " ".join(map(str, widths)))
    lines.append("")
    for row in [header, *cells]:
        for i, cell in enumerate(row):
            text = str(cell).replace("*", "\\*") if cell != "" else ""
            if text.startswith("("):
                text = "\\" + text  # "(a) ..." would otherwise start a list
            lines.append(("   * - " if i == 0 else "     - ") + text)
    return "\n".join(lines)


def machine():
    cpu = platform.processor() or "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    blas = [
        f"{i['internal_api']} {i.get('version')} ({i.get('architecture')}, "
        f"{i['num_threads']} threads)"
        for i in threadpool_info()
        if i["user_api"] == "blas"
    ]
    versions = [
        f"Python {platform.python_version()}",
        f"numpy {np.__version__}",
        f"scipy {scipy.__version__}",
        f"scikit-learn {sklearn.__version__}",
        f"sklearn-mlplab {sklearn_mlplab.__version__}",
    ]
    if torch is not None:
        versions.append(
            f"torch {torch.__version__} ({torch.get_num_threads()} threads)"
        )
    if skorch is not None:
        versions.append(f"skorch {skorch.__version__}")
    env = [
        f"{k}={os.environ[k]}"
        for k in (
            "OMP_NUM_THREADS",
            "OPENBLAS_NUM_THREADS",
            "MKL_NUM_THREADS",
            "OPENBLAS_CORETYPE",
            "OPENBLAS_L2_SIZE",
        )
        if k in os.environ
    ]
    return {
        "CPU": f"{cpu}, {os.cpu_count()} logical cores ({usable} usable)",
        "OS": platform.platform(),
        "BLAS": "; ".join(blas) or "unknown",
        "Versions": ", ".join(versions),
        "Thread variables": ", ".join(env) or "none set",
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small smoke run")
    parser.add_argument("--write-docs", metavar="PATH", help="write the table as reST")
    parser.add_argument("--cases", default="abcdefghij", help="subset to run, e.g. ab")
    parser.add_argument("--rss-child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.rss_child:
        rss_child(args.rss_child[0], int(args.rss_child[1]))
        return
    import_optional()
    cfg = QUICK if args.quick else FULL
    warnings.simplefilter("ignore", ConvergenceWarning)
    info = machine()
    load_before = os.getloadavg()
    rows, notes, models = [], [], {}
    if args.quick:
        notes.append("--quick: smoke-run sizes; the target statuses mean nothing here.")
    started = time.perf_counter()
    for case in args.cases:
        print(f"running case ({case}) ...", file=sys.stderr, flush=True)
        if case == "a":
            notes += case_a(cfg, rows)
        elif case == "b":
            models, more = case_b(cfg, rows)
            notes += more
        elif case == "c":
            notes += case_c(cfg, rows)
        elif case == "d":
            if not models:
                models, _ = case_b(cfg, [])
            notes += case_d(cfg, rows, models)
        elif case == "e":
            notes += case_e(cfg, rows)
        elif case in "fg":
            notes += case_adam(cfg, rows, case)
        elif case in "hi":
            notes += case_batched(cfg, rows, case)
        elif case == "j":
            notes += case_j(cfg, rows)
    load_after = os.getloadavg()
    info["Load average (1 min)"] = (
        f"{load_before[0]:.2f} at start, {load_after[0]:.2f} at end"
    )
    info["Run"] = (
        f"{'--quick' if args.quick else 'full'}, {time.perf_counter() - started:.0f} s,"
        f" {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"
    )
    by_case = ratio_columns(rows)
    header = [c for c, _ in COLUMNS]
    cells = table_cells(rows)
    goals = targets(by_case)

    print()
    for k, v in info.items():
        print(f"{k}: {v}")
    print()
    print(text_table(header, cells))
    for note in notes:
        print("  " + note)
    print()
    print(text_table(["Target", "Measured", "Status"], goals))

    if args.write_docs:
        parts = [
            ".. This file is written by benchmarks/bench.py --write-docs; do not edit.",
            "",
            ".. rubric:: Machine",
            "",
            *[f"- **{k}**: {v}" for k, v in info.items()],
            "",
            ".. rubric:: Results",
            "",
            "Ratios divide our time (or memory) by the peer's, measured in the "
            "same run: below 1 is faster (or smaller).",
            "",
            rst_list_table(header, cells, widths=[22, 16, 16, 9, 8, 12, 8]),
            "",
            *[f"- {note}" for note in notes],
            "",
            ".. rubric:: Targets",
            "",
            rst_list_table(["Target", "Measured", "Status"], goals),
            "",
        ]
        with open(args.write_docs, "w", encoding="utf-8") as f:
            f.write("\n".join(parts))
        print(f"\nwrote {args.write_docs}", file=sys.stderr)


if __name__ == "__main__":
    main()
