/**
 * The dev-mode default policy (`WRIT_DEV=1` without a policy directory): workloads of the dev trust
 * domain may start tasks and call any tool for any audience on public/internal data, and delegate to
 * another dev.local workload. Nothing else is permitted.
 */
export const DEV_POLICIES = `// Writ dev-mode policy: only for the built-in dev issuer (trust domain dev.local).

@id("dev-start-and-call")
permit (
  principal is Writ::Workload,
  action in [Writ::Action::"start_task", Writ::Action::"call_tool"],
  resource is Writ::Tool
)
when {
  principal.kind == "spiffe" &&
  principal.trust_domain == "dev.local" &&
  context.data_class_level <= 1
};

@id("dev-delegate")
permit (
  principal is Writ::Workload,
  action == Writ::Action::"delegate",
  resource is Writ::Tool
)
when {
  principal.kind == "spiffe" &&
  principal.trust_domain == "dev.local" &&
  context.data_class_level <= 1 &&
  context.actor like "spiffe://dev.local/*"
};
`;
