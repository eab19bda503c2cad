"""The workload table: parameters checked against their ranges before anything runs."""

import unittest

from concbench_runtime.common import Failure
from concbench_runtime.registry import SCENARIOS, build_workload, parse_params


class RegistryTest(unittest.TestCase):
    def refused(self, words, needle, scenario="spawn.start", variant="py_thread"):
        with self.assertRaises(Failure) as caught:
            parse_params(scenario, variant, words)
        self.assertIn(needle, str(caught.exception))

    def test_parameters_in_range_are_read_as_integers(self):
        self.assertEqual(parse_params("spawn.start", "py_thread", ["workers=10"]), {"workers": 10})

    def test_bad_parameters_are_refused_with_the_reason(self):
        self.refused(["workers=0"], "out of range 1..=100000")
        self.refused(["workers=100001"], "out of range")
        self.refused(["workers=-1"], "not an unsigned 64-bit integer")
        self.refused(["workers=1e3"], "not an unsigned 64-bit integer")
        self.refused(["workers"], "is not key=value")
        self.refused(["workers=1", "workers=2"], "given twice")
        self.refused(["threads=2"], "has no parameter threads")
        self.refused([], "missing parameter workers")

    def test_an_unknown_workload_is_refused(self):
        with self.assertRaises(Failure):
            build_workload("spawn.start", "py_nothing", ["workers=1"])
        with self.assertRaises(Failure):
            build_workload("no.such", "py_thread", [])

    def test_every_variant_names_known_models(self):
        models = {"thread", "process", "pool", "async", "serial", "process_pool"}
        for scenario, (_, params, variants) in SCENARIOS.items():
            for name, low, high in params:
                self.assertLessEqual(low, high, "%s %s" % (scenario, name))
            for variant, model in variants.items():
                self.assertTrue(variant.startswith("py_"), variant)
                self.assertTrue(set(model.split(",")) <= models, "%s %s: %s" % (scenario, variant, model))


if __name__ == "__main__":
    unittest.main()
