"""Configuration checks (posture predicates), one module per topic: privileged mode, variables,
source connections, images, artifacts, policies and the files' syntax. Rules name them through
`diagnose.predicates.PREDICATES`."""
