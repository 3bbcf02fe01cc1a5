"""Proves a TURN credential works on a real relay: allocates a relayed address with
it, sends a datagram through the relay to a socket on loopback and receives that
socket's answer back through the relay. Exits non-zero when any step fails.

Usage: python3 scripts/turn-check.py HOST PORT USERNAME PASSWORD   (needs PyPI aioice)
"""
import asyncio
import socket
import sys

from aioice import turn


async def check(host: str, port: int, username: str, password: str) -> None:
    loop = asyncio.get_running_loop()
    peer = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    peer.bind(("127.0.0.1", 0))
    peer.setblocking(False)
    answered = loop.create_future()

    class Relayed(asyncio.DatagramProtocol):
        def datagram_received(self, data, addr):
            if not answered.done():
                answered.set_result(data)

    transport, _ = await asyncio.wait_for(turn.create_turn_endpoint(Relayed, (host, port), username, password), 5)
    try:
        transport.sendto(b"parta", peer.getsockname())
        data, relay = await asyncio.wait_for(loop.sock_recvfrom(peer, 100), 5)
        peer.sendto(b"back:" + data, relay)
        reply = await asyncio.wait_for(answered, 5)
        assert reply == b"back:parta", reply
        print(f"relayed through {relay[0]}:{relay[1]}")
    finally:
        transport.close()
        peer.close()


if __name__ == "__main__":
    host, port, username, password = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    try:
        asyncio.run(check(host, port, username, password))
    except Exception as error:  # noqa: BLE001 — any failure is the answer
        print(f"TURN check failed: {error!r}", file=sys.stderr)
        sys.exit(1)
