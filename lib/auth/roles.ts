// Organization roles, lowest to highest: the org_role enum, from the generated schema types.
export { ORG_ROLE_VALUES as ORG_ROLES, hasRole, type OrgRole } from "@/supabase/functions/_shared/domain/roles.ts";
import type { OrgRole } from "@/supabase/functions/_shared/domain/roles.ts";

export const ROLE_LABELS: Record<OrgRole, string> = { viewer: "Viewer", member: "Member", admin: "Admin", owner: "Owner" };
