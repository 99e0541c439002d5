"""The update rules, one small object each, shared by both backends.

Each optimizer keeps its state (a velocity, or Adam's two moments and its
step count) as flat vectors shaped like the flat parameter vector, and moves
the parameters with ``update(params, grad)``, where ``grad`` is the gradient
of the batch's objective. ``lr`` is an attribute, which the learning-rate
schedule sets before each epoch. The updates use only arithmetic operators
(``*=``, ``+=``, ``**``, ``/``), so the very same code runs on numpy arrays
and on torch tensors; :meth:`on` gives a copy whose state lives elsewhere
(on a GPU, say).

:class:`SGD`, with learning rate ``lr`` (eta), momentum ``momentum`` (beta),
gradient g and v_0 = 0:

* ``"dampened"`` (the lab's rule): v <- beta v + (1 - beta) eta g,
  w <- w - v. Its steady-state step under a constant gradient is eta g.
* ``"classic"`` (heavy ball): v <- beta v + eta g, w <- w - v. Its
  steady-state step is eta g / (1 - beta).
* ``"nesterov"``: v <- beta v + eta g, w <- w - (beta v + eta g), the
  look-ahead form that scikit-learn's ``SGDOptimizer`` uses.

:class:`Adam` (Kingma & Ba, 2015, in the form of their section 2 that
scikit-learn also uses), with t counting the steps from 1:

    m <- beta_1 m + (1 - beta_1) g
    s <- beta_2 s + (1 - beta_2) g**2
    w <- w - eta_t m / (sqrt(s) + epsilon)
    eta_t = eta sqrt(1 - beta_2**t) / (1 - beta_1**t)

Both backends save a pass per step by back-propagating the gradient already
multiplied by :attr:`gradient_scale` (the factor with which it enters the
state) and calling :meth:`update_scaled`; :meth:`update` is the rule from
the raw gradient. The module-level functions are SGD's rule in pieces, for
the torch backend, whose autograd adds the scaled gradient straight into the
velocity and then calls :func:`apply_step`.
"""

import copy
from functools import partial

import numpy as np


def gradient_scale(momentum_type, lr, momentum):
    """The factor s with which SGD's gradient enters the velocity."""
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


class _Optimizer:
    """State vectors plus one update; see the module docstring."""

    _state = ()  # the names of the state vectors
    _counters = ()  # ... and of the scalar state (not lr: the schedule's)

    def on(self, convert):
        """A copy whose state vectors are ``convert(vector)`` (e.g. tensors;
        sharing memory where ``convert`` does)."""
        twin = copy.copy(self)
        for name in self._state:
            setattr(twin, name, convert(getattr(self, name)))
        return twin

    def load_state(self, other, to_numpy):
        """Copy the state of ``other``, made by :meth:`on`, into this one."""
        for name in self._state:
            getattr(self, name)[...] = to_numpy(getattr(other, name))
        for name in self._counters:
            setattr(self, name, getattr(other, name))

    def update(self, params, grad):
        """One step from the raw gradient ``grad``, which is overwritten."""
        grad *= self.gradient_scale
        self.update_scaled(params, grad)


class SGD(_Optimizer):
    """Gradient descent with momentum: ``"dampened"``, ``"classic"`` or
    ``"nesterov"`` (formulas in the module docstring)."""

    _state = ("velocity",)

    def __init__(self, params, lr, momentum, momentum_type):
        # ``params``: the flat numpy parameter vector, for the state's shape.
        self.lr, self.momentum, self.momentum_type = lr, momentum, momentum_type
        self.velocity = np.zeros_like(params)

    @property
    def gradient_scale(self):
        return gradient_scale(self.momentum_type, self.lr, self.momentum)

    def update_scaled(self, params, scaled_grad):
        """One step from ``gradient_scale`` times the gradient (overwritten)."""
        scaled_update(
            self.momentum_type, params, self.velocity, scaled_grad, self.momentum
        )


class Adam(_Optimizer):
    """Adam with bias correction (formulas in the module docstring)."""

    _state = ("m", "s")
    _counters = ("t",)
    gradient_scale = 1.0

    def __init__(self, params, lr, beta_1, beta_2, epsilon):
        self.lr, self.beta_1, self.beta_2, self.epsilon = lr, beta_1, beta_2, epsilon
        self.m = np.zeros_like(params)
        self.s = np.zeros_like(params)
        self.t = 0

    def update_scaled(self, params, grad):
        """One step from the raw gradient (the scale is 1), overwritten."""
        self.t += 1
        b1, b2 = self.beta_1, self.beta_2
        self.m *= b1
        self.m += (1.0 - b1) * grad
        grad *= grad
        grad *= 1.0 - b2
        self.s *= b2
        self.s += grad
        lr_t = self.lr * (1.0 - b2**self.t) ** 0.5 / (1.0 - b1**self.t)
        denominator = self.s**0.5
        denominator += self.epsilon
        step = self.m / denominator
        step *= lr_t
        params -= step
