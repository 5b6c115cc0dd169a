"""Helpers shared by the tests and the benchmark; never installed (the wheel holds reconciler)."""
