"""The integrasjonspunkt's refusals, as its REST API answers them: the exception's Java class name,
the HTTP status and the message text of Digdir's messages.properties (efm-integrasjonspunkt
integrasjonspunkt/src/main/resources/messages.properties). The views turn them into the error body
{timestamp, status, error, exception, message, path[, description][, errors]}."""

EXCEPTIONS = "no.difi.meldingsutveksling.exceptions."


class IntegrasjonspunktError(Exception):
    status = 400
    exception = EXCEPTIONS + "IntegrasjonspunktException"

    def __init__(self, message: str, *, description: str = "", errors: list | None = None):
        super().__init__(message)
        self.message = message
        self.description = description
        self.errors = errors


def _error(name: str, status: int = 400, *, package: str = EXCEPTIONS):
    return type(name, (IntegrasjonspunktError,), {"status": status, "exception": package + name})


MessageNotFound = _error("MessageNotFoundException", 404)
ConversationNotFound = _error("ConversationNotFoundException", 404)
MessageTypeDoesNotFitDocumentType = _error("MessageTypeDoesNotFitDocumentTypeException")
ReceiverDoesNotAcceptProcess = _error("ReceiverDoesNotAcceptProcessException")
IdentifierNotFound = _error("IdentifierNotFoundException", 404)
MissingFile = _error("MissingFileException")
MissingPrimaryDocument = _error("MissingPrimaryDocumentException")
MultiplePrimaryDocumentsNotAllowed = _error("MultiplePrimaryDocumentsNotAllowedException")
FileNotFound = _error("FileNotFoundException", 404)
DuplicateFilename = _error("DuplicateFilenameException")
MissingFileTitle = _error("MissingFileTitleException")
MissingHttpHeader = _error("MissingHttpHeaderException")
MultipartFileTooLarge = _error("MultipartFileToLargeException")
MaxFileSizeExceeded = _error("MaxFileSizeExceededException")
TimeToLive = _error("TimeToLiveException")
MissingAddressInformation = _error("MissingAddressInformationException")
InvalidContentType = _error("InvalidContentTypeException")
InvalidDocument = _error("InvalidDocumentException")
NoContent = _error("NoContentException", 204)
MissingArkivmelding = _error("MissingArkivmeldingException")
MissingArkivmeldingFile = _error("MissingArkivmeldingFileException")
UnmarshalArkivmelding = _error("UnmarshalArkivmeldingException")
ArkivmeldingProcessing = _error("ArkivmeldingProcessingException", 500)
MessageNotLocked = _error("MessageNotLockedException")
ConstraintViolation = _error("ConstraintViolationException", package="jakarta.validation.")
NotReadable = _error("HttpMessageNotReadableException", package="org.springframework.http.converter.")
InvalidIdentifier = _error("IllegalArgumentException", package="java.lang.")
TooManyRequests = _error("ResponseStatusException", 429, package="org.springframework.web.server.")
MaxUploadSizeExceeded = _error(
    "MaxUploadSizeExceededException", 413, package="org.springframework.web.multipart."
)


def too_large(limit: int) -> IntegrasjonspunktError:
    """A request body over the endpoint's bound, refused before it is read (Spring's message)."""
    return MaxUploadSizeExceeded(f"Maximum upload size of {limit} bytes exceeded")


def missing_address(field: str) -> IntegrasjonspunktError:
    """Digdir has no message text for this one: its resolver's fallback format, as the real API answers."""
    return MissingAddressInformation(f"--{MissingAddressInformation.exception}-- [{field}]")


def identifier_not_found(identifier: str) -> IntegrasjonspunktError:
    return IdentifierNotFound(f"--{IdentifierNotFound.exception}-- [{identifier}]")


def violation(path: str, message: str, code: str, rejected=None) -> dict:
    """One constraint violation as the error body's `errors` lists it."""
    return {
        "codes": [code],
        "defaultMessage": message,
        "objectName": path,
        "field": path,
        "rejectedValue": rejected,
        "bindingFailure": False,
        "code": code,
    }


def constraint_violations(violations: list[dict]) -> IntegrasjonspunktError:
    message = ", ".join(f"{v['field']}: {v['defaultMessage']}" for v in violations)
    return ConstraintViolation(message, errors=violations)
