"""The lab's settings: one source of truth for ``mlplab lab`` and the examples.

Every number that shapes an experiment (network size, learning rates,
epochs, the grids) lives in :class:`LabConfig`; :func:`make_network` turns
a config into the pipeline the experiments train.
"""

from dataclasses import dataclass, replace

BACKENDS = ("numpy", "torch")


@dataclass(frozen=True)
class LabConfig:
    """Every setting of the study.

    Parameters
    ----------
    hidden : int
        Hidden units of the lab's network (2-3-1 on the lab data).
    lr, momentum : float
        Learning rate and (dampened) momentum of the main runs.
    epochs : int
        Full-batch epochs of the main runs (loss functions, accuracy).
    momentum_lr : float
        Learning rate of the momentum sweep, the lab's 0.001.
    momentum_epochs : int
        Epochs of each run of the momentum sweep.
    betas : tuple of float
        Momentum rates of the sweep; 0 is plain gradient descent.
    momentum_types : tuple of str
        Momentum rules compared; ``"dampened"`` is the lab's.
    hidden_grid, lr_grid : tuple
        The hidden x lr grid of the search, the lab's values.
    search_epochs : int
        Epochs of each fit of the search.
    cv : int
        Folds of the search's stratified cross-validation.
    test_size : float
        Share of a user's CSV held out for testing when no test file is given.
    smoke : bool
        A smoke run (``--quick``): runs too short to support conclusions.

    See Also
    --------
    make_network : The network a config describes.

    Examples
    --------
    A shorter study is the full one with fewer epochs:

    >>> from dataclasses import replace
    >>> from sklearn_mlplab.lab import FULL, QUICK
    >>> short = replace(FULL, momentum_epochs=2000)
    >>> short.momentum_epochs, short.momentum_lr
    (2000, 0.001)
    >>> QUICK.smoke, QUICK.epochs
    (True, 200)
    """

    hidden: int = 3
    lr: float = 0.5
    momentum: float = 0.9
    epochs: int = 2000
    momentum_lr: float = 0.001
    momentum_epochs: int = 5000
    betas: tuple = (0.0, 0.5, 0.9, 0.99)
    momentum_types: tuple = ("dampened", "classic", "nesterov")
    hidden_grid: tuple = (3, 6, 11)
    lr_grid: tuple = (0.5, 0.1, 0.01, 0.005)
    search_epochs: int = 1000
    cv: int = 5
    test_size: float = 0.3
    smoke: bool = False


#: The study ``mlplab lab`` runs: the original lab's settings.
FULL = LabConfig()
#: The smoke run of ``mlplab lab --quick``: every step, far too short for
#: conclusions.
QUICK = replace(
    FULL, epochs=200, momentum_epochs=150, search_epochs=40, cv=3, smoke=True
)


def make_network(config, backend="numpy", seed=0, **params):
    """The lab's network in a z-scoring pipeline, trained full batch.

    Runs are of fixed length (``tol=0`` and a patience as long as the run),
    so that curves of different settings cover the same epochs.

    Parameters
    ----------
    config : LabConfig
        Supplies ``hidden``, ``lr``, ``momentum`` and ``epochs``.
    backend : {"numpy", "torch"}, default="numpy"
        Which estimator to train.
    seed : int, default=0
        ``random_state`` of the network.
    **params
        Any other estimator parameter, overriding the config's.

    Returns
    -------
    pipeline : Pipeline
        ``StandardScaler`` followed by the network, unfitted.

    Examples
    --------
    >>> from sklearn_mlplab.lab import FULL, make_network
    >>> make_network(FULL, max_iter=10)[-1].get_params()["n_iter_no_change"]
    10
    """
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from .._numpy_mlp import NumpyMLPClassifier
    from .._torch_mlp import TorchMLPClassifier

    cls = {"numpy": NumpyMLPClassifier, "torch": TorchMLPClassifier}[backend]
    settings = dict(
        hidden=config.hidden,
        activation="logistic",
        loss="log_loss",
        lr=config.lr,
        momentum=config.momentum,
        momentum_type="dampened",
        batch_size=None,
        max_iter=config.epochs,
        tol=0.0,
        random_state=seed,
    )
    settings.update(params)
    settings["n_iter_no_change"] = settings["max_iter"]
    return make_pipeline(StandardScaler(), cls(**settings))
