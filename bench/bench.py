#!/usr/bin/env python3
"""`make bench`: HTTP load on the release server, on SQLite and PostgreSQL.

For each backend: seeds a fresh database (`blog-backend seed`), starts the
server, and drives each scenario with wrk for BENCH_SECONDS; then, for each
size in BENCH_SCALES, seeds another database and measures `GET /tags` again,
warm, under a steady write rate (then every count is held against the
`GROUP BY` join) and right after a write; at a million posts, searches and
deep pages too. Prints a table and writes it, with the
machine, the settings and the PostgreSQL plans of the hot queries, to
BENCH_RESULTS. Nothing here asserts a time: a benchmark reports.

Settings (environment):
  BENCH_BACKENDS      "sqlite postgres" (default) or one of them
  BENCH_POSTS         posts in the main data set (10000)
  BENCH_TAGS          tags (500); BENCH_TAGS_PER_POST (5)
  BENCH_SCALES        post counts for the GET /tags scale runs
                      ("10000 100000 1000000"; "" skips them)
  BENCH_SECONDS       seconds per measured run (10)
  BENCH_ROUNDS        measured runs per scenario, the median reported (3)
  BENCH_CONNECTIONS   open connections (32); BENCH_THREADS wrk threads (2)
  BENCH_RESULTS       where the report goes (bench/results.md)
  TEST_DATABASE_URL   a PostgreSQL URL whose server gets the databases
                      (postgres://postgres@127.0.0.1:5432/postgres)
  DATABASE_POOL_SIZE, WORKERS   passed on to the server
  BENCH_BINARY        the server to measure (target/release/blog-backend): another
                      build, to compare two
  BENCH_PLANS         "1" (default) records the PostgreSQL plans of the hot
                      statements; "0" does not (a build whose schema they do not fit)
  BENCH_WRITES_PER_SECOND, BENCH_MIXED_SECONDS, BENCH_MIXED_ROUNDS
                      the writer's rate (10), and the length (30 s) and number
                      (3) of the alternating runs of GET /tags alone and under
                      writes, at every size (mixed.py)
  BENCH_RELATED_AT    from this size on (100000), related posts of 200 posts
  BENCH_DEEP_AT       from this size on (1000000), title searches and the
                      first and last pages of the post lists are measured too
"""

import json
import os
import platform
import resource
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timezone

import mixed

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WRK_DIR = os.path.join(ROOT, "bench", "wrk")
TOKEN = "bench-admin-token"


def setting(name, default):
    value = os.environ.get(name, "").strip()
    return value if value else default


