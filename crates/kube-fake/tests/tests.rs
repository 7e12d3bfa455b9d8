//! Integration tests: the real kube 5 client (rustls on ring, configured from the fake's
//! kubeconfig) against the fake over HTTPS on loopback, as the charm will use it.

mod fake;
