"""Sends one SMS through `kosmo mcp:serve` with the official MCP Python SDK,
answering the server's confirmation as told, and prints what happened as JSON.

usage: confirm_sms.py MODE ANSWER ARGUMENTS_JSON KOSMO [SERVER ARGS...]
  MODE    legacy (initialize handshake, 2025-11-25: elicitation/create) or
          2026-07-28 (no handshake: the input-required result)
  ANSWER  accept, decline, cancel, or none (the client declares no elicitation)
"""

import asyncio
import json
import os
import sys

import mcp_types as types
from mcp.client import Client
from mcp.client.stdio import StdioServerParameters


async def main() -> None:
    mode, answer, arguments, kosmo, *server_args = sys.argv[1:]
    asked: list[dict] = []

    async def on_elicit(context, params):
        asked.append({"message": params.message, "schema": params.requested_schema.model_dump(mode="json", by_alias=True, exclude_none=True) if hasattr(params.requested_schema, "model_dump") else params.requested_schema})
        if answer == "accept":
            return types.ElicitResult(action="accept", content={"confirm": True})
        return types.ElicitResult(action=answer)

    server = StdioServerParameters(command=kosmo, args=["mcp:serve", *server_args], env=dict(os.environ))
    async with Client(
        server,
        mode=mode,
        elicitation_callback=on_elicit if answer != "none" else None,
        read_timeout_seconds=60,
    ) as client:
        result = await client.call_tool("ringcentral_send_sms", json.loads(arguments))
        text = "".join(block.text for block in result.content if getattr(block, "type", "") == "text")
        print(json.dumps({
            "protocol_version": client.protocol_version,
            "is_error": bool(result.is_error),
            "text": text,
            "asked": asked,
        }))


asyncio.run(main())
