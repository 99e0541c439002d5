"""``python -m sklearn_mlplab``: the ``mlplab`` command."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
