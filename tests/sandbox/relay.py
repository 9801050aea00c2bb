#!/usr/bin/env python3
"""TCP relay for the sandbox's test host (see tests/sandbox/testhost).

  relay.py --netns /run/netns/NAME --listen-ip IP --upstream HOST:PORT --ca FILE
           [--tcp PORT] [--http-to-tls PORT] [--reset PORT]

The process moves into the network namespace NAME and listens there on IP
(an address of that namespace). Its upstream sockets are created in the
namespace it was started in, so they reach HOST:PORT there (the sandbox's
Keycloak on 127.0.0.1, which the test namespace cannot see). Living in NAME,
the relay is found by `ip netns pids NAME`. Listeners:

  --tcp PORT          plain byte relay to the upstream (TLS passes through
                      end to end: clients speak HTTPS to Keycloak itself).
  --http-to-tls PORT  accepts plain TCP and speaks TLS to the upstream,
                      verified against --ca (like a service-mesh sidecar in
                      front of an HTTPS-only server): clients speak HTTP.
  --reset PORT        accepts and resets every connection at once (a backend
                      that refuses to talk, e.g. one that demands mTLS).

A port of IP where nothing listens refuses connections (RST from the kernel).
Runs until SIGTERM/SIGINT; one log line per listener at start, errors only
after that.
"""
import argparse
import asyncio
import ctypes
import os
import signal
import socket
import ssl
import struct
import sys

CLONE_NEWNET = 0x40000000


LIBC = ctypes.CDLL(None, use_errno=True)


def setns(fd):
    if LIBC.setns(fd, CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, "setns: " + os.strerror(err))


class Namespaces:
    """The test namespace (where this process lives) and the one it came from.

    setns() switches the calling thread only; the relay runs one thread (the
    event loop, which connects to IP literals without a resolver thread)."""

    def __init__(self, netns_path):
        self.home = os.open("/proc/self/ns/net", os.O_RDONLY)
        self.test = os.open(netns_path, os.O_RDONLY)
        setns(self.test)

    def home_socket(self):
        """A TCP socket of the original namespace."""
        setns(self.home)
        try:
            return socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        finally:
            setns(self.test)


def listeners(ip, ports):
    socks = {}
    for port in ports:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((ip, port))
        s.listen(128)
        s.setblocking(False)
        socks[port] = s
    return socks


async def pump(reader, writer):
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            writer.write(data)
            await writer.drain()
    except (ConnectionError, ssl.SSLError, OSError):
        pass
    finally:
        try:
            if writer.can_write_eof():
                writer.write_eof()
            else:
                writer.close()
        except (ConnectionError, OSError, RuntimeError):
            pass


async def splice(c_reader, c_writer, u_reader, u_writer):
    await asyncio.gather(pump(c_reader, u_writer), pump(u_reader, c_writer))
    for w in (c_writer, u_writer):
        w.close()


def handler(ns, host, port, tls_ctx):
    async def handle(c_reader, c_writer):
        sock = ns.home_socket()
        try:
            sock.setblocking(False)
            await asyncio.get_running_loop().sock_connect(sock, (host, port))
            if tls_ctx is None:
                u_reader, u_writer = await asyncio.open_connection(sock=sock)
            else:
                u_reader, u_writer = await asyncio.open_connection(
                    sock=sock, ssl=tls_ctx, server_hostname=host)
        except (OSError, ssl.SSLError) as e:
            sock.close()
            print("relay: upstream %s:%d: %s" % (host, port, e), file=sys.stderr, flush=True)
            c_writer.close()
            return
        await splice(c_reader, c_writer, u_reader, u_writer)
    return handle


async def reset(_reader, writer):
    sock = writer.get_extra_info("socket")
    if sock is not None:
        # SO_LINGER with a zero timeout: close() sends RST instead of FIN.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


async def serve(args, ns, socks):
    host, port = args.upstream.rsplit(":", 1)
    port = int(port)
    tls_ctx = ssl.create_default_context(cafile=args.ca)
    servers = []
    for p in args.tcp:
        servers.append(await asyncio.start_server(handler(ns, host, port, None), sock=socks[p]))
        print("relay: %s:%d -> %s:%d (tcp)" % (args.listen_ip, p, host, port), flush=True)
    for p in args.http_to_tls:
        servers.append(await asyncio.start_server(handler(ns, host, port, tls_ctx), sock=socks[p]))
        print("relay: %s:%d -> %s:%d (tls to upstream)" % (args.listen_ip, p, host, port), flush=True)
    for p in args.reset:
        servers.append(await asyncio.start_server(reset, sock=socks[p]))
        print("relay: %s:%d resets every connection" % (args.listen_ip, p), flush=True)
    # Nothing to flush or save: on a signal, exit at once (the kernel closes
    # the connections) instead of winding down kept-alive TLS connections.
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, os._exit, 0)
    await asyncio.Event().wait()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--netns", required=True)
    ap.add_argument("--listen-ip", required=True)
    ap.add_argument("--upstream", required=True)
    ap.add_argument("--ca", required=True)
    ap.add_argument("--tcp", type=int, action="append", default=[])
    ap.add_argument("--http-to-tls", type=int, action="append", default=[])
    ap.add_argument("--reset", type=int, action="append", default=[])
    args = ap.parse_args()
    ns = Namespaces(args.netns)
    socks = listeners(args.listen_ip, args.tcp + args.http_to_tls + args.reset)
    asyncio.run(serve(args, ns, socks))


if __name__ == "__main__":
    main()
