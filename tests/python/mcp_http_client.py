"""An MCP client built on the official Python SDK, for tests/tests/e2e/mcp_http.rs.

    mcp_http_client.py URL MODE CALLS.json

Connects to URL over Streamable HTTP with `Authorization: Bearer $KOSMO_MCP_TOKEN` in MODE
(`legacy`: the 2025-11-25 initialize handshake and a session; `auto`: the SDK probes
`server/discover` and speaks 2026-07-28 when the server does), lists the tools, calls each
tool named in CALLS.json (an array of [name, arguments], in order) and validates every
result's `structuredContent` against the tool's `outputSchema` with `jsonschema`.
Prints one JSON report on stdout; the Rust test judges it.
"""

import asyncio
import json
import os
import sys

import httpx2
import jsonschema
from mcp import Client
from mcp.client.streamable_http import streamable_http_client


async def main(url: str, mode: str, calls_file: str) -> dict:
    with open(calls_file) as f:
        calls = json.load(f)
    headers = {"Authorization": f"Bearer {os.environ['KOSMO_MCP_TOKEN']}"}
    async with httpx2.AsyncClient(headers=headers, timeout=60) as http:
        async with Client(streamable_http_client(url, http_client=http), mode=mode) as client:
            listed = await client.list_tools()
            tools = {tool.name: tool for tool in listed.tools}
            report = {
                "protocol_version": client.protocol_version,
                "tools": {
                    name: {
                        "output_schema": tool.output_schema,
                        "annotations": tool.annotations.model_dump(by_alias=True, exclude_none=True)
                        if tool.annotations
                        else None,
                    }
                    for name, tool in tools.items()
                },
                "calls": [],
            }
            for name, arguments in calls:
                result = await client.call_tool(name, arguments)
                schema = tools[name].output_schema
                problems = []
                if schema is None:
                    problems.append("the tool has no outputSchema")
                elif result.structured_content is None:
                    problems.append("no structuredContent")
                else:
                    validator = jsonschema.Draft202012Validator(schema)
                    problems += [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(result.structured_content)]
                text = "".join(block.text for block in result.content if getattr(block, "type", "") == "text")
                if result.structured_content is not None and json.loads(text) != result.structured_content:
                    problems.append("the text is not the structuredContent's JSON")
                report["calls"].append(
                    {"name": name, "is_error": bool(result.is_error), "problems": problems, "text": text[:4000]}
                )
            return report


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3]))))
