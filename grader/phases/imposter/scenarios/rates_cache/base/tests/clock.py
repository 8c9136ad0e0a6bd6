class FakeClock:
    """A clock the tests move by hand."""

    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now
