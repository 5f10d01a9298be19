"""The simulated users of ``bench/load.py``, run by locust as a library (headless, no web UI).

Started by ``bench/load.py`` in a process of its own (locust patches the standard library with
gevent on import, which the Django side of the benchmark must not see):

    python bench/load_users.py PLAN.json RESULT.json --users 50 --run-time 60 --wait 1,3

The plan holds, for each user, the server it talks to (one of the gunicorn instances, on
loopback), its session cookie and the pages it asks for. The figures are taken once every user
is running (the statistics are reset when spawning completes) and written to ``RESULT.json``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import re
import time

import gevent
from locust import HttpUser, constant, events, task
from locust.env import Environment

LIST = "/mo-hinh/"
NEXT_LINK = re.compile(r'href="\?([^"]*)">Sau »')
PLAN: dict = {}
_SPECS = None


def _next_spec() -> dict:
    global _SPECS
    if _SPECS is None:
        _SPECS = itertools.cycle(PLAN["users"])
    return next(_SPECS)


class PortalUser(HttpUser):
    """A cadre, a reviewer or an administrator reading the registry."""

    host = "http://127.0.0.1"  # replaced by the user's server in on_start
    wait_time = constant(0)

    def on_start(self):
        self.spec = _next_spec()
        self.client.base_url = self.spec["host"]
        self.client.cookies.set(PLAN["cookie"], self.spec["session"])
        self.random = random.Random(self.spec["seed"])
        self.following = ""  # the "Sau »" link of the last list page, walked on

    def _get(self, url: str, group: str, params=None) -> str:
        with self.client.get(
            url, params=params, name=group, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
                return ""
            return response.text

    @task(4)
    def list_page(self):
        # Walk on from the page shown last half of the time (deep pages by their links).
        if self.following and self.random.random() < 0.5:
            page = self._get(f"{LIST}?{self.following}", "list")
        else:
            params = self.random.choice(self.spec["lists"])
            page = self._get(LIST, "list", params)
        found = NEXT_LINK.search(page)
        self.following = found.group(1).replace("&amp;", "&") if found else ""

    @task(3)
    def detail_page(self):
        self._get(f"{LIST}{self.random.choice(self.spec['details'])}/", "detail")

    @task(2)
    def search(self):
        self._get(LIST, "search", {"q": self.random.choice(self.spec["searches"])})

    @task(1)
    def other_page(self):
        if self.spec["role"] == "reviewer":
            self._get("/tham-dinh/", "queue")
        else:
            self._get("/", "home")


def run(users: int, run_time: float, wait: tuple[float, float]) -> dict:
    if wait[1] > 0:
        from locust import between

        PortalUser.wait_time = between(*wait)
    environment = Environment(user_classes=[PortalUser], events=events)
    runner = environment.create_local_runner()
    started = {"at": None}

    def spawned(user_count):
        environment.stats.reset_all()
        started["at"] = time.monotonic()
        gevent.spawn_later(run_time, runner.quit)

    environment.events.spawning_complete.add_listener(spawned)
    runner.start(users, spawn_rate=max(1.0, users / 5))
    runner.greenlet.join()
    elapsed = time.monotonic() - (started["at"] or time.monotonic())
    groups = {}
    for (name, _method), entry in sorted(environment.stats.entries.items()):
        groups[name] = _figures(entry, elapsed)
    return {
        "users": users,
        "seconds": round(elapsed, 1),
        "wait_s": list(wait),
        "groups": groups,
        "total": _figures(environment.stats.total, elapsed),
        "error_messages": [
            {"group": error.name, "error": str(error.error), "occurrences": error.occurrences}
            for error in environment.stats.errors.values()
        ],
    }


def _figures(entry, elapsed: float) -> dict:
    return {
        "requests": entry.num_requests,
        "errors": entry.num_failures,
        "requests_per_s": round(entry.num_requests / elapsed, 2) if elapsed else 0,
        "p50_ms": entry.get_response_time_percentile(0.5) or 0,
        "p95_ms": entry.get_response_time_percentile(0.95) or 0,
        "max_ms": round(entry.max_response_time or 0),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("plan")
    parser.add_argument("result")
    parser.add_argument("--users", type=int, required=True)
    parser.add_argument("--run-time", type=float, required=True)
    parser.add_argument("--wait", default="0,0", help="think time between requests, seconds")
    args = parser.parse_args()
    with open(args.plan) as plan:
        PLAN.update(json.load(plan))
    low, high = (float(value) for value in args.wait.split(","))
    figures = run(args.users, args.run_time, (low, high))
    with open(args.result, "w") as result:
        json.dump(figures, result, indent=2)


if __name__ == "__main__":
    main()
