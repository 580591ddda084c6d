#!/usr/bin/env python3
"""A stand-in for GnuPG's pinentry in tests: speaks Assuan on stdin and stdout as pinentry-curses does.

FAKE_PINENTRY_ANSWERS: a JSON list, what to answer each GETPIN in turn: a PIN (sent percent-escaped in a D
line), "cancel" (the citizen presses Cancel), "timeout" (pinentry's own SETTIMEOUT ran out), "hang" (never
answers) or "crash" (exits). When the list runs out, the dialog is cancelled.
FAKE_PINENTRY_RECORD: a file to which every command is appended as a JSON line, [command, decoded text].
Only the standard library: the agent runs it as a program of its own.
"""

import json
import os
import re
import sys
import time

CANCELLED = "ERR 83886179 Operation cancelled <Pinentry>"
TIMED_OUT = "ERR 83886142 Timeout <Pinentry>"


def unescape(text: str) -> str:
    return re.sub(r"%([0-9A-Fa-f]{2})", lambda match: chr(int(match.group(1), 16)), text)


def escape(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def main() -> None:
    answers = json.loads(os.environ.get("FAKE_PINENTRY_ANSWERS", "[]"))
    record = os.environ.get("FAKE_PINENTRY_RECORD")

    def say(line: str) -> None:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()

    say("OK Pleased to meet you")
    for line in sys.stdin:
        command, _, argument = line.rstrip("\n").partition(" ")
        if record:
            with open(record, "a", encoding="utf-8") as file:
                file.write(json.dumps([command, unescape(argument)]) + "\n")
        if command == "BYE":
            say("OK closing connection")
            return
        if command != "GETPIN":
            say("OK")
            continue
        answer = answers.pop(0) if answers else "cancel"
        if answer == "cancel":
            say(CANCELLED)
        elif answer == "timeout":
            say(TIMED_OUT)
        elif answer == "hang":
            time.sleep(3600)
        elif answer == "crash":
            sys.exit(1)
        else:
            say(f"D {escape(answer)}")
            say("OK")


if __name__ == "__main__":
    main()
