"""Drives `policy-search mcp` with the official Python MCP client.

Usage: client.py BINARY WORKDIR (WORKDIR holds the index in idx/).
Prints one line per check and exits non-zero on the first failure.
"""

import asyncio
import json
import sys

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client


def attr(obj, name: str):
    """A field by its snake_case name (mcp 2) or its camelCase one (mcp 1)."""
    if hasattr(obj, name):
        return getattr(obj, name)
    head, *rest = name.split("_")
    return getattr(obj, head + "".join(w.title() for w in rest))


async def main(binary: str, cwd: str) -> None:
    params = StdioServerParameters(command=binary, args=["mcp", "--index", "idx"], cwd=cwd)
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            init = await session.initialize()
            assert attr(init, "server_info").name == "policy-search", init
            print("initialize:", attr(init, "server_info").name, attr(init, "protocol_version"))

            tools = (await session.list_tools()).tools
            names = sorted(t.name for t in tools)
            assert names == ["get_passage", "search", "status"], names
            for t in tools:
                assert t.description and len(t.description) > 40, t.name
                assert attr(t, "input_schema").get("type") == "object", t
            search = next(t for t in tools if t.name == "search")
            assert "query" in attr(search, "input_schema")["properties"]
            assert attr(search, "input_schema").get("required") == ["query"], search
            print("tools/list:", ", ".join(names))

            found = await session.call_tool("search", {"query": "provider collaboratives", "n": 3})
            assert not attr(found, "is_error"), found
            data = json.loads(found.content[0].text)
            assert len(data["passages"]) == 3, data
            first = data["passages"][0]
            for key in ("passage_id", "citation", "quote", "title", "source"):
                assert first.get(key), (key, first)
            print("tools/call search:", data["total_hits"], "hits,", first["passage_id"])

            passage = await session.call_tool("get_passage", {"id": first["passage_id"], "context": 1})
            assert not attr(passage, "is_error"), passage
            p = json.loads(passage.content[0].text)
            assert p["passage_id"] == first["passage_id"], p
            assert p["quote"] == first["quote"]
            assert p["citation"] == first["citation"]
            assert len(p["after"]) <= 1 and len(p["before"]) <= 1
            print("tools/call get_passage:", p["citation"])

            bad = await session.call_tool("search", {"query": "care", "n": 500})
            assert attr(bad, "is_error"), bad
            missing = await session.call_tool("get_passage", {"id": "nothing.txt#0"})
            assert attr(missing, "is_error"), missing
            print("tools/call errors: reported as tool errors")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
