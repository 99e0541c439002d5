"""Scale-out: a grid search runs on a dask.distributed cluster, through
joblib's Dask backend, and finds exactly what the local run finds.

The module starts a LocalCluster of two worker processes (one thread each)
and stops it at the end.
"""

import logging
import time

import joblib
import numpy as np
import pytest
from dask.distributed import Client, LocalCluster, get_task_stream
from numpy.testing import assert_array_equal
from sklearn.datasets import make_moons
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_mlplab import NumpyMLPClassifier, TorchMLPClassifier
from sklearn_mlplab.cli import main

pytestmark = pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning",
    # distributed warns about ports and worker memory on busy CI machines.
    "ignore::UserWarning:distributed",
)


@pytest.fixture(scope="module")
def client():
    with (
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


def _search(Est):
    X, y = make_moons(n_samples=240, noise=0.25, random_state=0)
    pipe = make_pipeline(StandardScaler(), Est(max_iter=30, random_state=0))
    name = pipe.steps[-1][0]
    grid = {f"{name}__hidden": [2, 6], f"{name}__lr": [0.5, 0.05]}
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    return GridSearchCV(pipe, grid, cv=cv), X, y


@pytest.mark.parametrize(
    "Est", [NumpyMLPClassifier, TorchMLPClassifier], ids=lambda c: c.__name__
)
def test_grid_search_on_dask_matches_the_local_run(client, Est, capsys):
    local, X, y = _search(Est)
    start = time.perf_counter()
    local.fit(X, y)
    local_s = time.perf_counter() - start

    remote, _, _ = _search(Est)
    start = time.perf_counter()
    with get_task_stream(client) as tasks, joblib.parallel_backend("dask"):
        remote.fit(X, y)
    remote_s = time.perf_counter() - start

    # The fits ran as tasks on the cluster's workers, not in this process.
    workers = set(client.scheduler_info()["workers"])
    ran_on = {task["worker"] for task in tasks.data}
    assert ran_on and ran_on <= workers

    assert remote.best_params_ == local.best_params_
    for key in local.cv_results_:
        if "test_score" in key:
            assert_array_equal(remote.cv_results_[key], local.cv_results_[key])
    assert_array_equal(remote.predict_proba(X), local.predict_proba(X))
    with capsys.disabled():
        print(
            f"\n{Est.__name__}: best {remote.best_params_}, "
            f"mean_test_score {np.round(remote.cv_results_['mean_test_score'], 4)}; "
            f"local {local_s:.1f} s, dask ({len(ran_on)} workers, "
            f"{len(tasks.data)} tasks) {remote_s:.1f} s"
        )


def test_mlplab_lab_runs_its_searches_on_the_cluster(client, tmp_path):
    address = client.scheduler.address
    out = tmp_path / "report"
    with get_task_stream(client) as tasks:
        status = main(
            [
                "lab",
                "--quick",
                "--quiet",
                "--out",
                str(out),
                "--dask-scheduler",
                address,
            ]
        )
    assert status == 0
    assert tasks.data, "no task reached the cluster"
    assert {t["worker"] for t in tasks.data} <= set(client.scheduler_info()["workers"])
    report = (out / "report.md").read_text()
    assert f"on the dask scheduler {address}" in report
    assert (out / "report.html").exists()


def test_mlplab_lab_refuses_an_unreachable_scheduler(tmp_path, capsys):
    # Nothing listens on port 1; the command says so instead of running locally.
    status = main(
        [
            "lab",
            "--quick",
            "--quiet",
            "--out",
            str(tmp_path / "r"),
            "--dask-scheduler",
            "tcp://127.0.0.1:1",
        ]
    )
    assert status == 2
    assert "cannot connect to the dask scheduler" in capsys.readouterr().err
