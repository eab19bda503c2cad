"""The worker's --selftest: passes on this interpreter, and fails loudly even under python -O."""

import os
import subprocess
import sys
import unittest

from concbench_runtime.selftest import SelftestFailed, check, selftest

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class SelftestTest(unittest.TestCase):
    def test_the_ports_of_the_rust_arithmetic_agree(self):
        self.assertEqual(selftest(), 0)

    def test_a_failed_check_raises_and_names_what(self):
        with self.assertRaises(SelftestFailed) as caught:
            check(False, "share(2, 4, 3) is empty")
        self.assertIn("share(2, 4, 3)", str(caught.exception))

    def test_checks_survive_python_dash_O(self):
        code = "from concbench_runtime.selftest import check; check(False, 'kept under -O')"
        done = subprocess.run([sys.executable, "-O", "-c", code], cwd=HERE, capture_output=True, text=True)
        self.assertNotEqual(done.returncode, 0)
        self.assertIn("kept under -O", done.stderr)


if __name__ == "__main__":
    unittest.main()
