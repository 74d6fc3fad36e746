"""The Spark (PySpark) job: run creation, export and retention sweeps over the lake (SPEC §5).

The job applies the rules of :mod:`consentry.domain` as DataFrame operations
(:mod:`.rules`), the sensitive-data filter inside the executors (:mod:`.export`), and
reads and rewrites the lake only through the table-format port (:mod:`.lakeio`).
Nothing data-sized is collected to the driver: only counts, bucket numbers and file
lists travel there. See docs/spark.md.
"""
