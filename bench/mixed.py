"""Reads under a steady write rate, and the reads that grow with a blog.

`mixed(server, database, wrk, token, listing)`: wrk saturates `GET
/tags?per_page=50` (or `GET /authors?per_page=50`) while a writer creates
and re-tags posts, by AUTHORS authors in turn, at BENCH_WRITES_PER_SECOND
for BENCH_MIXED_SECONDS; then every count the server gives is held against
the `GROUP BY` join. `deep_reads(server, token)`: title searches and the first
and last pages of the post lists, each a series of distinct reads.
"""

import http.client
import json
import os
import sqlite3
import statistics
import threading
import time
import urllib.error
import urllib.request

WRITES_PER_SECOND = float(os.environ.get("BENCH_WRITES_PER_SECOND", "10") or 10)
MIXED_SECONDS = int(os.environ.get("BENCH_MIXED_SECONDS", "30") or 30)

GROUP_BY = {
    "postgres": """
        SELECT tags.slug,
               count(posts.id) FILTER (WHERE posts.status = 'published'
                   AND posts.published_at <= (now() AT TIME ZONE 'UTC')),
               count(posts.id)
        FROM tags
        LEFT JOIN post_tags ON post_tags.tag_id = tags.id
        LEFT JOIN posts ON posts.id = post_tags.post_id AND posts.deleted_at IS NULL
        GROUP BY tags.id""",
    "sqlite": """
        SELECT tags.slug,
               SUM(CASE WHEN posts.status = 'published'
                   AND posts.published_at <= strftime('%Y-%m-%d %H:%M:%f', 'now')
                   THEN 1 ELSE 0 END),
               count(posts.id)
        FROM tags
        LEFT JOIN post_tags ON post_tags.tag_id = tags.id
        LEFT JOIN posts ON posts.id = post_tags.post_id AND posts.deleted_at IS NULL
        GROUP BY tags.id""",
}


AUTHOR_GROUP_BY = {
    "postgres": """
        SELECT users.slug,
               count(posts.id) FILTER (WHERE posts.status = 'published'
                   AND posts.published_at <= (now() AT TIME ZONE 'UTC'))
        FROM users
        LEFT JOIN posts ON posts.author_id = users.id AND posts.deleted_at IS NULL
        GROUP BY users.id""",
    "sqlite": """
        SELECT users.slug,
               SUM(CASE WHEN posts.status = 'published'
                   AND posts.published_at <= strftime('%Y-%m-%d %H:%M:%f', 'now')
                   THEN 1 ELSE 0 END)
        FROM users
        LEFT JOIN posts ON posts.author_id = users.id AND posts.deleted_at IS NULL
        GROUP BY users.id""",
}

AUTHORS = 20


def ensure_authors(server):
    """The slugs of AUTHORS authors the writer writes as, created once."""
    slugs = []
    for n in range(AUTHORS):
        body = {"name": f"Bench Author {n}", "email": f"bench-{n}@example.com",
                "role": "author", "password": "a bench password"}
        try:
            slugs.append(server.call("POST", "/api/v1/users", body)["slug"])
        except urllib.error.HTTPError as error:
            if error.code != 409:
                raise
            slugs.append(json.loads(error.read())["slug"])
    return slugs


