#!/usr/bin/env python3
"""Pages a lone send writes to SQLite's WAL, by b-tree.

Starts `parta serve` on a data directory that `parta-bench run --data DIR` provisioned
(it reads the teachers' tokens from DIR/bench-directory.json), sends one message at a
time, each by another class teacher to their class chat, and reads the frames the WAL
gained after each: every frame is one 4 KiB page written whole, and again at the
checkpoint. `dbstat` names the b-tree each page belongs to.

The sends are stored: run it on a copy of the directory.

    python3 scripts/wal-pages.py --data /tmp/school-copy --parta target/release/parta --sends 20
"""
import argparse
import collections
import json
import sqlite3
import struct
import subprocess
import time
import urllib.request

FRAME_HEADER, WAL_HEADER = 24, 32


def frames(wal, page_size):
    """The page number of every frame in the WAL, in order."""
    pages = []
    with open(wal, "rb") as f:
        f.seek(WAL_HEADER)
        while len(header := f.read(FRAME_HEADER)) == FRAME_HEADER:
            pages.append(struct.unpack(">I", header[:4])[0])
            f.seek(page_size, 1)
    return pages


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True)
    parser.add_argument("--parta", required=True)
    parser.add_argument("--sends", type=int, default=20)
    parser.add_argument("--port", type=int, default=18555)
    args = parser.parse_args()

    school = json.load(open(f"{args.data}/bench-directory.json"))
    base = f"http://127.0.0.1:{args.port}"
    log = open(f"{args.data}/wal-pages.log", "w")
    server = subprocess.Popen(
        [args.parta, "serve", "--data", args.data, "--listen", f"127.0.0.1:{args.port}", "--messages-per-minute", "0"],
        stdout=log,
        stderr=log,
    )
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"{base}/readyz")
                break
            except OSError:
                time.sleep(0.2)
        db = sqlite3.connect(f"file:{args.data}/parta.db?mode=ro", uri=True)
        page_size = db.execute("PRAGMA page_size").fetchone()[0]
        owner = dict(db.execute("SELECT pageno, name FROM dbstat"))
        wal = f"{args.data}/parta.db-wal"
        by_tree, per_send = collections.Counter(), []
        for i, cls in enumerate(school["classes"][: args.sends]):
            before = len(frames(wal, page_size))
            body = {"client_msg_id": f"wal-pages-{time.time_ns()}", "body": f"Домашнее задание на завтра, номер {i}"}
            request = urllib.request.Request(
                f"{base}/api/v1/chats/{cls['class_chat']}/messages",
                data=json.dumps(body).encode(),
                method="POST",
                headers={"content-type": "application/json", "authorization": f"Bearer {cls['teacher']['token']}"},
            )
            urllib.request.urlopen(request).read()
            time.sleep(0.3)  # anything the send set off (its session's touch) lands too
            written = frames(wal, page_size)[before:]
            per_send.append(len(written))
            by_tree.update(owner.get(page, "(a new page)") for page in written)
    finally:
        server.terminate()
        server.wait()
    sends = len(per_send)
    print(f"frames per send: {per_send} (mean {sum(per_send) / sends:.1f})")
    for tree, count in by_tree.most_common():
        print(f"{count / sends:6.2f}  {tree}")


if __name__ == "__main__":
    main()
