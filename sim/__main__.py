"""``python -m sim`` is the same as the ``credsim`` command."""

from sim.cli.commands import main

main(prog_name="credsim")
