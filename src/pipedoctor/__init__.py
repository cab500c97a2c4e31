"""pipedoctor: why did the AWS delivery pipeline fail, proven against the real IAM policies."""

__version__ = "0.1.0"
