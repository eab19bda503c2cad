"""The concbench-runtime/1 command loop, driven line by line as concbench drives it."""

import re
import unittest

from concbench_runtime.protocol import PROTOCOL, Session, hello_line, one_line


class ProtocolTest(unittest.TestCase):
    def setUp(self):
        self.session = Session()

    def tearDown(self):
        self.session.close()

    def test_hello_names_the_protocol_runtime_and_gil(self):
        pattern = r"^hello %s runtime=\w+ version=[\d.]+\S* gil=(on|off)$" % re.escape(PROTOCOL)
        self.assertRegex(hello_line(), pattern)

    def test_a_reason_is_one_printable_line(self):
        self.assertEqual(one_line("a\nb\tc\x00"), "a b c?")
        self.assertEqual(one_line(""), "(no reason given)")
        self.assertEqual(len(one_line("x" * 5000)), 2000)

    def test_commands_out_of_order_or_unknown_are_errors_not_crashes(self):
        self.assertEqual(self.session.handle("run 5"), "error not set up")
        self.assertEqual(self.session.handle("verify"), "error not set up")
        self.assertTrue(self.session.handle("fly").startswith("error unknown command fly"))
        self.assertTrue(self.session.handle("").startswith("error unknown command"))
        self.assertTrue(self.session.handle("setup spawn.start").startswith("error setup needs"))
        self.assertIsNone(self.session.handle("quit"))

    def test_a_real_workload_runs_counts_and_verifies(self):
        self.assertEqual(self.session.handle("setup spawn.start py_thread workers=3"), "ready")
        self.assertEqual(self.session.handle("setup spawn.start py_thread workers=3"), "error already set up")
        for bad in ("run", "run 0", "run -1", "run x", "run 1 2"):
            self.assertEqual(self.session.handle(bad), "error run needs one count of rounds >= 1", bad)
        answer = self.session.handle("run 2")
        match = re.fullmatch(r"done ops=(\d+) ns=(\d+) cpu_ns=(\d+)", answer)
        self.assertIsNotNone(match, answer)
        self.assertEqual(int(match.group(1)), 6, "2 rounds of 3 workers")
        self.assertGreater(int(match.group(2)), 0)
        self.assertEqual(self.session.handle("verify"), "ok")


if __name__ == "__main__":
    unittest.main()
