"""Benchmarks of ``cio`` side by side with the peer libraries (run with ``make bench``).

Everything here runs against a local counting sink on 127.0.0.1; nothing reaches the
internet. Modules that the peers' environment imports (``sink``, ``_common``,
``peers``, ``raw``, ``worker``) use only the standard library and ``requests`` at import
time, so the same worker entry point runs under both environments.
"""
