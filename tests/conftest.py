"""Markers of this suite: ``-m "not slow"`` leaves out the tests that run the whole default analysis."""


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: runs the default analysis (about 15 s); "
                                       "deselect with -m \"not slow\"")
