"""Start the card agent: python -m cardagent --origin https://felles.example [--port 24727] [--reader NAME]
[--pinentry PROGRAM]."""

import argparse
import logging

from cardagent import __version__
from cardagent.server import DEFAULT_PORT, CardAgent


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m cardagent",
        description="Lets one web site use your eID card through this computer's reader.",
    )
    parser.add_argument(
        "--origin", required=True, help="the web site allowed to use the card, e.g. https://felles.example"
    )
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port on 127.0.0.1 (default {DEFAULT_PORT})"
    )
    parser.add_argument("--reader", help="use only readers whose name contains this text")
    parser.add_argument(
        "--pinentry",
        metavar="PROGRAM",
        help="ask for the PIN in this program's window (GnuPG's pinentry, e.g. pinentry-gnome3), "
        "so that the web page never sees it",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    try:
        agent = CardAgent(args.origin, reader_filter=args.reader, port=args.port, pinentry=args.pinentry)
    except ValueError as error:
        parser.error(str(error))
    except OSError as error:
        parser.exit(1, f"Cannot listen on 127.0.0.1:{args.port}: {error}\n")
    logging.info("Felles card agent %s on %s for %s; Ctrl-C stops it.", __version__, agent.url, agent.origin)
    if agent.pinentry:
        logging.info("The PIN is asked for in %s, never on the web page.", agent.pinentry)
    try:
        agent.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        agent.server_close()


if __name__ == "__main__":
    main()
