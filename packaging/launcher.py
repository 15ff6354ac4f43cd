"""Entry point of the frozen app (PyInstaller): the same as the ``designer`` console script."""

import multiprocessing

if __name__ == "__main__":
    # a frozen Windows/macOS build re-executes itself for multiprocessing children
    multiprocessing.freeze_support()
    from designer.app import console

    console()
