from tests.jobs.conftest import library, make_engine, store

__all__ = ["library", "make_engine", "store"]
