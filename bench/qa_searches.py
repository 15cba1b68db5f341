r"""How many public Q&A searches per second the hall answers over 100,000 published answers,
beside a bare Flask endpoint in the same run.

Starts the hall exactly as users do (``python run.py`` on a fresh SQLite database with the
demo data, whose public Q&A is a dozen real answers), fills the Q&A of HQ up to ``--answers``
published answers (100,000 by default: questions and answers made of the hall's own topics,
written straight into the tables and the search index in one transaction, as ``hall.qa``
keeps them), then loads ``GET /qa/HQ?q=…`` (the public page) and ``GET /api/v1/halls/HQ/qa?q=…``
with N concurrent clients for T seconds each, every client asking one of the queries people
type (职称, 档案调入, 怎么办理退休 …), and the same clients on ``GET /bare``: searches/s and
p50/p99 latency, and the ratio to bare. A search asked before is answered from memory until
the hall publishes or withdraws (``hall.qa.STAMP``), so those figures are of searches asked
again; what a query never asked before costs is printed first: one search made by the domain
alone (``qa.search``), the median and the slowest of the ten queries ten times each.

The per-address limit of public reads (PUBLIC_RATE_LIMIT) is raised through the environment
(every client is this one machine); any non-200 answer counts as a failure.

Run: ``.venv/bin/python bench/qa_searches.py --clients 1,8,32 --seconds 8`` (``make
bench-qa``); ``--answers 2000 --clients 2 --seconds 2`` for a quick look.
"""
from __future__ import annotations

import argparse
import json
import random
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _server  # noqa: E402  (bench/ is not a package)
from tickets import hall_env, prepare_database  # noqa: E402
from track import run_level  # noqa: E402  (a tuple of paths: each client asks one)

BARE_PATH, READY_PATH = "/bare", "/api/v1/halls/HQ/queue"
QUERIES = ("职称", "档案调入", "怎么办理退休", "退休", "人事代理", "公务员报考", "养老金",
           "提前退休需要什么条件", "职称评审材料", "劳动合同")
ENDPOINTS = {"page": "/qa/HQ?q={}", "api": "/api/v1/halls/HQ/qa?q={}"}
BATCH = 5000

# What the generated answers are made of: the hall's topics, and phrases of its answers.
SUBJECTS = ("职称评审", "中级职称", "高级职称", "人事档案", "档案调入", "档案转出", "人事代理",
            "退休", "提前退休", "养老金", "养老保险", "医疗保险", "公务员报考", "公务员考试",
            "事业单位招聘", "工资套改", "劳动合同", "经济补偿", "社保卡", "失业登记", "就业创业",
            "人才引进", "继续教育", "专业技术资格", "毕业生报到")
ASKING = ("{}需要准备哪些材料？", "{}怎么办理？", "{}在哪个窗口办理？", "{}多久能办好？",
          "{}有什么条件？", "异地{}可以网上办理吗？", "{}需要本人到场吗？", "{}的流程是什么？")
SAYING = ("请携带身份证件和相关证明材料到大厅{n}号窗口办理，", "承诺时限为{n}个工作日，",
          "符合条件的可通过网上大厅提交申请，", "材料齐全的当场受理，", "不收取任何费用，",
          "具体以当年发布的通知为准，", "单位经办人可代为办理，", "审核通过后将以短信通知，",
          "如有疑问可拨打大厅咨询电话，", "办理结果可凭服务号查询。")


