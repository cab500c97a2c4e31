"""CloudTrail log files in a trail's S3 bucket, downloaded for the local reader."""

from __future__ import annotations

from pathlib import Path
from typing import Any

LOG_SUFFIXES = (".json", ".json.gz", ".jsonl", ".jsonl.gz")  # as leastpriv/cloudtrail.py reads


def download_trail_files(client: Any, url: str, target: Path) -> list[Path]:
    """Every log file under `s3://bucket/prefix`, downloaded into `target`; the local paths."""
    bucket, _, prefix = url.removeprefix("s3://").partition("/")
    paths: list[Path] = []
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            key = item["Key"]
            if not key.endswith(LOG_SUFFIXES):
                continue
            local = target / key
            if target.resolve() not in local.resolve().parents:
                continue  # a key like "../x" must not escape the scratch folder
            local.parent.mkdir(parents=True, exist_ok=True)
            client.download_file(bucket, key, str(local))
            paths.append(local)
    return paths
