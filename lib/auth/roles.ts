// Organization roles, lowest to highest (the same order as the org_role enum).
export const ORG_ROLES = ["viewer", "member", "admin", "owner"] as const;
export type OrgRole = (typeof ORG_ROLES)[number];

export function hasRole(role: OrgRole, atLeast: OrgRole) {
  return ORG_ROLES.indexOf(role) >= ORG_ROLES.indexOf(atLeast);
}

export const ROLE_LABELS: Record<OrgRole, string> = { viewer: "Viewer", member: "Member", admin: "Admin", owner: "Owner" };
