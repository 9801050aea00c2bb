#!/usr/bin/env python3
"""Loopback HTTP/1.1 counting proxy for the benchmark's counting pass.

Listens on 127.0.0.1 with a certificate issued by the sandbox CA (so every
contender verifies it exactly as it verifies the real server), offers only
HTTP/1.1 by ALPN, opens one upstream TLS connection per client connection
(optionally with a client certificate, for the kube-apiserver) and relays
request by request. For every request it appends one JSON line to the log:

  {"conn": N, "method": "GET", "path": "/…", "status": 200,
   "request_bytes": …, "response_bytes": …, "body_bytes": …, "json_items": …}

response_bytes is the HTTP/1.1 response as sent (status line, headers and
body as framed); body_bytes is the decoded payload. Paths hold no secrets
(credentials travel in headers and bodies, which are never logged). The
line is written before the response is passed on, so it is on disk when
the client has its answer. Not used for timing.

Usage: countproxy.py --upstream HOST:PORT --cert C --key K --ca CA
         [--upstream-cert C --upstream-key K] --log FILE --port-file FILE
"""

import argparse
import asyncio
import itertools
import json
import os
import ssl
import sys

LIMIT = 1 << 20  # longest header block accepted


async def read_head(reader):
    try:
        return await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as err:
        if err.partial.strip():
            raise
        return None


def parse_head(head):
    lines = head.decode("latin-1").split("\r\n")
    fields = {}
    for line in lines[1:]:
        if line:
            name, _, value = line.partition(":")
            fields[name.strip().lower()] = value.strip()
    return lines[0], fields


KEEP = 64 << 20  # bodies up to this size are kept to count JSON array items


class Body:
    """Relays a message body piece by piece as it arrives, counting it."""

    def __init__(self, writer):
        self.writer, self.wire, self.payload, self.kept, self.complete = writer, 0, 0, [], True

    async def send(self, data, payload=b""):
        self.wire += len(data)
        self.payload += len(payload)
        if payload and self.payload <= KEEP:
            self.kept.append(payload)
        if self.writer is not None:
            self.writer.write(data)
            await self.writer.drain()

    def items(self):
        """Length of a JSON array body; "invalid" when the body is not complete JSON."""
        if self.payload > KEEP or not self.kept:
            return None
        try:
            value = json.loads(b"".join(self.kept))
        except ValueError:
            return "invalid"
        return len(value) if isinstance(value, list) else None


async def relay_body(reader, fields, body, to_eof):
    """Copy one body (chunked, Content-Length or up to EOF) from reader to body."""
    try:
        if "chunked" in fields.get("transfer-encoding", "").lower():
            while True:
                line = await reader.readuntil(b"\r\n")
                size = int(line.split(b";")[0].strip(), 16)
                if size == 0:
                    await body.send(line)
                    while True:
                        trailer = await reader.readuntil(b"\r\n")
                        await body.send(trailer)
                        if trailer == b"\r\n":
                            return
                data = await reader.readexactly(size + 2)
                await body.send(line + data, data[:-2])
        elif "content-length" in fields:
            left = int(fields["content-length"])
            while left:
                data = await reader.read(min(left, 1 << 16))
                if not data:
                    raise asyncio.IncompleteReadError(b"", left)
                left -= len(data)
                await body.send(data, data)
        elif to_eof:
            while data := await reader.read(1 << 16):
                await body.send(data, data)
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError, ValueError):
        body.complete = False
        partial = getattr(sys.exc_info()[1], "partial", b"")
        if partial:
            await body.send(partial)


class Proxy:
    def __init__(self, args):
        self.host, port = args.upstream.rsplit(":", 1)
        self.port = int(port)
        self.log = open(args.log, "a", buffering=1)
        self.conns = itertools.count(1)
        self.server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.server_ctx.load_cert_chain(args.cert, args.key)
        self.server_ctx.set_alpn_protocols(["http/1.1"])
        self.client_ctx = ssl.create_default_context(cafile=args.ca)
        self.client_ctx.set_alpn_protocols(["http/1.1"])
        if args.upstream_cert:
            self.client_ctx.load_cert_chain(args.upstream_cert, args.upstream_key)

    def record(self, **entry):
        self.log.write(json.dumps(entry) + "\n")

    async def handle(self, creader, cwriter):
        conn = next(self.conns)
        uwriter = None
        try:
            ureader, uwriter = await asyncio.open_connection(
                self.host, self.port, ssl=self.client_ctx, server_hostname=self.host, limit=LIMIT)
            self.record(conn=conn, event="connect")
            while True:
                head = await read_head(creader)
                if head is None:
                    break
                first, fields = parse_head(head)
                method, target = first.split(" ")[:2]
                uwriter.write(head)
                request = Body(uwriter)
                await relay_body(creader, fields, request, to_eof=False)
                await uwriter.drain()
                interim = 0
                while True:
                    rhead = await read_head(ureader)
                    if rhead is None:
                        raise ConnectionError("upstream closed before answering")
                    rfirst, rfields = parse_head(rhead)
                    status = int(rfirst.split(" ")[1])
                    cwriter.write(rhead)
                    if 100 <= status < 200:
                        interim += len(rhead)
                        continue
                    break
                response = Body(cwriter)
                if not (method == "HEAD" or status in (204, 304)):
                    await relay_body(ureader, rfields, response, to_eof=True)
                entry = dict(conn=conn, method=method, path=target, status=status,
                             request_bytes=len(head) + request.wire,
                             response_bytes=interim + len(rhead) + response.wire, body_bytes=response.payload)
                if not response.complete:
                    entry["incomplete"] = True
                items = response.items()
                if items is not None:
                    entry["json_items"] = items
                self.record(**entry)
                if not response.complete or rfields.get("connection", "").lower() == "close":
                    break
        except (ConnectionError, asyncio.IncompleteReadError, ssl.SSLError, OSError) as err:
            self.record(conn=conn, event="error", error=type(err).__name__)
        finally:
            for writer in (cwriter, uwriter):
                if writer is not None:
                    writer.close()


async def main():
    parser = argparse.ArgumentParser()
    for name in ("--upstream", "--cert", "--key", "--ca", "--log", "--port-file"):
        parser.add_argument(name, required=True)
    parser.add_argument("--upstream-cert")
    parser.add_argument("--upstream-key")
    args = parser.parse_args()
    proxy = Proxy(args)
    server = await asyncio.start_server(proxy.handle, "127.0.0.1", 0, ssl=proxy.server_ctx, limit=LIMIT)
    port = server.sockets[0].getsockname()[1]
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(f"{port}\n")
    os.replace(tmp, args.port_file)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
