"""`autograder submit`: upload to a grading server, follow the grading, print the result."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import click
import requests
from rich.console import Console

from .report import counted_line, late_day_line, print_report

FINAL = {"graded", "error"}


def api_error(response: requests.Response) -> str:
    """Return the server's error message for a failed request."""
    try:
        return response.json()["error"]["message"]
    except (ValueError, KeyError, TypeError):
        return f"HTTP {response.status_code}"


class Server:
    """The grading server's API, authenticated with a personal token."""

    def __init__(self, url: str, token: str):
        self.base = url.rstrip("/") + "/api/v1"
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {token}"
        self.http.headers["User-Agent"] = "autograder-cli"

    def call(self, method: str, url: str, **kwargs) -> dict:
        """Make a request; stop with the server's explanation when it fails."""
        try:
            response = self.http.request(method, url, timeout=30, **kwargs)
        except requests.ConnectionError:
            raise click.ClickException(f"cannot reach the server at {self.base}") from None
        except requests.Timeout:
            raise click.ClickException("the server did not answer in time") from None
        if response.status_code >= 400:
            raise click.ClickException(f"{api_error(response)} (HTTP {response.status_code})")
        return response.json()

    def submit(self, assignment: str, path: Path) -> dict:
        with path.open("rb") as handle:
            files = {"file": (path.name, handle, "text/x-python")}
            return self.call("POST", f"{self.base}/assignments/{assignment}/submissions",
                             files=files)

    def status(self, url: str) -> dict:
        return self.call("GET", url)


def follow(server: Server, url: str, timeout: float, console: Console) -> dict:
    """Poll the submission until grading is final, showing its progress."""
    deadline = time.monotonic() + timeout
    delay = 0.5
    with console.status("queued…") as display:
        while True:
            document = server.status(url)
            if document["status"] in FINAL:
                return document
            if time.monotonic() > deadline:
                raise click.ClickException(
                    f"still {document['status']} after {timeout:g} s; follow it at {url}")
            display.update(status_line(document))
            time.sleep(delay)
            delay = min(delay * 1.5, 3.0)


def status_line(document: dict) -> str:
    """One line on a running grading: the public tests' verdict once known, else its progress."""
    partial = document.get("partial_result")
    if partial and partial.get("output"):
        return f"{document['status']}: {partial['output'].splitlines()[0]}"
    progress = document.get("progress")
    return f"{document['status']}" + (f": {progress}" if progress else "") + "…"


@click.command("submit")
@click.argument("assignment")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--server", envvar="AUTOGRADER_SERVER", required=True, show_envvar=True,
              help="The grading server, e.g. http://127.0.0.1:5000")
@click.option("--token", envvar="AUTOGRADER_TOKEN", required=True, show_envvar=True,
              help="Your API token (account page, or `autograder token NAME`).")
@click.option("--wait/--no-wait", default=True, show_default=True,
              help="Wait for the grading and print it.")
@click.option("--timeout", default=600.0, show_default=True, help="Seconds to wait at most.")
@click.option("--json", "as_json", is_flag=True, help="Print the submission as JSON.")
def submit(assignment: str, file: Path, server: str, token: str, wait: bool, timeout: float,
           as_json: bool) -> None:
    """Submit FILE for ASSIGNMENT to a grading server and print its result."""
    api = Server(server, token)
    created = api.submit(assignment, file)
    console = Console(stderr=True)
    console.print(f"submission {created['id']} {created['status']}: "
                  f"{created.get('html_url', created['url'])}", highlight=False)
    if not wait:
        if as_json:
            click.echo(json.dumps(created))
        return
    document = follow(api, created["url"], timeout, console)
    if as_json:
        click.echo(json.dumps(document))
    elif document["status"] == "graded":
        print_report(document["result"], Console())
        for line in (counted_line(document), late_day_line(document)):
            if line:
                Console().print(line, highlight=False)
    if document["status"] == "error":
        click.echo(f"grading failed: {document.get('error') or 'unknown error'}", err=True)
        sys.exit(1)
