"""A small MCP server for kosmo's MCP client tests (tests/tests/e2e/mcp_client.rs), on the official
MCP Python SDK over stdio (or Streamable HTTP with `--http PORT`). One tool per behaviour the client
must handle: a read-only echo, a write that leaves a trace in a file, an error result, structured
content, JSON text, an image, a crash, a hang, a server-side grandchild, its environment, hostile
text and results past kosmo's caps; and a resource and a prompt."""

import os
import subprocess
import sys
import time

from mcp.server.mcpserver import MCPServer
from mcp_types import CallToolResult, ImageContent, TextContent, ToolAnnotations

server = MCPServer("fake")
READ = ToolAnnotations(read_only_hint=True)
WRITE = ToolAnnotations(read_only_hint=False, destructive_hint=True)

# Where the write tool records what it was asked to do, so a test can tell whether a call got through.
NOTES = os.environ.get("FAKE_NOTES_FILE")

print("fake MCP server starting \x1b]52;c;c3RkZXJy\x07", file=sys.stderr, flush=True)


@server.tool(annotations=READ, structured_output=False)
def echo(message: str) -> str:
    """Returns the message."""
    return message


@server.tool(name="Create-Note", annotations=WRITE, structured_output=False)
def create_note(text: str) -> str:
    """Appends a note to the notes file (a write)."""
    with open(NOTES, "a", encoding="utf-8") as notes:
        notes.write(text + "\n")
    return "noted"


@server.tool(annotations=READ, structured_output=False)
def fail(reason: str = "no reason") -> CallToolResult:
    """An error result (isError)."""
    return CallToolResult(content=[TextContent(text=f"failed on purpose: {reason}")], is_error=True)


@server.tool(annotations=READ, structured_output=False)
def structured() -> CallToolResult:
    """Structured content next to a text rendering that says something else."""
    return CallToolResult(
        content=[TextContent(text="see structuredContent")],
        structured_content={"count": 2, "items": [{"id": 1}, {"id": 2}], "big": 9007199254740993},
    )


@server.tool(annotations=READ, structured_output=False)
def json_text() -> str:
    """A single text content that is JSON."""
    return '{"ok": true, "list": [1, 2, 3], "nested": {"name": "n"}}'


@server.tool(annotations=READ, structured_output=False)
def image() -> CallToolResult:
    """An image and a text: more than one content, so a list of content tables."""
    return CallToolResult(content=[ImageContent(data="aGVsbG8=", mime_type="image/png"), TextContent(text="caption")])


@server.tool(annotations=READ, structured_output=False)
def crash() -> str:
    """The server process exits in the middle of the call."""
    os._exit(3)


@server.tool(annotations=READ, structured_output=False)
def hang() -> str:
    """Never answers (blocks the server's event loop)."""
    time.sleep(3600)
    return "too late"


@server.tool(annotations=READ, structured_output=False)
def spawn_child() -> str:
    """Starts a grandchild process that outlives the call; answers (and writes to FAKE_PIDS_FILE)
    the server's pid and the grandchild's."""
    child = subprocess.Popen(["sleep", "3600"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    pids = f"{os.getpid()} {child.pid}"
    if os.environ.get("FAKE_PIDS_FILE"):
        with open(os.environ["FAKE_PIDS_FILE"], "w", encoding="utf-8") as out:
            out.write(pids)
    return pids


@server.tool(annotations=READ, structured_output=False)
def environment() -> CallToolResult:
    """The server's environment variables."""
    return CallToolResult(content=[TextContent(text="env")], structured_content=dict(os.environ))


@server.tool(annotations=READ, structured_output=False)
def noisy() -> str:
    """Text with terminal escape sequences (OSC 52 writes the clipboard)."""
    return "before\x1b]52;c;aGk=\x07after\x9b31m"


@server.tool(annotations=READ, structured_output=False)
def deep(levels: int = 100) -> CallToolResult:
    """Structured content nested `levels` deep."""
    value = {}
    for _ in range(levels):
        value = {"d": value}
    return CallToolResult(content=[TextContent(text="deep")], structured_content=value)


@server.tool(annotations=READ, structured_output=False)
def wide(count: int = 1_100_000) -> CallToolResult:
    """Structured content with `count` values."""
    return CallToolResult(content=[TextContent(text="wide")], structured_content={"v": [0] * count})


@server.resource("note://readme", name="readme", mime_type="text/plain")
def readme() -> str:
    """The fake server's readme."""
    return "fake readme text"


@server.prompt()
def greet(name: str) -> str:
    """Greets someone."""
    return f"Hello, {name}!"


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--http":
        server.run("streamable-http", host="127.0.0.1", port=int(sys.argv[2]))
    else:
        server.run()
