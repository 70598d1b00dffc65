"""User-facing errors: one clear line and a non-zero exit, never a stack trace."""
import errno
import sys

# Exit status for every problem with the user's input (flags, files, checkpoints, devices).
USER_ERROR_EXIT_CODE = 2
# Exit status when the output cannot be written (disk full, quota, file-size limit, read-only disk):
# sysexits' EX_IOERR.
WRITE_ERROR_EXIT_CODE = 74
WRITE_ERRNOS = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS)


def first_line(error, limit=None):
    """The first non-empty line of an exception's message (its type's name when the message is empty),
    cut to `limit` characters: third-party errors (MindSpore, onnxruntime, yaml) span pages."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    line = lines[0] if lines else type(error).__name__
    return line[:limit] if limit else line


class UserInputError(ValueError):
    """A problem the user can fix; the message names the problem and the fix. A ValueError, so that
    Python callers of the API catch it as the standard argument error."""


class UserTypeError(UserInputError, TypeError):
    """An argument of the wrong type given to the API (a TypeError too)."""


class TrainingStopped(Exception):
    """Training stopped on request (SIGINT/SIGTERM) after saving.

    exit_code: 128 + the signal number (the shell's convention) unless given; an msrun worker passes 0,
    as msrun SIGKILLs the other workers the moment one exits non-zero (see launched_by_msrun).
    """

    def __init__(self, message, signal_number, exit_code=None):
        super().__init__(message)
        self.signal_number = signal_number
        self.exit_code = 128 + signal_number if exit_code is None else exit_code


def run_cli(main, argv=None):
    """Run an entry point's main(argv); report a UserInputError or a failed write (full disk) as one line
    and exit non-zero."""
    try:
        main(sys.argv[1:] if argv is None else argv)
    except UserInputError as error:
        print(f"error: {error}", file=sys.stderr, flush=True)
        sys.exit(USER_ERROR_EXIT_CODE)
    except TrainingStopped as stop:
        print(f"stopped: {stop}", file=sys.stderr, flush=True)
        sys.exit(stop.exit_code)
    except OSError as error:
        if error.errno not in WRITE_ERRNOS:
            raise
        print(f"error: cannot write '{error.filename}': {error.strerror}. Files written before it are intact; "
              "free some space and run again (training continues with --resume auto)", file=sys.stderr, flush=True)
        sys.exit(WRITE_ERROR_EXIT_CODE)
    except KeyboardInterrupt:
        print("error: interrupted by the user", file=sys.stderr, flush=True)
        sys.exit(130)
