"""Momentum update rules, shared by the numpy and the torch backends.

With learning rate ``lr`` (eta), momentum ``momentum`` (beta), gradient g
and v_0 = 0:

* ``"dampened"`` (the lab's rule): v <- beta v + (1 - beta) eta g,
  w <- w - v. Its steady-state step under a constant gradient is eta g.
* ``"classic"`` (heavy ball): v <- beta v + eta g, w <- w - v. Its
  steady-state step is eta g / (1 - beta).
* ``"nesterov"``: v <- beta v + eta g, w <- w - (beta v + eta g), the
  look-ahead form that scikit-learn's ``SGDOptimizer`` uses.

Every rule is the same three moves: the gradient enters the velocity scaled
by :func:`gradient_scale` (s), after the velocity decays by beta; then
:func:`apply_step` moves the weights. The moves use only in-place arithmetic
operators, so the very same functions run on numpy arrays and on torch
tensors. The numpy backend back-propagates s times the gradient and calls
:func:`scaled_update`; the torch backend lets autograd add s g straight into
the velocity (``"dampened"``, ``"classic"``) or into a zeroed buffer
(``"nesterov"``) and then calls :func:`apply_step`. :func:`update` is the
whole rule from a raw gradient.
"""

from functools import partial


def gradient_scale(momentum_type, lr, momentum):
    """The factor s with which the gradient enters the velocity."""
    return (1.0 - momentum) * lr if momentum_type == "dampened" else lr


def needs_scaled_gradient(momentum_type):
    """Whether :func:`apply_step` reads s g apart from the velocity."""
    return momentum_type == "nesterov"


def apply_step(momentum_type, params, velocity, scaled_grad, momentum):
    """Move the weights, ``velocity`` already holding beta v + s g.

    ``scaled_grad`` (s g) is read by Nesterov's rule only, and overwritten.
    """
    if momentum_type == "nesterov":
        params -= scaled_grad
        scaled_grad[...] = velocity
        scaled_grad *= momentum
        params -= scaled_grad
    else:
        params -= velocity


def scaled_update(momentum_type, params, velocity, scaled_grad, momentum):
    """One whole step from the gradient already scaled by s; it is overwritten."""
    velocity *= momentum
    velocity += scaled_grad
    apply_step(momentum_type, params, velocity, scaled_grad, momentum)


def update(momentum_type, params, velocity, grad, lr, momentum):
    """One whole step from the raw gradient; ``grad`` is overwritten."""
    grad *= gradient_scale(momentum_type, lr, momentum)
    scaled_update(momentum_type, params, velocity, grad, momentum)


MOMENTUM_UPDATES = {
    name: partial(update, name) for name in ("dampened", "classic", "nesterov")
}
