"""Momentum update rules, shared by the numpy and the torch backends.

Each rule updates flat parameter and velocity vectors in place from a flat
gradient. They use only in-place arithmetic operators, so the very same
function runs on numpy arrays and on torch tensors: both backends take
bit-for-bit the same update. ``grad`` is scratch space and is overwritten.

With learning rate ``lr`` (eta), momentum ``momentum`` (beta), gradient g
and v_0 = 0:

* ``"dampened"`` (the lab's rule): v <- beta v + (1 - beta) eta g,
  w <- w - v. Its steady-state step under a constant gradient is eta g.
* ``"classic"`` (heavy ball): v <- beta v + eta g, w <- w - v. Its
  steady-state step is eta g / (1 - beta).
* ``"nesterov"``: v <- beta v + eta g, w <- w - (beta v + eta g), the
  look-ahead form that scikit-learn's ``SGDOptimizer`` uses.
"""


def dampened(params, velocity, grad, lr, momentum):
    """Exponential moving average of the scaled gradient: the lab's rule."""
    velocity *= momentum
    grad *= (1.0 - momentum) * lr
    velocity += grad
    params -= velocity


def classic(params, velocity, grad, lr, momentum):
    """Heavy-ball momentum."""
    velocity *= momentum
    grad *= lr
    velocity += grad
    params -= velocity


def nesterov(params, velocity, grad, lr, momentum):
    """Nesterov's accelerated gradient in scikit-learn's formulation."""
    velocity *= momentum
    grad *= lr
    velocity += grad
    params -= grad
    grad[...] = velocity
    grad *= momentum
    params -= grad


MOMENTUM_UPDATES = {"dampened": dampened, "classic": classic, "nesterov": nesterov}
