"""Why an uploaded file is refused, or may not be read: typed errors with stable codes."""
from __future__ import annotations

from .errors import HallError
from .messages import N_, Term


class FileRefused(HallError):
    status = 422
    code = "file-refused"
    message = N_("This file cannot be accepted.")


class FileEmpty(FileRefused):
    code = "file-empty"
    message = N_("The file is empty. Please choose the file again.")


class FileTypeRefused(FileRefused):
    """Not a PDF, JPEG or PNG by its content (an executable, an archive, a document…)."""

    status = 415
    code = "file-type-refused"
    message = N_("Only PDF, JPEG and PNG files are accepted; this file is none of them, "
                 "whatever its name says.")


class FileTypeMismatch(FileRefused):
    """The name says one type, the content is another: a renamed file is refused."""

    status = 415
    code = "file-type-mismatch"
    message = N_("The file's name ends in .%(extension)s but its content is a %(actual)s file. "
                 "Please upload the original file.")


class FileTooLarge(FileRefused):
    status = 413
    code = "file-too-large"
    message = N_("The file is too large: at most %(max)s MB per file.")

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        super().__init__(max=_megabytes(max_bytes))

    def problem_fields(self) -> dict[str, object]:
        return {"max_bytes": self.max_bytes}


class TooManyFiles(FileRefused):
    status = 409
    code = "too-many-files"
    message = N_("At most %(max)s files can be uploaded here.")


class FilesTooLargeTogether(FileRefused):
    status = 413
    code = "files-too-large-together"
    message = N_("The files uploaded here may take at most %(max)s MB together.")

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        super().__init__(max=_megabytes(max_bytes))

    def problem_fields(self) -> dict[str, object]:
        return {"max_bytes": self.max_bytes}


class UploadDailyLimit(FileRefused):
    status = 429
    code = "upload-daily-limit"
    message = N_("Too many files were uploaded today. Please try again tomorrow or bring the "
                 "documents to the hall.")


class UnsafeFile(FileRefused):
    """A PDF or image that could harm whoever opens it: refused with the reason."""

    code = "file-unsafe"
    message = N_("This file cannot be accepted: %(why)s. Please save or scan it again as a "
                 "plain PDF or image.")

    WHY = {
        "encrypted": N_("the PDF is encrypted or password-protected"),
        "active": N_("the PDF contains scripts, actions or embedded files"),
        "bomb": N_("the PDF's content unpacks to far more than its size"),
        "broken": N_("the file is damaged or incomplete"),
        "pixels": N_("the image has too many pixels"),
    }

    def __init__(self, why: str) -> None:
        self.why = why
        super().__init__(why=Term(self.WHY[why]))

    def problem_fields(self) -> dict[str, object]:
        return {"reason": self.why}


class FileNotFound(HallError):
    status = 404
    code = "file-not-found"
    message = N_("There is no such file.")


class FileForbidden(HallError):
    status = 403
    code = "file-forbidden"
    message = N_("You may not read this file.")


class FileGone(HallError):
    status = 410
    code = "file-gone"
    message = N_("This file was deleted after its retention time.")


def _megabytes(n: int) -> str:
    value = n / (1024 * 1024)
    return f"{value:.0f}" if value >= 10 or value == int(value) else f"{value:.1f}"
