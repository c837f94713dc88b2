#!/usr/bin/env python3
"""`make bench`, last part: how long webhook deliveries take to leave.

For each backend in BENCH_BACKENDS, starts the release server on a fresh
database with a receiver on 127.0.0.1 subscribed to every event, then
  - publishes 30 posts one after another and times, for each, the gap
    between the 201 answer (the commit) and the delivery's arrival;
  - schedules 5 posts 2 to 6 seconds ahead and times the gap between each
    post's `published_at` and the arrival of its `post.published`.
Prints the median and the largest gap of each. Reports; asserts nothing.
"""

import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BINARY = os.environ.get("BENCH_BINARY") or os.path.join(ROOT, "target", "release", "blog-backend")
BACKENDS = (os.environ.get("BENCH_BACKENDS") or "sqlite postgres").split()
PG_ADMIN_URL = os.environ.get("TEST_DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres"
TOKEN = "bench-admin-token"

arrivals = {}


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        arrivals.setdefault((body["event"], body["data"]["id"]), time.time())
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def psql(sql):
    subprocess.run(["psql", PG_ADMIN_URL, "-qAt", "-c", sql], check=True, capture_output=True)


def measure(backend, receiver_url):
    arrivals.clear()
    workdir = tempfile.mkdtemp(prefix="blog-webhook-bench-")
    if backend == "sqlite":
        url = os.path.join(workdir, "blog.db")
    else:
        name = f"blog_webhook_bench_{os.getpid()}"
        psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        psql(f"CREATE DATABASE {name}")
        url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}?sslmode=disable"
    port = free_port()
    server = subprocess.Popen([BINARY, "serve"], env={
        **os.environ, "DATABASE_URL": url, "BIND": f"127.0.0.1:{port}",
        "ADMIN_TOKEN": TOKEN, "RUST_LOG": "warn"})
    base = f"http://127.0.0.1:{port}"

    def call(path, body):
        request = urllib.request.Request(
            base + "/api/v1" + path, data=json.dumps(body).encode(), method="POST",
            headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"})
        return json.loads(urllib.request.urlopen(request, timeout=30).read())

    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/readyz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        call("/webhooks", {"url": receiver_url, "events": ["*"]})
        committed = {}
        for i in range(30):
            post = call("/posts", {"title": f"Delivered {i}", "status": "published"})
            committed[post["id"]] = time.time()
            time.sleep(0.05)
        due = {}
        for i in range(5):
            at = (datetime.now(timezone.utc) + timedelta(seconds=2 + i)).replace(microsecond=0)
            post = call("/posts", {"title": f"Scheduled {i}", "status": "published",
                                   "published_at": at.isoformat().replace("+00:00", "Z")})
            due[post["id"]] = at.timestamp()
        time.sleep(9)
    finally:
        server.terminate()
        server.wait(timeout=60)
        if backend != "sqlite":
            psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        shutil.rmtree(workdir, ignore_errors=True)

    def gaps(started):
        return [(arrivals[("post.published", post)] - at) * 1000 for post, at in started.items()]

    for label, started in (("after the commit (the 201)", committed), ("after published_at", due)):
        found = gaps(started)
        print(f"{backend:8} webhook delivery {label}: median {statistics.median(found):.1f} ms, "
              f"largest {max(found):.1f} ms ({len(found)} deliveries)")


def main():
    receiver = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{receiver.server_port}/hooks/blog"
    for backend in BACKENDS:
        measure(backend, url)


if __name__ == "__main__":
    sys.exit(main())
