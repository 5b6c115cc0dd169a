"""One module per console command, each exposing ``run(...) -> int`` (the exit code)."""
