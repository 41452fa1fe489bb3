"""The product's settings plus one bench-only URL (the minimal view); the product's URLs stay as they are."""

from shequ.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
# The load generator sends many requests a second; a log line each would measure the terminal.
LOGGING["loggers"]["waitress"] = {"level": "ERROR"}  # type: ignore[index]  # noqa: F405
