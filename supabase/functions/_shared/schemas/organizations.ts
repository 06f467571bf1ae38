// Organization fields; the same rules the database enforces in create_organization().
import { z } from "zod";

export const SLUG_PATTERN = /^[a-z0-9][a-z0-9-]{1,46}[a-z0-9]$/;

export const organizationName = z
  .string({ message: "Enter a name." })
  .trim()
  .min(1, { message: "Enter a name." })
  .max(80, { message: "Name must be at most 80 characters." });

export const organizationSlug = z
  .string({ message: "Enter a URL name." })
  .trim()
  .toLowerCase()
  .min(3, { message: "URL name must be at least 3 characters." })
  .max(48, { message: "URL name must be at most 48 characters." })
  .regex(SLUG_PATTERN, { message: "Use lowercase letters, digits and hyphens; no hyphen at the start or end." });

export const createOrganizationSchema = z.object({ name: organizationName, slug: organizationSlug });

/** A URL name suggested from a display name: "Acme Cloud, Inc." → "acme-cloud-inc". */
export function slugify(name: string) {
  return name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 48)
    .replace(/-+$/g, "");
}
