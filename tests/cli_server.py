"""Runs ``aligner`` commands sent as JSON lines on stdin, in one process with capped memory.

For the fuzz tests: starting Python (and loading the encoder) once per generated example would
make them slow, so one server runs every example through click's test runner and answers, per
request ``{"args": [...]}``, with ``{"exit_code", "stdout", "stderr", "error"}`` (``error``:
the traceback of an exception the command let escape, else null). The address space is capped
(``argv[1]`` bytes), so a command that tries to read a huge input whole fails instead of
swapping; ``{"maxrss": true}`` answers with the peak resident size in bytes.
"""

from __future__ import annotations

import json
import resource
import sys
import traceback


def main() -> None:
    limit = int(sys.argv[1])
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    from click.testing import CliRunner

    from aligner.cli import main as aligner_main

    for line in sys.stdin:
        request = json.loads(line)
        if request.get("maxrss"):
            answer = {"maxrss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}
        else:
            result = CliRunner().invoke(aligner_main, request["args"], catch_exceptions=True)
            escaped = result.exception is not None and not isinstance(result.exception,
                                                                       SystemExit)
            answer = {"exit_code": result.exit_code, "stdout": result.stdout[-4000:],
                      "stderr": result.stderr[-4000:],
                      "error": "".join(traceback.format_exception(*result.exc_info))
                      if escaped else None}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
