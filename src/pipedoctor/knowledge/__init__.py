"""Domain knowledge written once: image references and registries, ARNs, connection service
prefixes, and what shell commands in a buildspec do. Diagnosis facts, configuration checks,
source readers, least privilege and the TUI all ask these modules; none of them imports back."""