def parse_args(argv=None) -> argparse.Namespace:
    p = _server.load_options(__doc__)
    p.add_argument("--answers", type=int, default=100_000,
                   help="published answers of HQ to search over (default 100000)")
    p.add_argument("--fill", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--cost", action="store_true", help=argparse.SUPPRESS)
    return _server.parse_load(p, argv)


# -- the answers to search ----------------------------------------------------------------------

def made_up(k: int, rng: random.Random) -> tuple[str, str]:
    """The k-th question and answer: a topic, a way of asking, three to six phrases."""
    subject = SUBJECTS[k % len(SUBJECTS)]
    question = rng.choice(ASKING).format(subject)
    phrases = rng.sample(SAYING, rng.randint(3, 6))
    answer = f"关于{subject}：" + "".join(p.format(n=rng.randint(1, 22)) for p in phrases)
    return question, answer.rstrip("，") + "。"


def fill(total: int) -> None:
    """(In a child process, with the hall's environment) HQ's Q&A filled up to ``total``
    answers: each a closed question of the demo's first topic, published, indexed."""
    sys.path.insert(0, str(_server.ROOT))
    from sqlalchemy import func, insert, select

    from hall import clock, qa_search
    from hall.models import Enquiry, EnquiryTopic, Hall, PublishedAnswer
    from hall.web import create_app, shutdown
    from hall.web.extensions import db

    app = create_app()
    rng = random.Random(15)
    with app.app_context():
        session = db.session
        hall = session.scalar(select(Hall).where(Hall.code == "HQ"))
        topic = session.scalar(select(EnquiryTopic).where(EnquiryTopic.hall_id == hall.id)
                               .order_by(EnquiryTopic.sort_order))
        have = session.scalar(select(func.count()).select_from(PublishedAnswer))
        now = clock.now()
        for start in range(have, total, BATCH):
            count = min(BATCH, total - start)
            first = (session.scalar(select(func.max(Enquiry.id))) or 0) + 1
            session.execute(insert(Enquiry), [dict(
                id=first + i, hall_id=hall.id, kind="consultation", topic_id=topic.id,
                division_id=topic.division_id, service_no=f"QA{start + i:014d}",
                access_code="BENCHBENCH", subject="基准", body="基准", anonymous=False,
                name="基准", phone="13800000000", state="closed", respond_days=5,
                respond_unit="working", conclude_days=0, conclude_unit="calendar",
                extension_limit=0, created_at=now, respond_due_at=now, responded_at=now,
                closed_at=now, warning="none", ever_red=False, extension_days=0,
                due_provisional=False) for i in range(count)])
            texts = [made_up(start + i, rng) for i in range(count)]
            session.execute(insert(PublishedAnswer), [dict(
                id=first + i, hall_id=hall.id, enquiry_id=first + i, topic_id=topic.id,
                division_id=topic.division_id, question=q, answer=a, published_at=now)
                for i, (q, a) in enumerate(texts)])
            for i, (q, a) in enumerate(texts):
                qa_search.put(session, first + i, hall.code, q, a)
            session.commit()
        print(json.dumps({"answers": session.scalar(
            select(func.count()).select_from(PublishedAnswer))}))
    shutdown(app)


def fill_answers(env: dict, log: Path, total: int) -> int:
    out = subprocess.run([sys.executable, __file__, "--fill", "--answers", str(total)],
                         cwd=_server.ROOT, env=_server.with_hall_clock(env),
                         capture_output=True, text=True)
    log.open("a").write(out.stderr)
    if out.returncode != 0:
        raise RuntimeError(f"filling the Q&A failed; see {log}")
    return json.loads(out.stdout.strip().splitlines()[-1])["answers"]


def search_cost() -> None:
    """(In a child process) one search as the domain makes it, nothing kept: what a query
    never asked before costs (the servers answer a query asked before from memory)."""
    sys.path.insert(0, str(_server.ROOT))
    import statistics

    from hall import qa
    from hall.web import create_app, shutdown
    from hall.web.extensions import db

    app = create_app()
    with app.app_context():
        for query in QUERIES:  # warm: the guide's rows decoded, the statements compiled
            qa.search(db.session, "HQ", query)
            db.session.rollback()
        took = []
        for _ in range(10):
            for query in QUERIES:
                began = time.perf_counter()
                qa.search(db.session, "HQ", query)
                took.append((time.perf_counter() - began) * 1000)
                db.session.rollback()
    shutdown(app)
    print(json.dumps({"median_ms": statistics.median(took), "max_ms": max(took)}))


def measure_cost(env: dict, log: Path) -> dict:
    out = subprocess.run([sys.executable, __file__, "--cost"], cwd=_server.ROOT,
                         env=_server.with_hall_clock(env), capture_output=True, text=True)
    log.open("a").write(out.stderr)
    if out.returncode != 0:
        raise RuntimeError(f"timing one search failed; see {log}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def print_table(rows: list[dict], answers: int) -> None:
    print(f"\nover {answers} published answers")
    print(f"{'clients':>7} | {'endpoint':<8} {'searches/s':>10} {'p50 ms':>7} {'p99 ms':>7} | "
          f"{'bare req/s':>10} {'p50 ms':>7} {'p99 ms':>7} | {'of bare':>7}")
    print("-" * 89)
    for row in rows:
        bare = row["bare"]
        for name in ENDPOINTS:
            hall = row[name]
            ratio = hall["rps"] / bare["rps"] if bare["rps"] else float("nan")
            print(f"{row['clients']:>7} | {name:<8} {hall['rps']:>10.0f} {hall['p50_ms']:>7.1f} "
                  f"{hall['p99_ms']:>7.1f} | {bare['rps']:>10.0f} {bare['p50_ms']:>7.1f} "
                  f"{bare['p99_ms']:>7.1f} | {ratio:>7.0%}")


def verdict(rows: list[dict]) -> bool:
    bad = {f"{row['clients']} {name}": row[name]["statuses"]
           for row in rows for name in (*ENDPOINTS, "bare")
           if set(row[name]["statuses"]) - {"200"} or row[name]["errors"]}
    print("\nAnswers:", "PASS  every answer 200" if not bad else f"FAIL  {bad}")
    return not bad


def _interrupt(_signum, _frame):
    raise KeyboardInterrupt


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.fill:
        fill(args.answers)
        return 0
    if args.cost:
        search_cost()
        return 0
    signal.signal(signal.SIGTERM, _interrupt)
    tmp = Path(tempfile.mkdtemp(prefix="hall-bench-qa-"))
    url = f"sqlite:///{tmp / 'bench.db'}"
    env = {**hall_env(tmp, url), "SCHEDULER_ENABLED": "0"}
    log = tmp / "server.log"
    hall = bare = None
    pool = ProcessPoolExecutor(max_workers=args.procs)
    ok = False
    try:
        print(f"database: {url}\nlogs: {log}")
        prepare_database(env, log)
        began = time.monotonic()
        answers = fill_answers(env, log, args.answers)
        print(f"published answers: {answers} (filled in {time.monotonic() - began:.0f} s)")
        cost = measure_cost(env, log)
        print(f"one search never asked before (the domain alone, {len(QUERIES)} queries x 10): "
              f"median {cost['median_ms']:.1f} ms, max {cost['max_ms']:.1f} ms")
        (hall, bare), hall_port, bare_port = _server.start_hall_and_bare(env, tmp, log)
        _server.wait_ready(hall, hall_port, "GET", READY_PATH)
        _server.wait_ready(bare, bare_port, "GET", BARE_PATH)
        rows = []
        for n in args.clients:
            row: dict = {"clients": n}
            for name, shape in ENDPOINTS.items():
                print(f"  {n} client(s): {name}..." if name == "page" else f" {name}...",
                      end="", flush=True)
                row[name] = run_level(pool, hall_port,
                                      tuple(shape.format(quote(q)) for q in QUERIES), n, args)
            print(" bare...", end="", flush=True)
            row["bare"] = run_level(pool, bare_port, BARE_PATH, n, args)
            rows.append(row)
            print(" done")
        print_table(rows, answers)
        ok = verdict(rows)
        if args.json:
            args.json.write_text(json.dumps({"seconds": args.seconds, "answers": answers,
                                             "cold_search": cost, "levels": rows}, indent=2))
        return 0 if ok else 1
    finally:
        _server.shut_down([hall, bare], pool, tmp, ok=ok, keep=args.keep)


if __name__ == "__main__":
    _server.run_main(main)
