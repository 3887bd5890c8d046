"""What `ror` exits with, and the errors a user can fix (printed as one or two lines, never a traceback)."""

# sysexits' EX_TEMPFAIL: another run holds the warehouse, try again later (or with --wait).
EXIT_WAREHOUSE_BUSY = 75


# Exit codes (also in every command's --help).
EXIT_OK = 0
EXIT_FAILED = 1  # the run (or a file, a step, a blocking check) failed
EXIT_USAGE = 2  # cannot start: wrong arguments, invalid configuration, missing landing folder, unwritable path
EXIT_INPUT = 3  # input not usable: missing file, unknown column or brand, no warehouse yet
EXIT_INTERRUPTED = 130

EXIT_CODES = f"""exit codes:
  {EXIT_OK}    success
  {EXIT_FAILED}    the run failed (a step or a blocking check, a full disk), or a landing file was not loaded (failed,
       unrecognised, refused, or still being written: the summary names each)
  {EXIT_USAGE}    the command cannot start: wrong arguments (unknown option, malformed or reversed dates), an invalid
       configuration file, a missing landing folder, a path that cannot be written (permissions, a file in the way)
  {EXIT_INPUT}    input not usable: a missing file, an unknown column or brand, no warehouse yet
  {EXIT_WAREHOUSE_BUSY}   another run is writing the warehouse (run the same command with --wait)
  {EXIT_INTERRUPTED}  interrupted (Ctrl-C)
"""


class UserError(Exception):
    """A problem the person running `ror` can fix: printed as one or two lines, never as a traceback."""

    def __init__(self, message: str, exit_code: int = EXIT_INPUT):
        super().__init__(message)
        self.exit_code = exit_code


class UsageError(UserError):
    """A problem the user can fix before any work starts (a missing folder, an invalid configuration file)."""

    def __init__(self, message: str):
        super().__init__(message, EXIT_USAGE)
