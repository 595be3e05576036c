"""The application: start-up, context, CLI and services that run without a window."""

import models  # noqa: F401  # first: peewee is imported without database drivers (see models)
