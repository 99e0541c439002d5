"""The interface a backend implements: one engine per fit.

A backend is a subclass of :class:`Engine` plus an estimator class that
names it (``_engine = MyEngine``). The base class
(:class:`~sklearn_mlplab._base.BaseMLP`) does everything else --
validation, labels, batching and shuffling, stopping rules, saving the
weights of the best and the last good epochs, finiteness checks, rolling
back after a divergence, warm starts and ``partial_fit`` -- on the flat
numpy parameter vector ``est._params`` (layout: ``est._unpack``).

The base uses an engine as a context manager around one training run::

    with Engine(est, X, Y, sample_weight, batch_size, one_thread) as engine:
        engine.order(perm)                     # each epoch, when shuffling
        loss = engine.step(start, stop, weight_sum)   # each batch
        w = engine.get_weights()               # each epoch: save, check
        engine.set_weights(w)                  # roll back, restore the best

and, for prediction, the class methods :meth:`Engine.forward_logits` and
:meth:`Engine.prediction_threads`, which need no fit.
"""

import contextlib


class Engine:
    """One fit's computation. Subclasses override every method that raises.

    Parameters
    ----------
    est : BaseMLP
        The estimator being fitted. The engine reads its hyperparameters
        (``activation``, ``loss``, ``alpha``, ``out_activation_``), its
        weights ``_params`` (a flat numpy vector, the starting point) and
        its optimizer ``_optimizer`` (``_optim.py``, with the current
        ``lr``; None for L-BFGS), and never changes anything else.
    X : ndarray or CSR matrix of shape (n_samples, n_features)
        The training rows, validated, in the parameters' dtype.
    Y : ndarray of shape (n_samples, n_outputs)
        Targets: 0/1 for a classifier, the values for a regressor.
    sample_weight : ndarray of shape (n_samples,) or None
        Row weights.
    batch_size : int
        The largest batch ``step`` will get.
    one_thread : bool
        Compute on one thread: the base found the products too small to
        share out.
    """

    def __init__(self, est, X, Y, sample_weight, batch_size, one_thread=False):
        raise NotImplementedError

    def __enter__(self):
        """Start the run (e.g. set thread counts or autograd's mode)."""
        return self

    def __exit__(self, *exc_info):
        """End the run however it ends: write back into ``est._params`` and
        ``est._optimizer`` whatever does not live there already, and undo
        what ``__enter__`` changed."""
        return None

    def order(self, perm):
        """Visit the rows in the order ``perm`` from the next epoch on."""
        raise NotImplementedError

    def step(self, start, stop, weight_sum):
        """One update by ``est._optimizer`` on rows ``start:stop`` of the
        current order, whose weights add up to ``weight_sum``.

        Returns the batch's objective (weighted mean loss plus the penalty)
        times ``weight_sum``, as a float or a 0-d tensor: the base adds the
        epoch's values up before reading them.
        """
        raise NotImplementedError

    def loss_gradient(self, weight_sum):
        """The objective on every row (in the original order) at the current
        weights, and its gradient as a flat float64 numpy vector (L-BFGS)."""
        raise NotImplementedError

    def get_weights(self):
        """The current weights as a flat numpy vector (``est._params``
        itself where they live there; the base copies what it keeps)."""
        raise NotImplementedError

    def set_weights(self, weights):
        """Make the flat numpy vector ``weights`` the current weights."""
        raise NotImplementedError

    @classmethod
    def forward_logits(cls, est, X):
        """The output layer's pre-activations of the fitted ``est`` for
        validated ``X`` (a chunk of at most a few hundred thousand values)."""
        raise NotImplementedError

    @classmethod
    def prediction_threads(cls, est):
        """How to run prediction chunks in parallel: (threads, initializer,
        context). ``initializer`` runs in each worker thread, ``context``
        around the pool. This default runs the chunks one after another."""
        return 1, None, contextlib.nullcontext()
