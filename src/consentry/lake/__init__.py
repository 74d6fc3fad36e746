"""The data lake: the database copied into Parquet tables that the Spark job reads (SPEC §5)."""
