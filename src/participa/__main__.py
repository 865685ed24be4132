"""``python -m participa`` runs the command-line interface."""

from participa.cli import main

if __name__ == "__main__":  # pragma: no cover
    main()
