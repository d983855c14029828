"""Read-model stores: where the projection keeps the facts, its positions and the yearly values."""
