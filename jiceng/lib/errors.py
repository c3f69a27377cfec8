"""The domain error every action raises: its message is shown to the user as it is (Chinese)."""


class DomainError(Exception):
    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
