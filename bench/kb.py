"""The knowledge base's search at 10,000 articles, on SQLite and (with DATABASE_URL) PostgreSQL.

For each backend: fresh databases are migrated and loaded with ``--articles`` published
articles (Korean and English text of about 300 words each, a fifth of them about a product),
gunicorn serves them with one worker and the project's configuration, and ``/kb/?q=…`` is
fetched ``--repeat`` times for each of several searches: a word in a third of the articles, a
rarer one, two words together, a Korean word followed by particles, a Korean word found only
inside compounds of titles (PostgreSQL's fallback), a word nowhere, and a search within one
product. ``/kb/`` without a search and the new-inquiry page's ``/kb/suggest/`` are measured too;
``/healthz``, a bare view on the same server, is the baseline. Target: every search page under
``--budget-ms`` (200 ms) at the 95th percentile; at full scale (10,000 articles or more) the run
exits 1 when one is not.

    .venv/bin/python bench/kb.py [--articles 10000] [--repeat 20] [--only sqlite|postgresql]

SQLite always (unless ``--only postgresql``); PostgreSQL too when ``DATABASE_URL`` names a
PostgreSQL server (or, as for the other benchmarks, ``BENCH_POSTGRES`` does), on databases of its
own created there (``BENCH_DB_PREFIX``, default nexcore_bench) and dropped afterwards.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import statistics
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import dataset  # noqa: E402
import report  # noqa: E402
from purge import migrate  # noqa: E402
from serving import BACKENDS, fresh_portal, one_worker, with_static_files  # noqa: E402

FULL_SCALE = 10_000
WORDS_EACH = 300
SEARCHES = {
    "common word (1 in 3)": {"q": "scheduler"},
    "rarer word (1 in 50)": {"q": "deadlock"},
    "two words": {"q": "scheduler timeout"},
    "Korean word + particles": {"q": "연결"},
    "Korean compound (fallback)": {"q": "데이터베이스연결"},
    "no match": {"q": "zqxvwj"},
    "common word, one product": {"q": "scheduler", "product": "nexcore-batch"},
}
_ENGLISH = (
    "server batch job restart log error config property memory thread queue cluster node "
    "session cache index query table backup patch release upgrade install license port "
    "network proxy certificate timeout retry monitor alert metric dashboard report export "
    "import schedule transaction rollback commit lock heap garbage collector pool driver"
)
_KOREAN = (
    "서버 배치 작업 재시작 로그 오류 설정 속성 메모리 스레드 대기열 클러스터 노드 세션 캐시 "
    "색인 조회 테이블 백업 패치 배포 업그레이드 설치 라이선스 포트 네트워크 인증서 시간초과 "
    "재시도 모니터링 경보 지표 보고서 내보내기 가져오기 일정 트랜잭션 잠금 드라이버"
)
ENGLISH, KOREAN = _ENGLISH.split(), _KOREAN.split()
PARTICLES = ("이", "을", "은", "에서", "으로", "")


def articles(count: int, seed: int = 13):
    """``count`` published articles as rows for ``dataset.insert``, ids counted from 1."""
    rng = random.Random(seed)  # noqa: S311 - test data, the same in every run
    today = datetime.date.today()
    for n in range(1, count + 1):
        words = [rng.choice(ENGLISH if rng.random() < 0.6 else KOREAN) for _ in range(WORDS_EACH)]
        if n % 3 == 0:
            words[rng.randrange(WORDS_EACH)] = "scheduler"
        if n % 7 == 0:
            words[rng.randrange(WORDS_EACH)] = "timeout"
        if n % 50 == 0:
            words[rng.randrange(WORDS_EACH)] = "deadlock"
        if n % 4 == 0:
            words[rng.randrange(WORDS_EACH)] = "연결" + rng.choice(PARTICLES)
        title = f"{rng.choice(ENGLISH).capitalize()} {rng.choice(KOREAN)} {n}"
        if n % 40 == 0:
            title = f"데이터베이스연결 {rng.choice(KOREAN)} {n}"
        body = "\n\n".join(" ".join(words[i : i + 60]) + "." for i in range(0, WORDS_EACH, 60))
        yield {
            "id": n,
            "title": title,
            "slug": f"article-{n}",
            "body": body,
            "published": True,
            "last_reviewed_on": today - datetime.timedelta(days=n % 365),
            "helpful_yes": n % 11,
            "helpful_no": n % 5,
        }


def load(count: int) -> None:
    """The articles, every fifth about the first product; ``VACUUM ANALYZE`` on PostgreSQL."""
    from django.db import connection

    from accounts.models import Product
    from selfservice.models import Article

    dataset.insert(Article, articles(count))
    product = Product.objects.order_by("pk").values_list("pk", flat=True).first()
    dataset.insert(
        Article.products.through,
        ({"article_id": n, "product_id": product} for n in range(5, count + 1, 5)),
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def timings(url: str, repeat: int, form: dict | None = None) -> list[float]:
    """Milliseconds of ``repeat`` fetches of ``url`` after one warm-up, without cookies; with
    ``form``, POSTed."""
    body = urllib.parse.urlencode(form).encode() if form is not None else None
    with urllib.request.urlopen(url, body) as response:  # noqa: S310 - our own local server
        response.read()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        with urllib.request.urlopen(url, body) as response:  # noqa: S310
            response.read()
            assert response.status == 200, url
        times.append((time.perf_counter() - started) * 1000)
    return times


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def bench(backend: str, env: dict, args) -> list[str]:
    """Measure one backend; return the searches over budget."""
    migrate(env)
    started = time.perf_counter()
    dataset.run(env, "kb:load", count=args.articles)
    loaded = time.perf_counter() - started
    env = with_static_files(env)
    with one_worker(env) as (base, server):
        baseline = timings(f"{base}/healthz", args.repeat)
        pages = {"/kb/ (no search)": timings(f"{base}/kb/", args.repeat)}
        searches = {
            name: timings(f"{base}/kb/?{urllib.parse.urlencode(params)}", args.repeat)
            for name, params in SEARCHES.items()
        }
        pages["/kb/suggest/ (common word)"] = timings(
            f"{base}/kb/suggest/", args.repeat, form={"q": "scheduler"}
        )
    base_ms = statistics.median(baseline)
    print(f"== {backend}: {args.articles:,} articles (loaded in {loaded:.1f} s); "
          f"{args.repeat} fetches each; baseline /healthz {base_ms:.1f} ms")  # fmt: skip
    print(f"   {'':<30} {'median':>8} {'p95':>8}   ratio to baseline (median)")
    over = []
    for name, times in {**searches, **pages}.items():
        median, high = statistics.median(times), p95(times)
        print(f"   {name:<30} {median:6.1f} ms {high:6.1f} ms   {median / base_ms:5.1f}x")
        if name in searches and high > args.budget_ms:
            over.append(f"{backend} {name}: p95 {high:.0f} ms")
    every = [t for times in searches.values() for t in times]
    full = args.articles >= FULL_SCALE
    report.add("kb", backend, f"search, {args.articles:,} articles (p95 of all)",
               measured=f"{p95(every):.1f} ms", baseline=f"{base_ms:.1f} ms /healthz",
               ratio=p95(every) / base_ms, target=f"< {args.budget_ms:.0f} ms",
               met=(p95(every) < args.budget_ms) if full else None)  # fmt: skip
    print(f"   all searches: median {statistics.median(every):.1f} ms, p95 {p95(every):.1f} ms "
          f"(target p95 < {args.budget_ms:.0f} ms)")  # fmt: skip
    return over


def postgres_server() -> str | None:
    """The PostgreSQL server of ``DATABASE_URL`` (without its database), else ``BENCH_POSTGRES``."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        return url.rsplit("/", 1)[0]
    return os.environ.get("BENCH_POSTGRES", "").rstrip("/") or None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=FULL_SCALE)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--budget-ms", type=float, default=200.0)
    parser.add_argument("--only", choices=list(BACKENDS))
    args = parser.parse_args()
    over: list[str] = []
    server = postgres_server()
    if args.only == "postgresql" and server is None:
        parser.error("--only postgresql needs DATABASE_URL (or BENCH_POSTGRES) naming a server")
    for backend, label in BACKENDS.items():
        if args.only in (None, backend) and (backend == "sqlite" or server):
            with fresh_portal(backend, "kb", server=server) as env:
                over += bench(label, env, args)
    if over and args.articles >= FULL_SCALE:
        print("Over the budget: " + "; ".join(over), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
