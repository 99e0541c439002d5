"""Each momentum rule against its formula written out, and against peers."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.neural_network._stochastic_optimizers import SGDOptimizer

from sklearn_mlplab._optim import MOMENTUM_UPDATES

LR, BETA = 0.3, 0.8
RNG = np.random.RandomState(0)
W0 = RNG.normal(size=5)
GRADS = [RNG.normal(size=5) for _ in range(4)]


def _run(rule, w0=W0, grads=GRADS, lr=LR, beta=BETA):
    w, v = w0.copy(), np.zeros_like(w0)
    trajectory = []
    for g in grads:
        MOMENTUM_UPDATES[rule](w, v, g.copy(), lr, beta)
        trajectory.append(w.copy())
    return trajectory


def test_dampened_matches_the_lab_formula():
    # v_t = beta v_{t-1} + (1 - beta) alpha g_t, v_0 = 0, w_t = w_{t-1} - v_t
    w, v = W0.copy(), np.zeros(5)
    for g, got in zip(GRADS, _run("dampened"), strict=True):
        v = BETA * v + (1 - BETA) * LR * g
        w = w - v
        assert_allclose(got, w, rtol=1e-15, atol=1e-15)


def test_classic_matches_heavy_ball_formula():
    w, v = W0.copy(), np.zeros(5)
    for g, got in zip(GRADS, _run("classic"), strict=True):
        v = BETA * v + LR * g
        w = w - v
        assert_allclose(got, w, rtol=1e-15, atol=1e-15)


def test_nesterov_matches_look_ahead_formula():
    w, v = W0.copy(), np.zeros(5)
    for g, got in zip(GRADS, _run("nesterov"), strict=True):
        v = BETA * v + LR * g
        w = w - (BETA * v + LR * g)
        assert_allclose(got, w, rtol=1e-15, atol=1e-15)


@pytest.mark.parametrize("nesterov", [False, True])
def test_classic_and_nesterov_match_scikit_learn_sgd(nesterov):
    params = [W0.copy()]
    sk = SGDOptimizer(params, learning_rate_init=LR, momentum=BETA, nesterov=nesterov)
    ours = _run("nesterov" if nesterov else "classic")
    for g, got in zip(GRADS, ours, strict=True):
        sk.update_params(params, [g.copy()])
        assert_allclose(got, params[0], rtol=1e-13)


def test_momentum_zero_is_plain_gradient_descent():
    for rule in MOMENTUM_UPDATES:
        w = W0.copy()
        for g, got in zip(GRADS, _run(rule, beta=0.0), strict=True):
            w = w - LR * g
            assert_allclose(got, w, rtol=1e-15, atol=1e-15)


def test_steady_state_steps_under_a_constant_gradient():
    # Dampened converges to a step of alpha g, classic to alpha g / (1 - beta).
    g = np.ones(1)
    for rule, expected in [("dampened", LR), ("classic", LR / (1 - BETA))]:
        traj = _run(rule, w0=np.zeros(1), grads=[g] * 200)
        assert_allclose(traj[-2] - traj[-1], expected, rtol=1e-10)


def test_dampened_first_step_differs_from_torch_sgd():
    # torch seeds its buffer with the raw first gradient; the lab does not.
    torch = pytest.importorskip("torch")
    w = torch.tensor(W0.copy(), requires_grad=True)
    opt = torch.optim.SGD([w], lr=LR, momentum=BETA, dampening=BETA)
    w.grad = torch.tensor(GRADS[0])
    opt.step()
    ours = _run("dampened", grads=GRADS[:1])[0]
    assert_allclose(W0 - w.detach().numpy(), LR * GRADS[0], rtol=1e-12)
    assert_allclose(W0 - ours, (1 - BETA) * LR * GRADS[0], rtol=1e-12)


@pytest.mark.parametrize("rule", sorted(MOMENTUM_UPDATES))
def test_rules_give_identical_results_on_torch_tensors(rule):
    torch = pytest.importorskip("torch")
    w, v = torch.tensor(W0.copy()), torch.zeros(5, dtype=torch.float64)
    for g, expected in zip(GRADS, _run(rule), strict=True):
        MOMENTUM_UPDATES[rule](w, v, torch.tensor(g.copy()), LR, BETA)
        np.testing.assert_array_equal(w.numpy(), expected)
