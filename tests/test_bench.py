"""The benchmark's own parsing: a figure misread would make a report say what did not happen."""

import importlib.util
import subprocess
from pathlib import Path

_spec = importlib.util.spec_from_file_location(
    "bench_load", Path(__file__).resolve().parent.parent / "bench" / "load.py"
)
load = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(load)

WRK_OUTPUT = """\
Running 1m test @ http://127.0.0.1:8600
  2 threads and 50 connections
  Latency Distribution
     50%   31.20ms
  76856 requests in 1.00m, 1.21GB read
Requests/sec:   1279.41
Transfer/sec:     20.62MB
RESULT requests=76856 non2xx3xx=2 connect=0 read=1 write=0 timeout=3 p50=31.2 p99=104.0
"""


def test_wrk_figures_reads_the_result_line_and_counts_every_kind_of_error():
    run = subprocess.CompletedProcess(["wrk"], 0, stdout=WRK_OUTPUT, stderr="")
    figures, rps, errors = load.wrk_figures(run)
    assert (figures["requests"], figures["p50"], figures["p99"]) == ("76856", "31.2", "104.0")
    assert rps == "1279.41"
    assert errors == 6
