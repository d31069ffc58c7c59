"""Use cases of the HTTP service and the CLI: each takes the container and a unit of work."""
