"""Exceptions raised by complaintkit.

Every error carries ``code`` (a stable lower-snake name such as ``"invalid_utf8"``),
``path`` (the JSON pointer of the offending value, ``""`` when not about input) and
``detail`` (the message without the path).

    Error
    ├── InputError (also ValueError)
    │   ├── ParseError            malformed JSON / CSV
    │   ├── InvalidUtf8Error      (also UnicodeError)
    │   ├── InvalidValueError     well-formed but unacceptable
    │   ├── UnknownCodeError      a taxonomy code that does not exist
    │   └── MissingFieldError
    ├── StateError
    │   ├── OutOfOrderError       events / commands out of time order
    │   └── IllegalTransitionError
    ├── NotFoundError (also KeyError)
    ├── StorageError (also OSError)
    ├── CompileError              rule pack / model that does not compile or load
    ├── UnsupportedError
    └── InternalError
"""


class Error(Exception):
    """Root of all complaintkit errors."""

    code = "internal"
    path = ""
    detail = ""

    def __str__(self):  # KeyError would otherwise quote the message
        return self.args[0] if self.args else ""


class InputError(Error, ValueError):
    """Bad input: the message names the JSON pointer of the value (``.path``)."""


class ParseError(InputError):
    pass


class InvalidUtf8Error(InputError, UnicodeError):
    pass


class InvalidValueError(InputError):
    pass


class UnknownCodeError(InputError):
    pass


class MissingFieldError(InputError):
    pass


class StateError(Error):
    """A call that is not allowed in the object's current state."""


class OutOfOrderError(StateError):
    pass


class IllegalTransitionError(StateError):
    pass


class NotFoundError(Error, KeyError):
    pass


class StorageError(Error, OSError):
    pass


class CompileError(Error):
    pass


class UnsupportedError(Error):
    pass


class InternalError(Error):
    pass


_BY_CODE = {
    "invalid_argument": InputError,
    "parse": ParseError,
    "invalid_utf8": InvalidUtf8Error,
    "invalid_value": InvalidValueError,
    "unknown_code": UnknownCodeError,
    "missing_field": MissingFieldError,
    "out_of_order": OutOfOrderError,
    "illegal_transition": IllegalTransitionError,
    "not_found": NotFoundError,
    "io": StorageError,
    "compile": CompileError,
    "unsupported": UnsupportedError,
    "internal": InternalError,
}


def _class_for(code):
    return _BY_CODE.get(code, Error)
