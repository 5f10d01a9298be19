"""Load test over HTTP at national scale: `make bench-load` (see bench/README.md).

Serves the portal with gunicorn on loopback against the bench database (the data set of
``make bench``: 1,000,000 models), and runs simulated users through it with locust used as a
library (``bench/load_users.py``: headless, bounded run time, no web UI):

1. 50 users — cadres of the busiest province's communes, reviewers of that province, national and
   province administrators — through two gunicorn instances of 2 workers each, every user
   pausing 1–3 s between requests (``--wait``) as a person reading the pages does; lists (the
   next pages walked by their links), detail pages and searches, the queue and the home page;
2. for comparison with the figure measured before this work (12.3 requests/s), 8 province
   reviewers without pauses through one instance of 2 workers (``--compare-users``).

The users' sessions are made in the database beforehand (a log-in's password hash would cost
the server half a second each, not what is measured here). Each run prints requests per second,
the median and 95th percentile of each group of pages and the errors (any answer but 200), and
writes ``bench/results/load.json``. ``--app-dir`` serves another checkout (the same database),
to measure an earlier commit with the same users.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "danvan.settings")

SEARCHES = ["nuoi de", "hien dat lam duong", "camera an ninh", "hoa giai", "dan van kheo"]
SORTS = ["-start_date", "start_date", "name", "-updated_at"]
FIELDS = ["economy", "culture_society", "security_defence", "political_system"]
TARGET_P95_MS = 300
BASELINE_REQUESTS_PER_S = 12.3  # 8 reviewers on 2 workers, before this work
PORTS = (8701, 8702)


def bench_database_url(name: str) -> str:
    """``DATABASE_URL`` with its database replaced by ``name``."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        sys.exit("Set DATABASE_URL to the PostgreSQL server that holds the bench database.")
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def server_environment(database: str, secret: str) -> dict:
    """What the servers (and this process, which makes their sessions) run with."""
    return loopback_production(bench_database_url(database), secret)


def loopback_production(database_url: str, secret: str) -> dict:
    """Production settings on loopback: no HTTPS redirect, no second step of sign-in required."""
    return {
        "DATABASE_URL": database_url,
        "DJANGO_SECRET_KEY": secret,
        "DJANGO_DEBUG": "false",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_SECURE_COOKIES": "false",
        "DJANGO_SECURE_HSTS_SECONDS": "0",
        "DJANGO_OTP_REQUIRED_ROLES": "",
        "DJANGO_LOG_LEVEL": "WARNING",
    }


