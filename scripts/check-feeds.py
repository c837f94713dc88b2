#!/usr/bin/env python3
"""Reads the server's Atom feeds with a real feed reader's parser
(feedparser): each must be well-formed (bozo == 0), newest first, with only
visible posts, and no script in what it renders.

    check-feeds.py BASE_URL ADMIN_TOKEN
"""
import json
import sys
import urllib.request
from datetime import datetime, timedelta, timezone

import feedparser

base, token = sys.argv[1], sys.argv[2]


def call(method, path, body=None):
    request = urllib.request.Request(
        base + path,
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request) as response:
        raw = response.read()
        return json.loads(raw) if raw else None


def post(title, **fields):
    return call("POST", "/api/v1/posts", {"title": title, "tags": ["Feeds", "#Hidden"], **fields})


later = (datetime.now(timezone.utc) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
for n in range(3):
    post(f"Feed post {n}", status="published",
         body=f"# Part {n}\n\n*Markdown* & <script>alert({n})</script> [x](javascript:alert(1))")
post("Feed draft")
post("Feed control\u0007 characters", status="published", body="page\u000cbreak",
     published_at="2020-01-01T00:00:00Z")
post("Feed scheduled", status="published", published_at=later)
trashed = post("Feed trashed", status="published")
call("DELETE", f"/api/v1/posts/{trashed['id']}")
author = call("GET", "/api/v1/me")["slug"]

for path in ["/feeds/posts.atom", "/feeds/tags/feeds.atom", f"/feeds/authors/{author}.atom"]:
    with urllib.request.urlopen(base + path) as response:
        content_type = response.headers["Content-Type"]
        parsed = feedparser.parse(response.read())
    assert content_type == "application/atom+xml; charset=utf-8", content_type
    assert parsed.bozo == 0, f"{path}: {parsed.get('bozo_exception')}"
    assert parsed.version == "atom10", f"{path}: {parsed.version}"
    titles = [entry.title for entry in parsed.entries]
    for absent in ["Feed draft", "Feed scheduled", "Feed trashed"]:
        assert absent not in titles, f"{path}: {absent} in {titles}"
    assert titles[:3] == ["Feed post 2", "Feed post 1", "Feed post 0"], f"{path}: {titles}"
    published = [entry.published_parsed for entry in parsed.entries]
    assert published == sorted(published, reverse=True), f"{path}: not newest first"
    for entry in parsed.entries[:3]:
        html = entry.content[0].value
        assert "<h1>" in html and "<em>Markdown</em>" in html, html
        for banned in ["<script", "alert(", "javascript:"]:
            assert banned not in html, f"{path}: {banned} in {html}"
        terms = [tag.term for tag in entry.tags]
        assert terms == ["feeds"], f"{path}: {terms}"
    print(f"{path}: well-formed, {len(titles)} entries, newest first")
