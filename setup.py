"""Only the package list: every handouts.* package found on disk (so a new
subpackage ships without editing anything), plus the two data packages that
pyproject.toml maps onto the checkout's templates/ and fonts/."""

from setuptools import find_packages, setup

DATA_PACKAGES = ["handouts.templates", "handouts.fontdata"]

setup(packages=[*find_packages(include=["handouts", "handouts.*"]), *DATA_PACKAGES])
