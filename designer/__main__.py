"""``python -m designer`` runs the application or a command-line verb."""

from designer.app import console

if __name__ == "__main__":
    console()