class Writer(threading.Thread):
    """Creates a post with five tags, then re-tags one, and so on, at a
    fixed rate: each write is sent at its own moment, late or not."""

    def __init__(self, server, token, tag_names, authors, seconds):
        super().__init__(daemon=True)
        self.server, self.token, self.names, self.authors = server, token, tag_names, authors
        self.total = int(seconds * WRITES_PER_SECOND)
        self.latencies_ms, self.failures, self.created = [], 0, []

    def send(self, method, path, body):
        request = urllib.request.Request(
            self.server.base + path, data=json.dumps(body).encode(), method=method,
            headers={"Content-Type": "application/json",
                     "Authorization": f"Bearer {self.token}"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read() or b"null")

    def tags(self, i):
        return [self.names[(i * 7 + k * 13) % len(self.names)] for k in range(5)]

    def run(self):
        started = time.monotonic()
        for i in range(self.total):
            delay = started + i / WRITES_PER_SECOND - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            sent = time.monotonic()
            try:
                if i % 2 == 0 or not self.created:
                    post = self.send("POST", "/api/v1/posts",
                                     {"title": f"Mixed load {i}", "status": "published",
                                      "tags": self.tags(i),
                                      "author": self.authors[i % len(self.authors)]})
                    self.created.append(post["id"])
                else:
                    post_id = self.created[(i // 2) % len(self.created)]
                    self.send("PATCH", f"/api/v1/posts/{post_id}", {"tags": self.tags(i + 1)})
            except OSError:
                self.failures += 1
            self.latencies_ms.append((time.monotonic() - sent) * 1000)


def served_counts(server, listing):
    """Every tag's slug with its visible and total counts, or every author's
    with their visible posts, as served."""
    counts, page = {}, 1
    path = {"tags": "/api/v1/tags?sort=name&per_page=200",
            "authors": "/api/v1/authors?per_page=200"}[listing]
    while True:
        items = server.call("GET", f"{path}&page={page}")["items"]
        if not items:
            return counts
        for item in items:
            counts[item["slug"]] = (item["post_count"], item.get("total_count"))
        page += 1


def group_by_counts(database, listing):
    """The same, from the join (authors with no visible post are not
    listed)."""
    sql = {"tags": GROUP_BY, "authors": AUTHOR_GROUP_BY}[listing][database.backend]
    if database.backend == "sqlite":
        with sqlite3.connect(database.url) as conn:
            rows = conn.execute(sql).fetchall()
    else:
        rows = [line.split("|") for line in database.psql(sql).splitlines() if line]
    if listing == "authors":
        return {slug: (int(visible or 0), None) for slug, visible in rows if int(visible or 0) > 0}
    return {slug: (int(visible or 0), int(total)) for slug, visible, total in rows}


def counts_exact(server, database, listing):
    """Whether every served count equals the join (read twice, in case a
    scheduled post came due between the two readings)."""
    for _ in range(2):
        served, joined = served_counts(server, listing), group_by_counts(database, listing)
        if served == joined:
            return True, 0
    wrong = sum(1 for slug in joined if served.get(slug) != joined[slug])
    return False, wrong


ROUNDS = int(os.environ.get("BENCH_MIXED_ROUNDS", "3") or 3)


def refresh_metrics(server):
    """How many times the counts were brought up to date by applying the
    changes since, and the seconds that took, from `/metrics`."""
    with urllib.request.urlopen(server.base + "/metrics", timeout=30) as response:
        text = response.read().decode()
    figures = {"applications": 0.0, "seconds": 0.0, "recounts": 0.0}
    for line in text.splitlines():
        name, _, value = line.rpartition(" ")
        if name == "blog_tag_count_applications_total":
            figures["applications"] = float(value)
        elif name == 'blog_tag_count_refresh_seconds_sum{how="application"}':
            figures["seconds"] = float(value)
        elif name == "blog_tag_count_recounts_total":
            figures["recounts"] = float(value)
    return figures


def mixed(server, database, wrk, token, listing="tags"):
    """`GET /tags` (or `/authors`) under wrk, alone and while the writer
    writes, in alternating runs of the same length (the machine's speed
    drifts by more than the effect measured, so each is the median of
    ROUNDS runs); every count is held against the join after each run under
    writes."""
    names = [tag["name"] for tag in
             server.call("GET", "/api/v1/tags?per_page=100&sort=count")["items"]]
    authors = ensure_authors(server)
    path = f"/api/v1/{listing}?per_page=50"
    wrk(server, "get.lua", path, seconds=2)
    alone, under, writers, all_exact, wrong = [], [], [], True, 0
    before = refresh_metrics(server)
    for _ in range(ROUNDS):
        alone.append(wrk(server, "get.lua", path, seconds=MIXED_SECONDS))
        writer = Writer(server, token, names, authors, MIXED_SECONDS)
        writer.start()
        under.append(wrk(server, "get.lua", path, seconds=MIXED_SECONDS))
        writer.join()
        writers.append(writer)
        exact, differing = counts_exact(server, database, listing)
        all_exact, wrong = all_exact and exact, max(wrong, differing)
    after = refresh_metrics(server)
    median = lambda runs: sorted(runs, key=lambda run: run["rps"])[len(runs) // 2]  # noqa: E731
    latencies = [ms for writer in writers for ms in writer.latencies_ms]
    applications = after["applications"] - before["applications"]
    return {
        **median(under),
        "alone_rps": median(alone)["rps"],
        "alone_runs": [round(run["rps"]) for run in alone],
        "rps_runs": [round(run["rps"]) for run in under],
        "writes": len(latencies),
        "write_failures": sum(writer.failures for writer in writers),
        "write_p50_ms": statistics.median(latencies) if latencies else 0,
        "applications": int(applications),
        "application_mean_ms": 1000 * (after["seconds"] - before["seconds"]) / max(applications, 1),
        "recounts": int(after["recounts"] - before["recounts"]),
        "counts_exact": all_exact,
        "counts_wrong": wrong,
    }


SEED_WORDS = ["rust", "web", "databases", "postgresql", "sqlite", "linux", "python", "javascript"]


def timed_gets(server, paths, token=None):
    """Each path read once, one after another on one connection, so that
    none is answered from what an earlier one left in memory: p50 and p99
    of the latency of reads that reach the database."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    latencies = []
    for path in paths:
        started = time.monotonic()
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        latencies.append((time.monotonic() - started) * 1000)
        if response.status != 200:
            raise SystemExit(f"GET {path}: {response.status}")
    connection.close()
    latencies.sort()
    return {"reads": len(latencies), "p50_ms": latencies[len(latencies) // 2],
            "p99_ms": latencies[min(len(latencies) - 1, len(latencies) * 99 // 100)]}


def deep_reads(server, token, reads=200):
    """Searches and pages, each `reads` distinct requests: (title, figures)."""
    public = server.call("GET", "/api/v1/posts?per_page=20", public=True)["total"]
    admin = server.call("GET", "/api/v1/posts?per_page=20")["total"]
    last_public, last_admin = -(-public // 20), -(-admin // 20)
    first = range(1, reads + 1)
    cases = [
        ("GET /posts?q=<rare> (a number in one title)", None,
         [f"/api/v1/posts?q={400000 + i * 499}" for i in range(reads)]),
        ("GET /posts?q=<common> (a word in 1 title of 20)", None,
         [f"/api/v1/posts?q={word}&page={page}" for page in range(1, reads // 8 + 1)
          for word in SEED_WORDS]),
        ("GET /posts?page=N, the first pages", None, [f"/api/v1/posts?page={n}" for n in first]),
        (f"GET /posts?page=N, the last pages (to {last_public})", None,
         [f"/api/v1/posts?page={last_public - n + 1}" for n in first]),
        ("GET /posts?page=N (admin), the first pages", token,
         [f"/api/v1/posts?page={n}" for n in first]),
        (f"GET /posts?page=N (admin), the last pages (to {last_admin})", token,
         [f"/api/v1/posts?page={last_admin - n + 1}" for n in first]),
    ]
    return [(title, timed_gets(server, paths, token)) for title, token, paths in cases]


def related_reads(server, reads=200):
    """`GET /posts/{id}/related` of `reads` distinct visible posts, newest
    first, one after another: p50 and p99 (each reads the database)."""
    ids = []
    page = 1
    while len(ids) < reads:
        items = server.call("GET", f"/api/v1/posts?per_page=100&page={page}", public=True)["items"]
        if not items:
            break
        ids += [item["id"] for item in items]
        page += 1
    return timed_gets(server, [f"/api/v1/posts/{i}/related" for i in ids[:reads]])


def render(scale):
    """The reads under writes, and the deep reads, of one backend."""
    lines = []
    for listing, key in [("tags", "mixed"), ("authors", "mixed_authors")]:
        lines += render_mixed(scale, listing, key)
    for posts, s in scale.items():
        if s.get("related"):
            r = s["related"]
            lines += ["", f"`GET /posts/{{id}}/related` at {posts:,} posts, for {r['reads']} "
                      "distinct posts one after another (5 related posts each): "
                      f"p50 {r['p50_ms']:.2f} ms, p99 {r['p99_ms']:.2f} ms."]
        if s.get("deep"):
            lines += ["", f"Searches and pages at {posts:,} posts, each of {s['deep'][0][1]['reads']} "
                      "distinct reads made one after another (none answered from memory):", "",
                      "| read | p50 ms | p99 ms |", "|---|---:|---:|"]
            for title, d in s["deep"]:
                lines.append(f"| {title} | {d['p50_ms']:.2f} | {d['p99_ms']:.2f} |")
    lines.append("")
    return lines


def render_mixed(scale, listing, key):
    """One listing's reads under writes, at every size measured."""
    if not any(s.get(key) for s in scale.values()):
        return []
    lines = ["", f"`GET /api/v1/{listing}?per_page=50` alone and while a writer creates and "
             f"re-tags posts (by {AUTHORS} authors in turn) "
             f"at {WRITES_PER_SECOND:g} writes/s, in {ROUNDS} alternating pairs of "
             f"{MIXED_SECONDS} s runs (medians; every count held against the `GROUP BY` join "
             "after each run under writes). Applying: how long bringing the counts up to date "
             "after a write took, on average (recounts in brackets, 0 expected):", "",
             "| posts | alone req/s | under writes req/s | ratio | p50 ms | p99 ms "
             "| writes (failed) | write p50 ms | applying ms (recounts) | counts exact |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for posts, s in scale.items():
        m = s.get(key)
        if not m:
            continue
        exact = "yes" if m["counts_exact"] else f"no ({m['counts_wrong']} {listing} differ)"
        lines.append(f"| {posts:,} | {m['alone_rps']:,.0f} | {m['rps']:,.0f} "
                     f"| {m['rps'] / m['alone_rps']:.2f} "
                     f"| {m['p50_ms']:.2f} | {m['p99_ms']:.2f} | {m['writes']} ({m['write_failures']}) "
                     f"| {m['write_p50_ms']:.1f} | {m['application_mean_ms']:.2f} ({m['recounts']}) "
                     f"| {exact} |")
    return lines
