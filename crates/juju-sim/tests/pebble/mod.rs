mod plan_conformance;
