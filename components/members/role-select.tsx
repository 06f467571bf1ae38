"use client";
// The role picker of the invite dialog and the members table; owner is offered only to owners.
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { ORG_ROLES, ROLE_LABELS, type OrgRole } from "@/lib/auth/roles";

type Props = {
  value: OrgRole;
  onValueChange: (role: OrgRole) => void;
  canGrantOwner: boolean;
  disabled?: boolean;
  size?: "sm" | "default";
  className?: string;
  /** id and aria attributes from FormField, or an aria-label where there is no visible label. */
  trigger?: React.ComponentProps<typeof SelectTrigger>;
};

export function RoleSelect({ value, onValueChange, canGrantOwner, disabled, size, className, trigger }: Props) {
  const roles = ORG_ROLES.filter((role) => canGrantOwner || role !== "owner");
  return (
    <Select value={value} onValueChange={(next) => onValueChange(next as OrgRole)} disabled={disabled}>
      <SelectTrigger {...trigger} size={size} className={className}>
        <SelectValue>{ROLE_LABELS[value]}</SelectValue>
      </SelectTrigger>
      <SelectContent>
        {roles.map((role) => (
          <SelectItem key={role} value={role}>
            {ROLE_LABELS[role]}
          </SelectItem>
        ))}
      </SelectContent>
    </Select>
  );
}