BACKENDS = setting("BENCH_BACKENDS", "sqlite postgres").split()
POSTS = int(setting("BENCH_POSTS", "10000"))
TAGS = int(setting("BENCH_TAGS", "500"))
TAGS_PER_POST = int(setting("BENCH_TAGS_PER_POST", "5"))
SCALES = [int(n) for n in os.environ.get("BENCH_SCALES", "10000 100000 1000000").split()]
SECONDS = int(setting("BENCH_SECONDS", "10"))
ROUNDS = int(setting("BENCH_ROUNDS", "3"))
CONNECTIONS = int(setting("BENCH_CONNECTIONS", "32"))
THREADS = int(setting("BENCH_THREADS", "2"))
RESULTS = setting("BENCH_RESULTS", os.path.join(ROOT, "bench", "results.md"))
BINARY = setting("BENCH_BINARY", os.path.join(ROOT, "target", "release", "blog-backend"))
PLANS = setting("BENCH_PLANS", "1") == "1"
DEEP_AT = int(setting("BENCH_DEEP_AT", "1000000"))
RELATED_AT = int(setting("BENCH_RELATED_AT", "100000"))
PG_ADMIN_URL = setting("TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
SEED = 20261121


def log(message):
    print(message, file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Database:
    """A fresh database of one backend, removed on close."""

    def __init__(self, backend, label):
        self.backend = backend
        self.workdir = tempfile.mkdtemp(prefix="blog-bench-")
        if backend == "sqlite":
            self.url = os.path.join(self.workdir, "blog.db")
        else:
            self.name = f"blog_bench_{os.getpid()}_{label}"
            self.psql_admin(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")
            self.psql_admin(f"CREATE DATABASE {self.name}")
            parts = urllib.parse.urlsplit(PG_ADMIN_URL)
            # Loopback: TLS (libpq's default when the server offers it)
            # would only measure encryption.
            query = parts.query or "sslmode=disable"
            self.url = urllib.parse.urlunsplit(parts._replace(path="/" + self.name, query=query))

    def psql_admin(self, sql):
        subprocess.run(["psql", PG_ADMIN_URL, "-qAt", "-v", "ON_ERROR_STOP=1", "-c", sql],
                       check=True, capture_output=True, text=True)

    def psql(self, sql):
        return subprocess.run(["psql", self.url, "-qAt", "-v", "ON_ERROR_STOP=1", "-c", sql],
                              check=True, capture_output=True, text=True).stdout

    def seed(self, posts):
        started = time.monotonic()
        subprocess.run(
            [BINARY, "seed", "--posts", str(posts), "--tags", str(TAGS),
             "--tags-per-post", str(TAGS_PER_POST), "--seed", str(SEED)],
            env={**os.environ, "DATABASE_URL": self.url, "RUST_LOG": "warn"},
            check=True, stderr=subprocess.DEVNULL)
        return time.monotonic() - started

    def close(self):
        if self.backend == "postgres":
            self.psql_admin(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")
        shutil.rmtree(self.workdir, ignore_errors=True)


class Server:
    """The release server on a database, stopped on close."""

    def __init__(self, database):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = open(os.path.join(database.workdir, "server.log"), "w+")
        env = {**os.environ, "DATABASE_URL": database.url, "BIND": f"127.0.0.1:{self.port}",
               "ADMIN_TOKEN": TOKEN, "RUST_LOG": "warn"}
        self.process = subprocess.Popen([BINARY, "serve"], env=env, stdout=self.log,
                                        stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                self.call("GET", "/readyz")
                return
            except OSError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.1)
        self.close()
        raise SystemExit("the server did not start; its log:\n" + self.server_log())

    def call(self, method, path, body=None, public=False):
        data = None if body is None else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"}
        if not public:
            headers["Authorization"] = f"Bearer {TOKEN}"
        request = urllib.request.Request(self.base + path, data=data, method=method,
                                         headers=headers)
        with urllib.request.urlopen(request, timeout=120) as response:
            return json.loads(response.read() or b"null")

    def server_log(self):
        self.log.seek(0)
        return self.log.read()

    def close(self):
        self.process.terminate()
        self.process.wait(timeout=60)
        errors = [line for line in self.server_log().splitlines()
                  if " ERROR " in line or "panicked" in line]
        self.log.close()
        if errors:
            raise SystemExit("the server logged errors:\n" + "\n".join(errors[:20]))


WARMUP_SECONDS = 2


def measure(server, script, path="/", args=(), env=None):
    """A short unmeasured run that fills caches and pools, then ROUNDS
    measured runs; the run with the median throughput is reported, since
    the load generator, the server and the database share the machine."""
    wrk(server, script, path, args, WARMUP_SECONDS, env)
    runs = sorted((wrk(server, script, path, args, env=env) for _ in range(ROUNDS)),
                  key=lambda run: run["rps"])
    return {**runs[len(runs) // 2], "rps_runs": [round(run["rps"]) for run in runs]}


TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    """User and system CPU time of a process, all its threads."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICKS
    except (OSError, IndexError, ValueError):
        return 0.0


def postgres_cpu_seconds():
    """CPU time of every PostgreSQL process on the machine."""
    total = 0.0
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/comm") as f:
                    if f.read().strip() == "postgres":
                        total += cpu_seconds(entry)
            except OSError:
                pass
    return total


def wrk(server, script, path="/", args=(), seconds=SECONDS, env=None):
    """One wrk run: throughput, latency, and how busy the server, PostgreSQL
    and wrk itself kept the machine's cores meanwhile."""
    before = (time.monotonic(), cpu_seconds(server.process.pid), postgres_cpu_seconds(),
              resource.getrusage(resource.RUSAGE_CHILDREN))
    command = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "10s",
               "-s", os.path.join(WRK_DIR, script), server.base + path]
    if args:
        command += ["--", *args]
    output = subprocess.run(command, env={**os.environ, "BENCH_WRK_DIR": WRK_DIR, **(env or {})},
                            check=True, capture_output=True, text=True).stdout
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    elapsed = time.monotonic() - before[0]
    cores = lambda used: used / elapsed  # noqa: E731
    cpu = {
        "server": cores(cpu_seconds(server.process.pid) - before[1]),
        "postgres": cores(postgres_cpu_seconds() - before[2]),
        "wrk": cores(children.ru_utime + children.ru_stime
                     - before[3].ru_utime - before[3].ru_stime),
    }
    line = next(l for l in output.splitlines() if l.startswith("BENCH "))
    figures = json.loads(line[len("BENCH "):])
    if figures["non_2xx"] or figures["socket_errors"]:
        raise SystemExit(f"{script} {path}: {figures['non_2xx']} non-2xx answers, "
                         f"{figures['socket_errors']} socket errors\n{output}")
    return {
        "rps": figures["requests"] / (figures["duration_us"] / 1e6),
        "p50_ms": figures["p50_us"] / 1000,
        "p99_ms": figures["p99_us"] / 1000,
        "requests": figures["requests"],
        "cpu": cpu,
    }


def main_scenarios(server):
    """Each scenario as (key, title, is_read, run)."""
    popular = server.call("GET", "/api/v1/tags?per_page=200&sort=count")["items"]
    names = [json.dumps(tag["name"], ensure_ascii=False) for tag in popular[:50]]
    first, second = popular[0]["slug"], popular[1]["slug"]
    visible = [post for page in (1, 2)
               for post in server.call("GET", f"/api/v1/posts?per_page=100&page={page}",
                                       public=True)["items"]]
    ids = [str(post["id"]) for post in visible]
    run = datetime.now(timezone.utc).strftime("%H%M%S")
    session = {"BENCH_BEARER": sign_in(server)}
    tag_page = f"/api/v1/tags/{first}/posts"
    unchanged_page = {"BENCH_IF_NONE_MATCH": current_etag(server, tag_page)}
    unchanged_posts = [f"{id}|{current_etag(server, f'/api/v1/posts/{id}')}" for id in ids]
    return [
        ("healthz", "GET /healthz", True, lambda: measure(server, "get.lua", "/healthz")),
        ("tags", "GET /api/v1/tags?per_page=50", True,
         lambda: measure(server, "get.lua", "/api/v1/tags?per_page=50")),
        ("tag_posts", f"GET /api/v1/tags/{first}/posts", True,
         lambda: measure(server, "get.lua", f"/api/v1/tags/{first}/posts")),
        ("posts_by_tags", f"GET /api/v1/posts?tag={first}&tag={second}", True,
         lambda: measure(server, "get.lua", f"/api/v1/posts?tag={first}&tag={second}")),
        ("post", "GET /api/v1/posts/{id}", True,
         lambda: measure(server, "get_posts.lua", args=ids)),
        ("post_session", "GET /api/v1/posts/{id} with a session token", True,
         lambda: measure(server, "get_posts.lua", args=ids, env=session)),
        ("tag_posts_304", f"GET {tag_page} answered 304 (If-None-Match)", True,
         lambda: measure(server, "get.lua", tag_page, env=unchanged_page)),
        ("post_304", "GET /api/v1/posts/{id} answered 304 (If-None-Match)", True,
         lambda: measure(server, "get_posts.lua", args=unchanged_posts)),
        ("replace_tags", "PATCH /api/v1/posts/{id} replacing its 5 tags", False,
         lambda: measure(server, "replace_tags.lua", args=[TOKEN, *ids, "--names", *names])),
        ("create", "POST /api/v1/posts with 5 tags (3 existing, 2 new)", False,
         lambda: measure(server, "create_post.lua", args=[TOKEN, run, *names])),
    ]


def current_etag(server, path):
    """The ETag the public is sent for `path`, checked to be answered 304."""
    with urllib.request.urlopen(server.base + path, timeout=120) as response:
        etag = response.headers["ETag"]
    request = urllib.request.Request(server.base + path, headers={"If-None-Match": etag})
    try:
        urllib.request.urlopen(request, timeout=120)
    except urllib.error.HTTPError as answer:
        if answer.code == 304:
            return etag
        raise
    raise SystemExit(f"{path}: If-None-Match {etag} was not answered 304")


def sign_in(server):
    """A session token of an editor made for the run."""
    password = "bench password, not a secret"
    server.call("POST", "/api/v1/users", {"name": "Bench Editor", "email": "bench@example.com",
                                          "role": "editor", "password": password})
    session = server.call("POST", "/api/v1/session",
                          {"email": "bench@example.com", "password": password}, public=True)
    return session["token"]


def tags_after_a_write(server, post_id, rounds=5):
    """Milliseconds of GET /tags right after a write that changes counts."""
    popular = server.call("GET", "/api/v1/tags?per_page=10")["items"]
    times = []
    for i in range(rounds):
        tags = [popular[(i + k) % len(popular)]["name"] for k in range(TAGS_PER_POST)]
        server.call("PATCH", f"/api/v1/posts/{post_id}", {"tags": tags})
        started = time.monotonic()
        server.call("GET", "/api/v1/tags?per_page=50")
        times.append((time.monotonic() - started) * 1000)
    return statistics.median(times)


POSTGRES_PLANS = {
    "tag counts (the GROUP BY join behind GET /tags)": """
        SELECT tags.id, tags.name, tags.name_key, tags.slug, tags.description, tags.created_at,
               count(posts.id) FILTER (WHERE posts.status = 'published'
                   AND posts.published_at <= now() AND posts.deleted_at IS NULL),
               count(posts.id)
        FROM tags
        LEFT JOIN post_tags ON post_tags.tag_id = tags.id
        LEFT JOIN posts ON posts.id = post_tags.post_id AND posts.deleted_at IS NULL
        GROUP BY tags.id""",
}


# The statements behind the other reads, as the services write them, for
# the two most popular tags ({first} and {second}, by id) and a post.
COMMITTED_CHANGES = "(SELECT CAST(COALESCE(SUM(count_changes), 0) AS BIGINT) FROM change_counters)"
# The rarer tag's links newest first, each post probed for the other tag.
TWO_TAGS = """
        SELECT {columns}
        FROM post_tags JOIN posts ON post_tags.post_id = posts.id
        WHERE post_tags.tag_id = {{second}}
          AND post_tags.public_at <= (now() AT TIME ZONE 'UTC')
          AND posts.status = 'published' AND posts.published_at <= (now() AT TIME ZONE 'UTC')
          AND posts.deleted_at IS NULL
          AND EXISTS (SELECT 1 FROM post_tags other_links
                      WHERE other_links.post_id = posts.id AND other_links.tag_id = {{first}})
        ORDER BY post_tags.public_at DESC, post_tags.post_id DESC LIMIT 20"""

POSTGRES_READ_PLANS = {
    "tag page (GET /tags/{slug}/posts: the tag's links in public order; the total comes from the counts)": """
        SELECT posts.id, posts.title, posts.slug, posts.body, posts.excerpt, posts.status,
               posts.published_at, posts.created_at, posts.updated_at, posts.deleted_at,
               posts.version
        FROM post_tags JOIN posts ON post_tags.post_id = posts.id
        WHERE post_tags.tag_id = {first} AND post_tags.public_at <= (now() AT TIME ZONE 'UTC')
          AND posts.status = 'published' AND posts.published_at <= (now() AT TIME ZONE 'UTC')
          AND posts.deleted_at IS NULL
        ORDER BY post_tags.public_at DESC, post_tags.post_id DESC LIMIT 20""",
    "the tags of a page's posts (the tags themselves come from the counts in memory)": """
        SELECT post_id, tag_id FROM post_tags
        WHERE post_id = ANY (ARRAY(SELECT post_id FROM post_tags WHERE tag_id = {first}
                                   AND public_at IS NOT NULL
                                   ORDER BY public_at DESC, post_id DESC LIMIT 20))
        ORDER BY post_id, position""",
    "posts with two tags, counted with the page (GET /posts?tag=a&tag=b: the rarer tag's links, total not yet known)":
        TWO_TAGS.format(columns="posts.id, count(*) OVER (), " + COMMITTED_CHANGES),
    "posts with two tags, total remembered (the same walk stops after 20)":
        TWO_TAGS.format(columns="posts.id"),
    "posts with one tag but not another (GET /posts?tag=a&tag_not=b: the tag's links in public order, each post probed for the other)": """
        SELECT posts.id
        FROM post_tags JOIN posts ON post_tags.post_id = posts.id
        WHERE post_tags.tag_id = {second}
          AND post_tags.public_at <= (now() AT TIME ZONE 'UTC')
          AND posts.status = 'published' AND posts.published_at <= (now() AT TIME ZONE 'UTC')
          AND posts.deleted_at IS NULL
          AND NOT EXISTS (SELECT 1 FROM post_tags other_links
                          WHERE other_links.post_id = posts.id AND other_links.tag_id IN ({first}))
        ORDER BY post_tags.public_at DESC, post_tags.post_id DESC LIMIT 20""",
    "a tag's visible posts, as related posts read them (one range of the tag's index in public order)": """
        SELECT post_id, public_at FROM post_tags
        WHERE tag_id = {second} AND public_at <= (now() AT TIME ZONE 'UTC')""",
    "a post with its tags (GET /posts/{id})": """
        SELECT posts.*, tags.*
        FROM posts
        LEFT JOIN post_tags ON post_tags.post_id = posts.id
        LEFT JOIN tags ON tags.id = post_tags.tag_id
        WHERE posts.id = {post} AND posts.status = 'published'
          AND posts.published_at <= now() AND posts.deleted_at IS NULL
        ORDER BY post_tags.position""",
}


def postgres_plans(database, reads=False):
    plans = {title: sql for title, sql in POSTGRES_PLANS.items()}
    if reads:
        first, second = database.psql(
            "SELECT tag_id FROM post_tags GROUP BY tag_id ORDER BY count(*) DESC LIMIT 2"
        ).split()
        post = database.psql(
            "SELECT id FROM posts WHERE status = 'published' AND deleted_at IS NULL"
            " AND published_at <= now() ORDER BY published_at DESC LIMIT 1").strip()
        plans.update({title: sql.format(first=first, second=second, post=post)
                      for title, sql in POSTGRES_READ_PLANS.items()})
    return {title: database.psql("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql)
            for title, sql in plans.items()}


def bench_backend(backend, report):
    log(f"== {backend}: seeding {POSTS} posts")
    database = Database(backend, "main")
    try:
        seed_seconds = database.seed(POSTS)
        server = Server(database)
        try:
            results = {}
            after_write = None
            mixed_figures = mixed_authors = None
            for key, title, is_read, run in main_scenarios(server):
                if not is_read and mixed_figures is None:
                    # Before the write scenarios grow the data set.
                    log("   GET /tags and GET /authors under a steady write rate")
                    mixed_figures = mixed.mixed(server, database, wrk, TOKEN)
                    mixed_authors = mixed.mixed(server, database, wrk, TOKEN, "authors")
                if not is_read and after_write is None:
                    # Before the write scenarios grow the data set.
                    after_write = tags_after_a_write(server, first_visible(server))
                    if backend == "postgres" and PLANS:
                        report["plans"][POSTS] = postgres_plans(database, reads=True)
                log(f"   {title}")
                results[key] = {"title": title, "read": is_read, **run()}
            report["backends"][backend] = {"seed_seconds": seed_seconds, "scenarios": results}
            scale = {POSTS: {"seed_seconds": seed_seconds, **results["tags"],
                             "after_write_ms": after_write, "mixed": mixed_figures,
                             "mixed_authors": mixed_authors}}
        finally:
            server.close()
    finally:
        database.close()

    for posts in SCALES:
        if posts == POSTS:
            continue
        log(f"== {backend}: GET /tags at {posts} posts")
        database = Database(backend, f"scale_{posts}")
        try:
            seed_seconds = database.seed(posts)
            server = Server(database)
            try:
                figures = measure(server, "get.lua", "/api/v1/tags?per_page=50")
                deep = mixed.deep_reads(server, TOKEN) if posts >= DEEP_AT else None
                related = mixed.related_reads(server) if posts >= RELATED_AT else None
                log(f"   GET /tags and GET /authors under a steady write rate at {posts} posts")
                under_writes = mixed.mixed(server, database, wrk, TOKEN)
                authors_under_writes = mixed.mixed(server, database, wrk, TOKEN, "authors")
                after = tags_after_a_write(server, first_visible(server))
                scale[posts] = {"seed_seconds": seed_seconds, **figures, "after_write_ms": after,
                                "mixed": under_writes, "mixed_authors": authors_under_writes,
                                "deep": deep, "related": related}
            finally:
                server.close()
            if backend == "postgres" and PLANS:
                report["plans"][posts] = postgres_plans(database)
        finally:
            database.close()
    report["backends"][backend]["scale"] = {n: scale[n] for n in sorted(scale)}


def first_visible(server):
    return server.call("GET", "/api/v1/posts?per_page=1", public=True)["items"][0]["id"]


def machine():
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    postgres = "not used"
    if "postgres" in BACKENDS:
        postgres = subprocess.run(["psql", PG_ADMIN_URL, "-qAt", "-c", "SHOW server_version"],
                                  capture_output=True, text=True).stdout.strip()
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True)
    return {
        "cpu": f"{os.cpu_count()} × {cpu}",
        "memory": f"{memory:.0f} GiB",
        "os": f"{platform.system()} {platform.release()}",
        "postgres": postgres,
        "sqlite": sqlite3.sqlite_version,
        "wrk": (wrk_version.stdout + wrk_version.stderr).split("\n")[0].strip(),
    }


def render(report):
    lines = [
        "# Benchmark results",
        "",
        f"Produced by `make bench` on {report['date']}; wrk with {THREADS} threads and "
        f"{CONNECTIONS} connections on the same machine as the server and the database; "
        f"each figure is the median-throughput run of {ROUNDS} runs of {SECONDS} s, after "
        f"{WARMUP_SECONDS} s of warm-up (every run's req/s is in the .json file). "
        "\"Cores busy\" is the CPU time each used during that run over its length: "
        f"the machine has {os.cpu_count()}.",
        "",
    ]
    for key, value in report["machine"].items():
        lines.append(f"- {key}: {value}")
    lines += [
        f"- data: {POSTS} posts, {TAGS} tags, {TAGS_PER_POST} tags a post "
        f"(`blog-backend seed --seed {SEED}`)",
        "- server: release build, default settings but `RUST_LOG=warn` (no access log)",
        "- PostgreSQL reached over loopback TCP without TLS (`sslmode=disable`); "
        "libpq's default encrypts when the server offers it, which cost 20-35% of "
        "the read throughput here",
        "",
    ]
    for backend, result in report["backends"].items():
        scenarios = result["scenarios"]
        ceiling = scenarios["healthz"]["rps"]
        lines += [f"## {backend}", "",
                  "| scenario | req/s | p50 ms | p99 ms | of /healthz "
                  "| cores busy: server / PostgreSQL / wrk |",
                  "|---|---:|---:|---:|---:|---|"]
        for key, s in scenarios.items():
            ratio = f"{s['rps'] / ceiling:.0%}" if s["read"] and key != "healthz" else ""
            cpu = s["cpu"]
            lines.append(f"| {s['title']} | {s['rps']:,.0f} | {s['p50_ms']:.2f} | "
                         f"{s['p99_ms']:.2f} | {ratio} | {cpu['server']:.2f} / "
                         f"{cpu['postgres']:.2f} / {cpu['wrk']:.2f} |")
        for key, of in (("tag_posts_304", "tag_posts"), ("post_304", "post")):
            if key in scenarios:
                lines += ["", f"{scenarios[key]['title']}: {scenarios[key]['rps'] / ceiling:.2f} "
                          f"of /healthz ({scenarios[of]['rps'] / ceiling:.2f} answered 200)."]
        if "post_session" in scenarios:
            ratio = scenarios["post_session"]["rps"] / scenarios["post"]["rps"]
            lines += ["", f"`GET /api/v1/posts/{{id}}` with a session token, against the same "
                      f"reads anonymously: {ratio:.2f}."]
        lines += ["", f"`GET /api/v1/tags?per_page=50` by size ({TAGS} tags):", "",
                  "| posts | seed s | req/s | p50 ms | p99 ms | first after a write, ms |",
                  "|---:|---:|---:|---:|---:|---:|"]
        for posts, s in result.get("scale", {}).items():
            lines.append(f"| {posts:,} | {s['seed_seconds']:.1f} | {s['rps']:,.0f} | "
                         f"{s['p50_ms']:.2f} | {s['p99_ms']:.2f} | {s['after_write_ms']:.1f} |")
        lines += mixed.render(result.get("scale", {}))
    if report["plans"]:
        lines += ["## PostgreSQL plans", ""]
        for posts, plans in sorted(report["plans"].items()):
            for title, plan in plans.items():
                lines += [f"{title}, {posts:,} posts:", "", "```", plan.rstrip(), "```", ""]
    return "\n".join(lines)


def main():
    if not os.path.exists(BINARY):
        raise SystemExit(f"{BINARY} is missing: run `cargo build --release` first")
    log(f"measuring {BINARY}")
    report = {"date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
              "machine": machine(), "backends": {}, "plans": {}}
    for backend in BACKENDS:
        bench_backend(backend, report)
    text = render(report)
    with open(RESULTS, "w") as f:
        f.write(text)
    with open(os.path.splitext(RESULTS)[0] + ".json", "w") as f:
        json.dump(report, f, indent=2)
    print(text.split("## PostgreSQL plans")[0])
    log(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
