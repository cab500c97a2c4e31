"""Write src/pipedoctor/iam/aws-managed-policies.json.gz: every AWS managed policy's default
document, so that `check` can judge a template that attaches one without calling AWS.

The documents come from moto's copy of AWS's published managed policies (moto is a locked test
dependency; its `make aws_managed_policies` target downloads them from IAM), and the file records
which moto release they came from. Run it after `make lock` moves moto: `make managed-policies`.
"""

from __future__ import annotations

import gzip
import json
import sys
from importlib.metadata import version
from pathlib import Path

OUTPUT = Path(__file__).resolve().parents[1] / "src" / "pipedoctor" / "iam" / "aws-managed-policies.json.gz"


def main() -> int:
    from moto.iam.aws_managed_policies import aws_managed_policies_data

    published = json.loads(aws_managed_policies_data)
    policies = {
        name: {
            "path": entry.get("Path", "/"),
            "version": entry.get("DefaultVersionId", ""),
            "updated": entry.get("UpdateDate", ""),
            "document": entry["Document"],
        }
        for name, entry in sorted(published.items())
    }
    newest = max(entry["updated"] for entry in policies.values())
    data = {"source": f"moto {version('moto')}", "newest_update": newest, "policies": policies}
    text = json.dumps(data, sort_keys=True, separators=(",", ":"))
    # mtime=0: the same documents give the same bytes, so a re-run changes nothing in git.
    OUTPUT.write_bytes(gzip.compress(text.encode(), compresslevel=9, mtime=0))
    print(f"{OUTPUT.name}: {len(policies)} policies from moto {version('moto')}, newest {newest}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
