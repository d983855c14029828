"""`pedgrowth-indicators`: run the indicators service."""

from pedgrowth.kit.serve import serve

from ..bootstrap import build
from ..config import IndicatorsSettings


def main() -> None:
    serve(build, IndicatorsSettings())
