"""The 20 indicators of SPEC §4: the facts they are computed from, and the computation."""
