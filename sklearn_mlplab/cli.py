"""The ``mlplab`` command: argument parsing, exit codes, progress and Dask.

Everything else lives in :mod:`sklearn_mlplab.lab`: ``mlplab lab`` loads the
data, runs :func:`~sklearn_mlplab.lab.run_study` and writes the report with
:func:`~sklearn_mlplab.lab.write_report`. Bad input ends with a one-line
message on stderr and exit status 2, before anything is written.
"""

import argparse
import contextlib
import os
import sys
from pathlib import Path

from . import __version__
from ._base import NonFiniteError

EXIT_USAGE = 2
MAX_SEED = 2**32 - 1


class UsageError(Exception):
    """Bad input: reported as one line on stderr, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(message)


# ---------------------------------------------------------------- arguments
def _n_jobs(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an integer, got {text!r}") from None
    if value == 0:
        raise argparse.ArgumentTypeError("must not be 0 (use -1 for every core)")
    return value


def _seed(text):
    try:
        value = int(text)
    except ValueError:
        value = None
    if value is None or not 0 <= value <= MAX_SEED:
        raise argparse.ArgumentTypeError(
            f"must be an integer from 0 to {MAX_SEED}, got {text!r}"
        )
    return value


def _columns(text):
    names = [name.strip() for name in text.split(",")]
    if not all(names):
        raise argparse.ArgumentTypeError(
            f"must be column names separated by commas, got {text!r}"
        )
    return names


def _sep(text):
    text = {"\\t": "\t", "tab": "\t"}.get(text, text)
    if len(text) != 1:
        raise argparse.ArgumentTypeError(
            f"must be one character (or 'tab'), got {text!r}"
        )
    return text


def _add_data_options(lab):
    data = lab.add_argument_group("your own data")
    data.add_argument("--data", metavar="FILE.csv", help="run the study on this CSV")
    data.add_argument("--target", metavar="COLUMN", help="the class column of --data")
    data.add_argument(
        "--test-data",
        metavar="FILE.csv",
        help="test set for --data, same columns (default: hold out 30%% of --data)",
    )
    data.add_argument(
        "--features", type=_columns, metavar="A,B,...", help="the feature columns"
    )
    data.add_argument(
        "--drop", type=_columns, metavar="A,B,...", help="columns to leave out"
    )
    data.add_argument(
        "--sep", type=_sep, metavar="CHAR", help="the delimiter (default: detected)"
    )


def _add_run_options(lab):
    lab.add_argument(
        "--out",
        default="mlplab-report",
        metavar="DIR",
        help="output directory (default: ./mlplab-report)",
    )
    lab.add_argument(
        "--n-jobs",
        type=_n_jobs,
        default=None,
        metavar="N",
        help=(
            "parallel jobs for the grid searches, -1 for all cores (default: 1, "
            "or every dask worker with --dask-scheduler)"
        ),
    )
    lab.add_argument(
        "--dask-scheduler",
        metavar="ADDRESS",
        help="run the searches on this dask.distributed scheduler",
    )
    lab.add_argument(
        "--seed", type=_seed, default=0, help="random seed, 0 to 2**32-1 (default: 0)"
    )
    lab.add_argument(
        "--quick",
        action="store_true",
        help="a smoke run: every step, far too short for conclusions (seconds)",
    )
    lab.add_argument(
        "--quiet",
        action="store_true",
        help="no progress bar and no closing 'Report written to' line",
    )


def build_parser():
    """The ``mlplab`` argument parser and its ``lab`` command."""
    parser = _Parser(
        prog="mlplab",
        description="Reproduce and extend the MLP lab: figures, numbers and a report.",
    )
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {__version__}"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    lab = sub.add_parser(
        "lab",
        help="run the whole study and write the report",
        description=(
            "Train the lab's networks on the bundled data (or on --data) and "
            "write figures, report.md and report.html to --out."
        ),
    )
    _add_run_options(lab)
    _add_data_options(lab)
    return parser


def _check_args(args):
    if (args.data is None) != (args.target is None):
        raise UsageError("--data and --target must be given together")
    for option in ("test_data", "features", "drop", "sep"):
        if getattr(args, option) is not None and args.data is None:
            flag = "--" + option.replace("_", "-")
            raise UsageError(f"{flag} needs --data and --target")
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {str(out)!r} exists and is not a directory")
    existing = next(p for p in [out.absolute(), *out.absolute().parents] if p.exists())
    if not os.access(existing, os.W_OK):
        raise UsageError(f"cannot write to {str(existing)!r}; choose another --out")


# ---------------------------------------------------------------- running
def _progress_bar(total, quiet):
    """A bar counting the epochs trained; None when quiet or without tqdm."""
    try:
        from tqdm import tqdm
    except ImportError:
        tqdm = None
    if quiet or tqdm is None:
        return contextlib.nullcontext(None)
    return tqdm(
        total=total, desc="mlplab lab", unit="epoch", unit_scale=True, file=sys.stderr
    )


def _dask_client(address):
    """A client of the dask scheduler at ``address``, or None without one."""
    if address is None:
        return None
    try:
        from dask.distributed import Client
    except ImportError:
        raise UsageError(
            "--dask-scheduler needs dask.distributed: pip install 'dask[distributed]'"
        ) from None
    try:
        return Client(address, timeout="10s")
    except Exception as exc:  # dask raises OSError, TimeoutError, ValueError...
        message = (
            str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        )
        raise UsageError(
            f"cannot connect to the dask scheduler at {address!r}: {message}"
        ) from None


def _load(args, config):
    from .lab import load_bundled, load_csv

    if args.data is None:
        return load_bundled()
    return load_csv(
        args.data,
        args.target,
        config,
        args.seed,
        test_path=args.test_data,
        features=args.features,
        drop=args.drop,
        sep=args.sep,
    )


def run_lab(args):
    """Run the study and write the report; return the path of report.html."""
    import matplotlib

    from .lab import FULL, QUICK, planned_epochs, run_study, write_report
    from .lab.study import available_backends

    matplotlib.use("Agg")
    config = QUICK if args.quick else FULL
    data = _load(args, config)
    for note in data.notes:
        print(f"mlplab: warning: {note}", file=sys.stderr)
    # Connect before training, so that a wrong address fails at once.
    client = _dask_client(args.dask_scheduler)
    backends = available_backends()
    if "torch" not in backends:
        print(
            "mlplab: warning: PyTorch is not installed; only the numpy backend "
            "runs (pip install 'sklearn-mlplab[torch]' for both)",
            file=sys.stderr,
        )
    # On a dask cluster, every worker by default; locally, one process.
    n_jobs = args.n_jobs if args.n_jobs is not None else (-1 if client else 1)
    with contextlib.ExitStack() as stack:
        if client is not None:
            import joblib

            stack.enter_context(client)
            stack.enter_context(joblib.parallel_backend("dask"))
        bar = stack.enter_context(
            _progress_bar(planned_epochs(config, backends), args.quiet)
        )
        study = run_study(
            data,
            config,
            args.seed,
            backends=backends,
            n_jobs=n_jobs,
            progress=None if bar is None else bar.update,
            # On Dask, the searches' fits go out to the workers one by one.
            batched=client is None,
        )
        if bar is not None:
            bar.set_postfix_str("writing the report")
        return write_report(study, args.out, where=args.dask_scheduler)


def main(argv=None):
    """Entry point of the ``mlplab`` command; returns the exit status.

    Parameters
    ----------
    argv : list of str, default=None
        Arguments without the program name; None reads ``sys.argv``.

    Returns
    -------
    status : int
        0 on success; 2 on bad input, no command, or data the networks
        cannot train on; 1 when writing the report fails for another
        operating-system reason; 130 when interrupted. Every status but 0
        comes after a one-line message on stderr (with no command, after the
        usage and the list of commands).

    Examples
    --------
    >>> from sklearn_mlplab.cli import main
    >>> main(["lab", "--data", "no-such-file.csv", "--target", "y"])
    2
    """
    from .lab import DataError

    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help(sys.stderr)
            raise UsageError("choose a command, e.g. `mlplab lab`")
        _check_args(args)
        path = run_lab(args)
        if not args.quiet:
            print(f"Report written to {path}")
    except (UsageError, DataError) as exc:
        print(f"mlplab: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except NonFiniteError as exc:
        # Data the networks cannot train on, even z-scored.
        print(f"mlplab: error: on this data, {exc}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:
        where = f": {exc.filename!r}" if exc.filename else ""
        print(f"mlplab: error: {exc.strerror or exc}{where}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("mlplab: interrupted", file=sys.stderr)
        return 130
    return 0
