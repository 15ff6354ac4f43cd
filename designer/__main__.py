"""``python -m designer`` runs the application or a command-line verb."""

from designer.app import main

if __name__ == "__main__":
    raise SystemExit(main())
