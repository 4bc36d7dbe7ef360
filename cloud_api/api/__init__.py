"""The cloud's blueprints: agent endpoints, staff JSON API, console pages, well-known keys."""
