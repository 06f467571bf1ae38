// A member's or invitation's role; admins and owners stand out.
import { Badge } from "@/components/ui/badge";
import { ROLE_LABELS, type OrgRole } from "@/lib/auth/roles";

export function RoleBadge({ role }: { role: OrgRole }) {
  return <Badge variant={role === "owner" || role === "admin" ? "default" : "secondary"}>{ROLE_LABELS[role]}</Badge>;
}

/** What each role may do, for role pickers. */
export const ROLE_DESCRIPTIONS: Record<OrgRole, string> = {
  viewer: "Sees stored providers, health and resources.",
  member: "Also runs checks and live listings.",
  admin: "Also manages providers, members, tokens and settings.",
  owner: "Also grants ownership and can delete the organization.",
};
