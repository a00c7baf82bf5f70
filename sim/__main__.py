"""``python -m sim`` is the same as the ``credsim`` command."""

import sys

try:
    from sim.cli.commands import main
except KeyboardInterrupt:  # Ctrl+C while the libraries load: the same line as later
    sys.stderr.write("credsim: interrupted\n")
    sys.exit(130)

main(prog_name="credsim")
