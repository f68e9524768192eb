"""Shared bits for scenario scripts: argument parsing and result reporting.

A scenario runs in its own process with BRAINTRUST_* env pointing at the server
under test. It prints exactly one line `RESULT <json>` for the test to check.
"""

import json
import sys


def args():
    return json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}


def emit(result):
    print("RESULT " + json.dumps(result), flush=True)
