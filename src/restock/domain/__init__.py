"""Pure rules: no I/O, no database, no clock. Everything here is a function of its inputs."""
