"""The files under cases/ are user code for the type checkers, not modules to import."""

collect_ignore_glob = ["cases/*"]
