"""`pedgrowth-registry`: run the registry service."""

from pedgrowth.kit.serve import serve

from ..bootstrap import build
from ..config import RegistrySettings


def main() -> None:
    serve(build, RegistrySettings())
