"""concbench's CPython workloads, driven by concbench_worker.py (one job per module)."""
