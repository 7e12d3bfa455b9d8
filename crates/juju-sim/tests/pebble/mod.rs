mod api;
mod client;
mod plan_conformance;
mod process;
mod runtime_client;
