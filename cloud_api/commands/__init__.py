"""The ``luxebrain-cloud`` command groups; each module exposes ``COMMANDS`` (see cloud_api.cli)."""
