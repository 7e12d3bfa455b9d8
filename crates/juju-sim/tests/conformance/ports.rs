//! Ported from juju/juju internal/worker/uniter/runner/jujuc: (to be filled)
