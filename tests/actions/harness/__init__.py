"""A local GitHub Actions runner for the example workflows: see `runner.Runner`."""
