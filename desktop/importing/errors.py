"""The one error the importer raises for a file the user has to fix or convert."""

from __future__ import annotations

from models.i18n import Message


class SheetError(Exception):
    """The file cannot be read as a sheet of people or organizations; the message says what to do."""

    def __init__(self, message: Message):
        super().__init__(str(message))
        self.message = message


class Unreadable(SheetError):
    """The file cannot be read at all: damaged, or not the workbook its name says (a WPS .et of a layout
    that cannot be read is then told to be converted instead)."""
