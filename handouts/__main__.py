"""`python -m handouts`: the same command line as `handouts`."""

from .cli import run

if __name__ == "__main__":
    run()
