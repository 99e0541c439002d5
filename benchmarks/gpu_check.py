"""Check TorchMLPClassifier on a CUDA GPU: 1,000,000 rows, parity, epoch time.

Three checks, each printed as one line:

1. Train ``TorchMLPClassifier(device="cuda")`` on 1,000,000 x 20 float32
   rows (three classes, hidden (64, 64), relu, batch 4,096) and print the
   time per epoch, next to one CPU epoch of the same fit.
2. Predict with the fitted GPU model on the GPU and, after a pickle round
   trip with ``device="cpu"``, on the CPU: the probabilities must agree to
   float32 rounding and the labels almost everywhere.
3. Train the same network in float64 on a 20,000-row subset on the GPU and
   on the CPU: the weights after a few epochs must agree to 1e-6.

Usage
-----
::

    python benchmarks/gpu_check.py              # needs a CUDA build of torch
    python benchmarks/gpu_check.py --rows 200000 --epochs 2
    python benchmarks/gpu_check.py --device cpu --rows 20000   # smoke test

Exit status: 0 when every parity check holds, 1 when one fails, 2 when CUDA
(or torch) is not available.
"""

import argparse
import pickle
import sys
import time
import warnings

import numpy as np
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning

from sklearn_mlplab import TorchMLPClassifier


def _data(n_rows, dtype):
    X, y = make_classification(
        n_samples=n_rows,
        n_features=20,
        n_informative=12,
        n_classes=3,
        random_state=0,
    )
    return X.astype(dtype), y


def _model(device, epochs, batch_size):
    # Every stopping rule off: exactly `epochs` epochs, comparable timings.
    return TorchMLPClassifier(
        hidden=(64, 64),
        activation="relu",
        lr=0.05,
        momentum=0.9,
        batch_size=batch_size,
        max_iter=epochs,
        tol=0.0,
        n_iter_no_change=epochs + 1,
        random_state=0,
        device=device,
    )


def _timed_fit(est, X, y, torch, device):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        est.fit(X, y)
        if device.startswith("cuda"):
            torch.cuda.synchronize()
        return time.perf_counter() - start


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=4096)
    parser.add_argument(
        "--device", default="cuda", help="default: cuda; cpu runs a smoke test"
    )
    args = parser.parse_args(argv)

    try:
        import torch
    except ImportError:
        print("gpu_check: torch is not installed; nothing to check.", file=sys.stderr)
        return 2
    if args.device.startswith("cuda") and not torch.cuda.is_available():
        print(
            f"gpu_check: CUDA is not available here (torch {torch.__version__}, "
            f"CUDA build: {torch.version.cuda or 'none'}); nothing to check. "
            "Run this on a machine with an NVIDIA GPU and a CUDA build of torch.",
            file=sys.stderr,
        )
        return 2
    where = (
        torch.cuda.get_device_name(torch.device(args.device))
        if args.device.startswith("cuda")
        else "CPU"
    )
    print(f"device: {args.device} ({where}), torch {torch.__version__}")
    ok = True

    # 1. Epoch time on the full data, float32.
    X, y = _data(args.rows, np.float32)
    gpu = _model(args.device, args.epochs, args.batch_size)
    _timed_fit(
        _model(args.device, 1, args.batch_size),
        X[:50_000],
        y[:50_000],
        torch,
        args.device,
    )  # warm-up: CUDA context, kernels
    seconds = _timed_fit(gpu, X, y, torch, args.device)
    cpu_one = _timed_fit(_model("cpu", 1, args.batch_size), X, y, torch, "cpu")
    print(
        f"train: {args.rows:,} rows x 20, hidden (64, 64), batch {args.batch_size}: "
        f"{seconds / gpu.n_iter_:.3f} s per epoch on {args.device} "
        f"({gpu.n_iter_} epochs, final loss {gpu.loss_curve_[-1]:.4f}); "
        f"one CPU epoch {cpu_one:.3f} s"
    )

    # 2. The fitted GPU model predicts the same on the CPU.
    start = time.perf_counter()
    proba_gpu = gpu.predict_proba(X)
    predict_s = time.perf_counter() - start
    cpu_copy = pickle.loads(pickle.dumps(gpu)).set_params(device="cpu")
    proba_cpu = cpu_copy.predict_proba(X)
    diff = float(np.abs(proba_gpu - proba_cpu).max())
    agree = float(np.mean(proba_gpu.argmax(1) == proba_cpu.argmax(1)))
    good = diff < 1e-4 and agree > 0.9999
    ok &= good
    print(
        f"predict parity: max |p_gpu - p_cpu| = {diff:.2e}, labels agree on "
        f"{100 * agree:.4f}% of rows, predict_proba {predict_s:.2f} s "
        f"-> {'OK' if good else 'FAIL'}"
    )

    # 3. Training parity in float64: the same steps on both devices.
    Xs, ys = _data(20_000, np.float64)
    on_device = _model(args.device, 3, 256)
    on_cpu = _model("cpu", 3, 256)
    _timed_fit(on_device, Xs, ys, torch, args.device)
    _timed_fit(on_cpu, Xs, ys, torch, "cpu")
    worst = max(
        float(np.max(np.abs(a - b) / (np.abs(b) + 1e-8)))
        for a, b in zip(
            on_device.coefs_ + on_device.intercepts_,
            on_cpu.coefs_ + on_cpu.intercepts_,
            strict=True,
        )
    )
    good = worst < 1e-6
    ok &= good
    print(
        f"train parity (float64, 20,000 rows, 3 epochs): max relative weight "
        f"difference {worst:.2e} -> {'OK' if good else 'FAIL'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
