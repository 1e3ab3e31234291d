"""The ``stockshift`` command line: parse -> io -> core -> io, nothing else."""
