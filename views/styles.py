"""Looks shared by the windows (kept apart from the forms: the login window uses them before the
rest of the views load)."""

ERROR_STYLE = "color: #c0392b;"
