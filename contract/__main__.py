"""``python -m contract``: the command line (``cli/``)."""

from contract.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
