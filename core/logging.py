"""Keeps identity numbers out of the logs: 11-digit numbers show only their birth date part."""

import logging
import re

IDENTITY_NUMBER = re.compile(r"(?<!\d)(\d{6})[ ]?\d{5}(?!\d)")


def mask_identity_numbers(text: str) -> str:
    return IDENTITY_NUMBER.sub(r"\1*****", text)


class MaskIdentityNumbersFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_identity_numbers(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True
