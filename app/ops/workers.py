"""How many worker processes serve this app, as far as the command line tells (for settings that are per process).

gunicorn forks its workers from the master, so a worker's sys.argv is the master's command line; gunicorn itself
reads WEB_CONCURRENCY and GUNICORN_CMD_ARGS too. A config file (-c) may set workers we cannot see: None then.
"""
import os
import shlex


def gunicorn_workers(argv: list[str], environ=os.environ) -> int | None:
    """The number of gunicorn workers (1 when not under gunicorn), or None when it cannot be told."""
    if not argv or "gunicorn" not in os.path.basename(argv[0]):
        return 1
    args = shlex.split(environ.get("GUNICORN_CMD_ARGS", "")) + list(argv[1:])
    workers = environ.get("WEB_CONCURRENCY")
    for i, arg in enumerate(args):
        if arg in ("-c", "--config") or arg.startswith("--config="):
            return None
        if arg in ("-w", "--workers") and i + 1 < len(args):
            workers = args[i + 1]
        elif arg.startswith("--workers="):
            workers = arg.split("=", 1)[1]
        elif arg.startswith("-w") and arg[2:].isdigit():
            workers = arg[2:]
    try:
        return int(workers) if workers is not None else 1
    except ValueError:
        return None
