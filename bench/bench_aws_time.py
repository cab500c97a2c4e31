"""What an AWS failure costs in time: an API the endpoint lacks, and an endpoint that never answers.

Against local servers: one answers every request with an HTML 500 page (what a moto server or a
proxy answers for an API it lacks), one accepts connections and never answers. Measures
`codeconnections:GetConnection` through the collector's Reader with the client settings of
`collect/clients.py`, against the settings before the retry budget (adaptive, 10 retries, no
timeouts set) in the same run; and the first call (`sts:GetCallerIdentity`, the probe of every
live run) against the silent endpoint. The old probe there (60 s read timeout, 3 attempts) is not
run: it would take three minutes. Usage: python bench/bench_aws_time.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "src"), str(REPO)]

import boto3
from botocore.config import Config

from pipedoctor.collect import ClientFactory
from pipedoctor.collect.identity import caller_identity
from pipedoctor.collect.reader import Reader
from pipedoctor.errors import UserError

REGION = "eu-west-2"
ARN = f"arn:aws:codeconnections:{REGION}:123456789012:connection/bench"
PAGE = b"<!doctype html>\n<html><title>500 Internal Server Error</title></html>\n"
BEFORE = Config(retries={"mode": "adaptive", "max_attempts": 10}, max_pool_connections=16)


class Html500(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(500)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(PAGE)))
        self.end_headers()
        self.wfile.write(PAGE)

    def log_message(self, *_: Any) -> None:
        pass


def session() -> boto3.Session:
    return boto3.Session(aws_access_key_id="a", aws_secret_access_key="b", region_name=REGION)


def missing_api(url: str, config: Config | None) -> float:
    factory = ClientFactory(session(), endpoint_url=url)
    client = factory.create("codeconnections", REGION, config=config)
    reader = Reader()
    started = time.monotonic()
    reader.call(client, "get_connection", ARN, ConnectionArn=ARN)
    assert len(reader.errors) == 1, reader.errors
    return time.monotonic() - started


def silent_probe(url: str) -> float:
    started = time.monotonic()
    try:
        caller_identity(ClientFactory(session(), endpoint_url=url), REGION)
    except UserError as error:
        assert "did not answer" in str(error), error
    return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of each measurement")
    runs = parser.parse_args().runs
    server = ThreadingHTTPServer(("127.0.0.1", 0), Html500)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    html_url = f"http://127.0.0.1:{server.server_address[1]}"
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)  # the kernel accepts; nobody reads or answers
    silent_url = f"http://127.0.0.1:{listener.getsockname()[1]}"

    now = statistics.median(missing_api(html_url, None) for _ in range(runs))
    before = statistics.median(missing_api(html_url, BEFORE) for _ in range(runs))
    probe = statistics.median(silent_probe(silent_url) for _ in range(runs))
    print(f"load average {os.getloadavg()[0]:.1f}, median of {runs} run(s)")
    print(
        f"API the endpoint lacks (HTML 500): {now:.1f} s now, {before:.1f} s with the settings "
        f"before, {before / now:.1f}x less"
    )
    print(f"endpoint that never answers, first call: {probe:.1f} s to exit 3 (before: 3 x 60 s)")
    server.shutdown()
    listener.close()


if __name__ == "__main__":
    main()
