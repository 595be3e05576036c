"""The application: start-up, context, CLI and services that run without a window."""
