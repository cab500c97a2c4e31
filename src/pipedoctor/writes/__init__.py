"""The only code that changes AWS: `policy apply` and `policy rollback` (IAM, with --yes)."""
