"""Service mechanics shared by the pedgrowth services (not a service itself)."""
