# taptestrunner.py: run unittest cases and print TAP for meson's `protocol: 'tap'`.
#
# Skips print "ok N # SKIP reason" so that meson counts them as skipped, never as passes.
import sys
import unittest


class TapResult(unittest.TestResult):
    def __init__(self, stream):
        super().__init__()
        self.stream = stream
        self.n = 0

    def _line(self, text):
        self.stream.write(text + "\n")
        self.stream.flush()

    def addSuccess(self, test):
        super().addSuccess(test)
        self.n += 1
        self._line(f"ok {self.n} {test.id()}")

    def _fail(self, test, err):
        self.n += 1
        self._line(f"not ok {self.n} {test.id()}")
        for line in self._exc_info_to_string(err, test).splitlines():
            self._line(f"# {line}")

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._fail(test, err)

    def addError(self, test, err):
        super().addError(test, err)
        self._fail(test, err)

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self.n += 1
        self._line(f"ok {self.n} {test.id()} # SKIP {reason}")

    def addExpectedFailure(self, test, err):
        super().addExpectedFailure(test, err)
        self.n += 1
        self._line(f"ok {self.n} {test.id()} # TODO expected failure")

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self.n += 1
        self._line(f"not ok {self.n} {test.id()} # unexpected success")


def main(module="__main__"):
    suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules[module])
    print(f"1..{suite.countTestCases()}", flush=True)
    result = TapResult(sys.stdout)
    suite.run(result)
    sys.exit(0 if result.wasSuccessful() else 1)
