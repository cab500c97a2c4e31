"""The permission graph: who runs as, assumes, passes and can do what, each edge decided by the IAM
evaluator. Pure: no AWS calls."""
