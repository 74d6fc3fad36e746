"""The spark-submit entry point: ``spark-submit job.py run-create|export|sweep ...``.

Plain argparse (no Typer) so the file runs under spark-submit with only the
consentry package on the executors' path (``--py-files consentry.zip``). The same
functions back ``consentry spark ...`` (:mod:`consentry.entrypoints.cli_spark`).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from consentry.config.policy_file import load_policy
from consentry.domain.clock import parse_iso
from consentry.domain.errors import ConsentryError


class LakeOnObjectStore(ConsentryError):
    """The Spark job reads and writes the lake's data files through Spark's own file
    systems: an ``s3://`` lake needs Hadoop's S3A connector (the hadoop-aws JARs), which
    this job does not ship. ``lake export`` and the Delta readers use ``s3://`` directly."""

    code = "spark_lake_on_object_store"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="consentry-spark", description=__doc__)
    p.add_argument("--master", default=None, help="e.g. local[2]; omit under spark-submit")
    p.add_argument("--shuffle-partitions", type=int, default=None)
    p.add_argument("--policy", default=None, help="the policy TOML the system of record uses")
    sub = p.add_subparsers(dest="command", required=True)
    c = sub.add_parser("run-create", help="compute a run's manifest at a cutoff (R20-R23)")
    c.add_argument("--lake", required=True)
    c.add_argument("--purpose", default="model_training")
    c.add_argument("--cutoff", default=None, help="ISO instant; default now")
    c.add_argument("--run-id", default=None)
    e = sub.add_parser("export", help="write a run's filtered shards and manifest (R24, R25)")
    e.add_argument("--lake", required=True)
    e.add_argument("--run-id", required=True)
    e.add_argument("--out", required=True)
    e.add_argument("--shard-rows", type=int, default=50_000)
    e.add_argument("--batch-rows", type=int, default=5_000)
    s = sub.add_parser("sweep", help="purge what retention and deletion say is due (R17)")
    s.add_argument("--lake", required=True)
    s.add_argument("--now", default=None, help="ISO instant; default now")
    a = sub.add_parser("audit", help="re-prove a run's manifest at the versions it read")
    a.add_argument("--lake", required=True)
    a.add_argument("--run-id", required=True)
    return p


def run(argv: list[str], spark: Any = None, keys: Any = None) -> dict[str, Any]:
    """Parse `argv`, run the command on `spark` (or a new session); return its JSON result.

    ``keys`` (issue 26): the data keys' port (:class:`consentry.spark.shredded.ContentKeys`)
    that ``consentry spark export`` hands over with crypto-shredding on; spark-submit passes
    none, so its export refuses a lake holding ciphertext (``lake_encrypted``)."""
    from consentry.lake.catalog import check_lake
    from consentry.lake.storage import is_object_store
    from consentry.spark.regions import refuse_regionless_lake
    from consentry.spark.session import spark_session

    args = _parser().parse_args(argv)
    if is_object_store(args.lake):
        raise LakeOnObjectStore(
            f"the Spark job cannot use the lake at {args.lake} on object storage (Spark"
            " needs the hadoop-aws JARs for it): mount the bucket (or use HDFS/NFS) and pass"
            " its path; `consentry lake export` and Delta readers use s3:// directly"
        )
    policy = load_policy(args.policy)
    check_lake(args.lake)  # before a JVM starts: a pointer-format or mixed lake is refused
    if args.command != "export":  # P21: regional periods need the accounts' regions
        audited = args.run_id if args.command == "audit" else None
        refuse_regionless_lake(args.lake, policy, audited_run=audited)
    spark = spark or spark_session(args.master, shuffle_partitions=args.shuffle_partitions)
    if args.command == "run-create":
        from consentry.spark.runs import create_run

        cutoff = parse_iso(args.cutoff) if args.cutoff else datetime.now(UTC)
        created = create_run(
            spark,
            lake=args.lake,
            purpose=args.purpose,
            cutoff=cutoff,
            policy=policy,
            run_id=args.run_id,
        )
        return created.public()
    if args.command == "export":
        from consentry.spark.export import export_run

        return export_run(
            spark,
            lake=args.lake,
            run_id=args.run_id,
            out_dir=args.out,
            shard_rows=args.shard_rows,
            batch_rows=args.batch_rows,
            ner=policy.ner,
            keys=keys,
        )
    if args.command == "audit":
        from consentry.spark.runs import audit_run

        audit = audit_run(spark, lake=args.lake, run_id=args.run_id, policy=policy)
        return {**asdict(audit), "ok": audit.ok}
    from consentry.spark.sweep import sweep_lake

    now = parse_iso(args.now) if args.now else datetime.now(UTC)
    return asdict(sweep_lake(spark, lake=args.lake, now=now, policy=policy))


def main(argv: list[str] | None = None) -> int:
    try:
        result = run(sys.argv[1:] if argv is None else argv)
    except ConsentryError as error:  # a lake in the wrong format, a key that does not open
        print(f"error {error.code}: {error.message}", file=sys.stderr)
        return 2
    print(json.dumps(result, indent=2, default=str))
    problems = result.get("proof") or result.get("findings") or []
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
