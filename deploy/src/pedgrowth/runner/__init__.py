"""The embedded all-in-one runner and the operator's command line."""
