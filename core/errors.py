class ApplicationError(Exception):
    """A business rule refused the request (a forbidden transition, a conflict).

    ``code`` is stable and machine-readable; ``message`` is translated text for
    people. The API answers it with ``status_code``; views show the message.
    """

    status_code = 400

    def __init__(self, message, *, code="error", extra=None, status_code=None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.extra = extra or {}
        if status_code is not None:
            self.status_code = status_code