def prepare(users: int, seed: int = 7) -> dict:
    """The simulated users (made once, reused), their sessions and the pages each asks for."""
    import random

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connection

    from bench.common import user
    from bench.registry import busiest_province
    from danvan.middleware import SECOND_STEP_NOT_OWED_KEY, SESSION_SEEN_KEY, SESSION_STARTED_KEY
    from demo.synthetic.tree import find_synthetic_root
    from models_registry.models import DanVanModel
    from organisations.choices import Role
    from organisations.models import Organisation

    chooser = random.Random(seed)
    root = find_synthetic_root()
    if root is None:
        sys.exit("No generated data set in this database: run `make bench` first.")
    province, _ = busiest_province(root)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT m.owning_unit_id, count(*) FROM {DanVanModel._meta.db_table} m
            JOIN {Organisation._meta.db_table} o ON o.id = m.owning_unit_id
            WHERE o.path LIKE %s AND o.level = 'commune'
            GROUP BY 1 ORDER BY 2 DESC LIMIT 20
            """,
            [province.path + "%"],
        )
        communes = [Organisation.objects.get(pk=pk) for pk, _ in cursor.fetchall()]
        cursor.execute(f"SELECT min(id), max(id) FROM {DanVanModel._meta.db_table}")
        low, high = cursor.fetchone()

    def sample(queryset, count: int) -> list[int]:
        picked = [chooser.randint(low, high) for _ in range(count * 20)]
        found = list(queryset.filter(pk__in=picked).values_list("pk", flat=True)[:count])
        return found or list(queryset.values_list("pk", flat=True)[:count])

    in_province = DanVanModel.objects.filter(owning_unit__path__startswith=province.path)
    in_province = in_province.exclude(status="draft")
    roles = ["cadre"] * 2 + ["reviewer"] * 2 + ["admin"]  # 40 % cadres, 40 % reviewers
    specs = []
    for index in range(users):
        role = roles[index % len(roles)]
        if role == "cadre":
            commune = communes[index % len(communes)]
            account = user(f"bench.tai.canbo{index}", commune, Role.CADRE)
            mine = DanVanModel.objects.filter(owning_unit__path__startswith=commune.path)
            details = list(mine.values_list("pk", flat=True)[:40])
            lists = [{"unit": commune.pk}, {"unit": commune.pk, "sort": "name"}]
        elif role == "reviewer":
            account = user(f"bench.tai.thamdinh{index}", province, Role.REVIEWER)
            details = sample(in_province, 40)
            lists = [
                {"unit": province.pk, "field": field, "sort": sort}
                for field in FIELDS
                for sort in SORTS
            ]
        elif index % 2:
            account = user(f"bench.tai.quantri{index}", superuser=True)
            details = sample(DanVanModel.objects.all(), 40)
            lists = [{}, {"sort": "name"}, {"field": "economy"}, {"status": "recognised"}]
        else:
            account = user(f"bench.tai.quantritinh{index}", province, Role.ADMIN)
            details = sample(in_province, 40)
            lists = [{}, {"field": "culture_society"}, {"sort": "-updated_at"}]
        session = SessionStore()
        now = int(time.time())
        session[SESSION_KEY] = str(account.pk)
        session[BACKEND_SESSION_KEY] = "danvan.auth.PortalBackend"
        session[HASH_SESSION_KEY] = account.get_session_auth_hash()
        session[SESSION_STARTED_KEY] = now
        session[SESSION_SEEN_KEY] = now
        session[SECOND_STEP_NOT_OWED_KEY] = account.pk
        session.create()
        specs.append(
            {
                "role": role,
                "username": account.username,
                "session": session.session_key,
                "details": details,
                "lists": lists,
                "searches": SEARCHES,
                "seed": seed + index,
            }
        )
    return {"cookie": settings.SESSION_COOKIE_NAME, "users": specs, "province": province.name}


def collect_static(app_dir: Path, environment: dict) -> None:
    """The hashed static files production pages name (once per checkout)."""
    if (app_dir / "staticfiles" / "staticfiles.json").exists():
        return
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=app_dir,
        env={**os.environ, **environment},
        check=True,
    )


def start_servers(
    app_dir: Path,
    environment: dict,
    instances: int,
    workers: int,
    ports: tuple = PORTS,
    threads: int = 1,
) -> list:
    servers = []
    for port in ports[:instances]:
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "danvan.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            # Idle connections outlive a user's pause (up to 3 s), as behind a proxy that keeps
            # them: a connection closed while a request is on its way fails that request.
            "--keep-alive",
            "10",
            "--chdir",
            str(app_dir),
            "--log-level",
            "warning",
        ]
        env = {**os.environ, **environment, "PYTHONPATH": str(app_dir)}
        servers.append(subprocess.Popen(command, cwd=app_dir, env=env))
    for port in ports[:instances]:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    stop_servers(servers)
                    sys.exit(f"The server on port {port} did not start.")
                time.sleep(0.5)
    return servers


def stop_servers(servers: list) -> None:
    for server in servers:
        server.terminate()
    for server in servers:
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


def run_users(plan: dict, users: int, run_time: float, wait: str) -> dict:
    with tempfile.TemporaryDirectory() as scratch:
        plan_path, result_path = Path(scratch) / "plan.json", Path(scratch) / "result.json"
        plan_path.write_text(json.dumps(plan))
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "bench" / "load_users.py"),
                str(plan_path),
                str(result_path),
                "--users",
                str(users),
                "--run-time",
                str(run_time),
                "--wait",
                wait,
            ],
            check=True,
        )
        return json.loads(result_path.read_text())


def scenario(
    name, app_dir, environment, plan, *, instances, workers, threads, users, run_time, wait
):
    # The users take turns on the instances (user i talks to instance i mod n).
    hosts = [f"http://127.0.0.1:{port}" for port in PORTS[:instances]]
    specs = [{**spec, "host": hosts[index % instances]} for index, spec in enumerate(plan["users"])]
    plan = {**plan, "users": specs}
    servers = start_servers(app_dir, environment, instances, workers, threads=threads)
    try:
        # A few seconds of traffic first: connections opened, caches and plans warm.
        run_users(plan, min(users, 8), 5, "0,0")
        figures = run_users(plan, users, run_time, wait)
    finally:
        stop_servers(servers)
    figures.update(
        {"scenario": name, "instances": instances, "workers_each": workers, "threads": threads}
    )
    print_figures(figures)
    return figures


def print_figures(figures: dict) -> None:
    print(
        f"\n{figures['scenario']}: {figures['users']} users, {figures['instances']} × "
        f"{figures['workers_each']} workers of {figures['threads']} thread(s), "
        f"{figures['seconds']} s, "
        f"wait {figures['wait_s'][0]:g}–{figures['wait_s'][1]:g} s"
    )
    print(f"  {'pages':<10} {'requests':>9} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'errors':>7}")
    rows = [*figures["groups"].items(), ("all", figures["total"])]
    for group, result in rows:
        print(
            f"  {group:<10} {result['requests']:>9} {result['requests_per_s']:>7.1f} "
            f"{result['p50_ms']:>7.0f} {result['p95_ms']:>7.0f} {result['errors']:>7}"
        )
    for error in figures.get("error_messages", []):
        print(f"  error × {error['occurrences']} ({error['group']}): {error['error']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", default=os.environ.get("BENCH_DATABASE", "danvan_bench"))
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--run-time", type=float, default=60, help="seconds of the 50-user run")
    parser.add_argument("--wait", default="1,3", help="think time of the 50 users, seconds")
    parser.add_argument("--compare-users", type=int, default=8)
    parser.add_argument("--compare-time", type=float, default=45)
    parser.add_argument("--only", choices=["load", "compare"], help="run one of the two")
    parser.add_argument("--app-dir", type=Path, default=ROOT, help="the checkout to serve")
    parser.add_argument(
        "--threads",
        type=int,
        default=4,
        help="threads of each gunicorn worker, as in production (1: sync workers)",
    )
    args = parser.parse_args()

    environment = server_environment(args.database, secrets.token_urlsafe(48))
    os.environ.update(environment)
    import django

    django.setup()
    app_dir = args.app_dir.resolve()
    collect_static(app_dir, environment)
    started = time.perf_counter()
    plan = prepare(args.users)
    print(f"Users and sessions ready in {time.perf_counter() - started:.1f} s")
    print(f"{args.users} users of {plan['province']} and the country; serving {app_dir}")
    results = {"database": args.database, "app_dir": str(app_dir)}
    if args.only in (None, "load"):
        results["load"] = scenario(
            "load",
            app_dir,
            environment,
            plan,
            instances=2,
            workers=2,
            threads=args.threads,
            users=args.users,
            run_time=args.run_time,
            wait=args.wait,
        )
    if args.only in (None, "compare"):
        only_reviewers = [spec for spec in plan["users"] if spec["role"] == "reviewer"]
        reviewers = {**plan, "users": only_reviewers}
        results["compare"] = scenario(
            "compare",
            app_dir,
            environment,
            reviewers,
            instances=1,
            workers=2,
            threads=args.threads,
            users=args.compare_users,
            run_time=args.compare_time,
            wait="0,0",
        )
    missed = []
    if "load" in results:
        for group in ("list", "detail", "search"):
            result = results["load"]["groups"].get(group)
            if result and result["p95_ms"] > TARGET_P95_MS:
                missed.append(f"p95 of {group} {result['p95_ms']:.0f} ms > {TARGET_P95_MS} ms")
        if not results["load"]["total"]["requests"]:
            missed.append("no request answered")
        if results["load"]["total"]["errors"]:
            missed.append(f"{results['load']['total']['errors']} errors")
    if "compare" in results:
        rate = results["compare"]["total"]["requests_per_s"]
        ratio = rate / BASELINE_REQUESTS_PER_S
        print(f"\n8 reviewers on 2 workers: {rate:.1f} requests/s, {ratio:.1f}× the 12.3 before")
        if ratio < 3:
            missed.append(f"throughput {ratio:.1f}× < 3×")
    from bench.common import write_results

    write_results("load.json", results)
    if missed:
        print("\nKHÔNG ĐẠT: " + "; ".join(missed))
        sys.exit(1)
    print("\nEvery target met.")


if __name__ == "__main__":
    main()
