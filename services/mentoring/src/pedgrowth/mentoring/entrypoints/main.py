"""`pedgrowth-mentoring`: run the mentoring service."""

from pedgrowth.kit.serve import serve

from ..bootstrap import build
from ..config import MentoringSettings


def main() -> None:
    serve(build, MentoringSettings())
