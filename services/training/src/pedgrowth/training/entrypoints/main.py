"""`pedgrowth-training`: run the training service."""

from pedgrowth.kit.serve import serve

from ..bootstrap import build
from ..config import TrainingSettings


def main() -> None:
    serve(build, TrainingSettings())
