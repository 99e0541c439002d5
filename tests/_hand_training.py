"""A plain training loop to hold the estimators' training against.

Written out row block by row block with nothing shared with the package:
sigmoid hidden units, a sigmoid output, the mean cross-entropy of each batch
(weighted by ``sample_weight`` row by row), and the three momentum rules
as their formulas. The tests hand it the weights to start from and the order
of the rows in each epoch, and compare what it trains with the estimators.
"""

import numpy as np
from scipy.special import expit


def xavier_initial_weights(rng, units):
    """The documented initial weights: Xavier-normal draws, zero biases.

    Parameters
    ----------
    rng : numpy.random.RandomState
        The generator, fresh from ``random_state``; the draws advance it.

    units : list of int
        Units of every layer, input and output included.

    Returns
    -------
    coefs, intercepts : list of ndarray
        The weight matrices and the bias vectors.
    """
    pairs = list(zip(units[:-1], units[1:], strict=True))
    coefs = [rng.normal(0.0, np.sqrt(2.0 / (a + b)), (a, b)) for a, b in pairs]
    return coefs, [np.zeros(b) for _, b in pairs]


def shuffled_orders(rng, n, epochs):
    """Row order of each epoch when the rows are shuffled: a permutation each."""
    return [rng.permutation(n) for _ in range(epochs)]


def hand_fit(
    coefs,
    intercepts,
    X,
    y,
    orders,
    batch_size,
    lr,
    momentum,
    momentum_type="dampened",
    sample_weight=None,
    adam=None,
    lrs=None,
):
    """Train a binary sigmoid network by hand, from zero velocity.

    Parameters
    ----------
    coefs, intercepts : list of ndarray
        Weights to start from (copied, not changed).

    X : ndarray of shape (n_samples, n_features)
        Training data.

    y : ndarray of shape (n_samples,)
        0/1 targets.

    orders : list of ndarray
        The order of the rows in each epoch; epoch ``e`` steps through
        ``orders[e]`` in blocks of ``batch_size`` rows.

    batch_size : int
        Rows per step.

    lr, momentum : float
        Learning rate and momentum rate.

    momentum_type : {"dampened", "classic", "nesterov"}, default="dampened"
        The update rule.

    sample_weight : ndarray of shape (n_samples,), default=None
        Weight of each row; a batch whose weights add up to zero is skipped.

    adam : tuple of (beta_1, beta_2, epsilon), default=None
        Train with Adam instead of the momentum rule.

    lrs : list of float, default=None
        The learning rate of each epoch; None is ``lr`` throughout.

    Returns
    -------
    coefs, intercepts : list of ndarray
        The trained weights.

    losses : list of float
        Each epoch's loss: every batch's weighted mean loss (taken before
        its step) times its weight sum, added up and divided by the total
        weight.
    """
    params = [W.astype(float) for W in coefs] + [b.astype(float) for b in intercepts]
    velocity = [np.zeros_like(p) for p in params]
    second = [np.zeros_like(p) for p in params]  # Adam's second moments
    steps = 0
    n_layers = len(coefs)
    sw = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight)
    losses = []
    for epoch, order in enumerate(orders):
        lr = lr if lrs is None else lrs[epoch]
        total = 0.0
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            w = sw[rows]
            if not w.sum() > 0:
                continue
            Ws, bs = params[:n_layers], params[n_layers:]
            layer_inputs = [X[rows]]
            for W, b in zip(Ws[:-1], bs[:-1], strict=True):
                layer_inputs.append(expit(layer_inputs[-1] @ W + b))
            z = layer_inputs[-1] @ Ws[-1] + bs[-1]
            t = y[rows].astype(float)[:, None]
            per_row = (np.logaddexp(0.0, z) - t * z)[:, 0]
            total += per_row @ w
            delta = (expit(z) - t) * (w / w.sum())[:, None]
            grads_W, grads_b = [None] * n_layers, [None] * n_layers
            for i in range(n_layers - 1, -1, -1):
                a = layer_inputs[i]
                grads_W[i] = a.T @ delta
                grads_b[i] = delta.sum(axis=0)
                if i > 0:
                    delta = (delta @ Ws[i].T) * a * (1.0 - a)
            steps += 1
            for p, v, s, g in zip(
                params, velocity, second, grads_W + grads_b, strict=True
            ):
                if adam is not None:
                    beta_1, beta_2, eps = adam
                    v[...] = beta_1 * v + (1 - beta_1) * g
                    s[...] = beta_2 * s + (1 - beta_2) * g * g
                    m_hat = v / (1 - beta_1**steps)
                    s_hat = s / (1 - beta_2**steps)
                    # Kingma & Ba's epsilon-hat form: epsilon added to
                    # sqrt(s), before the bias correction of s.
                    eps_hat = eps / np.sqrt(1 - beta_2**steps)
                    p -= lr * m_hat / (np.sqrt(s_hat) + eps_hat)
                elif momentum_type == "dampened":
                    v[...] = momentum * v + (1.0 - momentum) * lr * g
                    p -= v
                elif momentum_type == "classic":
                    v[...] = momentum * v + lr * g
                    p -= v
                else:  # nesterov
                    v[...] = momentum * v + lr * g
                    p -= momentum * v + lr * g
        losses.append(total / sw.sum())
    return params[:n_layers], params[n_layers:], losses


def interrupt_on_call(monkeypatch, Est, n):
    """Make the backend's ``step`` raise KeyboardInterrupt on its n-th call."""
    original = Est._engine.step
    calls = {"n": 0}

    def step(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == n:
            raise KeyboardInterrupt
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Est._engine, "step", step)
    return calls
