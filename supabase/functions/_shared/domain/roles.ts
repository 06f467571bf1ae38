// Organization roles rank in the org_role enum's order (viewer < member < admin < owner), the
// same order the database compares them in; the list comes from the generated schema types.
import { ORG_ROLE_VALUES, type OrgRole } from "../database.types.ts";

export { ORG_ROLE_VALUES, type OrgRole };

/** Whether `role` is `atLeast` or above; an unknown role (or none) ranks below every role. */
export function hasRole(role: string | null | undefined, atLeast: OrgRole): boolean {
  const rank = ORG_ROLE_VALUES.indexOf(role as OrgRole);
  return rank >= 0 && rank >= ORG_ROLE_VALUES.indexOf(atLeast);
}
