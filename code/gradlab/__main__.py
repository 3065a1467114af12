"""``python -m gradlab``: see `gradlab.cli`."""

import sys

from gradlab.cli import main

if __name__ == "__main__":
    sys.exit(main())
