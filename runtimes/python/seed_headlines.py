#!/usr/bin/env python3
"""seed_headlines.py: rerun the two headline tests of the Python tutorials
in /work/shared/seeds/, the way their code runs them (standard library only).

1. `sleepers` (seed 004, "Process and Thread Test"): a program starts 1000
   `multiprocessing.Process` that each sleep 1 s and print their number, and
   the same program with `multiprocessing.dummy.Process` (threads) and with
   `threading.Thread` (imported through multiprocessing.dummy). The tutorial
   timed each program with the shell's `time` (real: 3.98 s for processes,
   1.13 s and 1.123 s for the two thread versions). Its `main` only starts
   the workers; the interpreter waits for them at exit (they are not
   daemons). So each program is written out as the tutorial has it and run
   in a fresh interpreter, and the wall time of that whole run is reported:
   start-up, the starts, the sleeps and the wait at exit. The children's
   prints go to /dev/null.
2. `cpu` (seed 001, "多线程、多进程对比"): `job` adds i + i**2 + i**3 for i
   below N (the tutorial: 1000000) and puts the sum in a multiprocessing
   Queue; `normal` runs it twice serially, `multithread` in 2 threads,
   `multicore` in 2 processes. Timed with time.time() between the calls, as
   the tutorial's `__main__` does. The results are compared, not printed.

Prints one line per measurement: `<test> <way> <seconds>`.

    python3 seed_headlines.py                      # the tutorials' sizes
    python3 seed_headlines.py --workers 20 --sleep 0.2 --cpu-n 20000
"""

import argparse
import multiprocessing as mp
import os
import subprocess
import sys
import tempfile
import threading as td
import time

# Seed 004's test program, with the worker count and sleep as placeholders
# (the tutorial: range(1000) and sleep(1)). Its three versions differ only in
# where the worker class comes from.
SLEEPER_PROGRAM = """\
from time import sleep
{import_line}

def test(i):
    sleep({{sleep}})
    print(i)

def main():
    t_list = [{worker}(target=test, args=(i, )) for i in range({{workers}})]
    for t in t_list:
        t.start()

if __name__ == '__main__':
    main()
"""

SLEEPER_PROGRAMS = {
    way: SLEEPER_PROGRAM.format(import_line=import_line, worker=worker)
    for way, import_line, worker in (
        ("process", "from multiprocessing import Process", "Process"),
        ("dummy_process", "from multiprocessing.dummy import Process", "Process"),
        ("thread", "from multiprocessing.dummy import threading", "threading.Thread"),
    )
}


def run_sleepers(python, workers, sleep):
    """Seed 004's programs in fresh interpreters: (way, wall seconds)."""
    results = []
    with tempfile.TemporaryDirectory(prefix="seed004-") as folder:
        for way, template in SLEEPER_PROGRAMS.items():
            path = os.path.join(folder, "%s.py" % way)
            with open(path, "w") as program:
                program.write(template.format(workers=workers, sleep=sleep))
            started = time.perf_counter()
            subprocess.run([python, path], stdout=subprocess.DEVNULL, check=True)
            results.append((way, time.perf_counter() - started))
    return results


# Seed 001's CPU test, as written there, with N for its range(1000000).
N = 1000000


def job(q):
    res = 0
    for i in range(N):
        res += i + i ** 2 + i ** 3
    q.put(res)  # queue


def multicore():
    q = mp.Queue()
    p1 = mp.Process(target=job, args=(q,))
    p2 = mp.Process(target=job, args=(q,))
    p1.start()
    p2.start()
    p1.join()
    p2.join()
    res1 = q.get()
    res2 = q.get()
    return res1 + res2


def normal():
    res = 0
    for _ in range(2):
        for i in range(N):
            res += i + i ** 2 + i ** 3
    return res


def multithread():
    q = mp.Queue()
    t1 = td.Thread(target=job, args=(q,))
    t2 = td.Thread(target=job, args=(q,))
    t1.start()
    t2.start()
    t1.join()
    t2.join()
    res1 = q.get()
    res2 = q.get()
    return res1 + res2


def run_cpu():
    """Seed 001's `__main__`: normal, multithread, multicore, timed with
    time.time() in between; (way, seconds) each, after checking the sums."""
    st = time.time()
    serial = normal()
    st1 = time.time()
    threaded = multithread()
    st2 = time.time()
    processes = multicore()
    st3 = time.time()
    if not serial == threaded == processes:
        raise SystemExit("the three ways disagree: %d, %d, %d" % (serial, threaded, processes))
    return [("normal", st1 - st), ("multithread", st2 - st1), ("multicore", st3 - st2)]


def main():
    global N
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=1000, help="sleepers started (seed: 1000)")
    parser.add_argument("--sleep", type=float, default=1.0, help="seconds each sleeps (seed: 1)")
    parser.add_argument("--cpu-n", type=int, default=1000000, help="range of job's loop (seed: 1000000)")
    parser.add_argument("--only", choices=("sleepers", "cpu"), help="run one test only")
    parser.add_argument("--python", default=sys.executable, help="interpreter for the sleeper programs")
    args = parser.parse_args()
    if args.only != "cpu":
        for way, seconds in run_sleepers(args.python, args.workers, args.sleep):
            print("sleepers %s %.3f" % (way, seconds), flush=True)
    if args.only != "sleepers":
        N = args.cpu_n  # the fork start method hands it to the children
        if "fork" in mp.get_all_start_methods():
            mp.set_start_method("fork")
        for way, seconds in run_cpu():
            print("cpu %s %.3f" % (way, seconds), flush=True)


if __name__ == "__main__":
    main()
