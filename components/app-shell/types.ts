import type { OrgRole } from "@/lib/auth/roles";

/** What the shell needs to know about one of the user's organizations. */
export type ShellOrganization = {
  slug: string;
  name: string;
  role: OrgRole;
};

export type ShellUser = {
  email: string;
};

/** The sign-out server action from lib/actions/auth.ts, handed down as a prop. */
export type SignOutAction = () => Promise<void>;
