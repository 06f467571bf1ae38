import * as React from "react";

import { cn } from "@/lib/utils";
import { Label } from "@/components/ui/label";

/** The attributes a form control needs to be tied to its label, description and error. */
type FormControlProps = {
  id: string;
  "aria-invalid": true | undefined;
  "aria-describedby": string | undefined;
};

type FormFieldProps = {
  id: string;
  label: React.ReactNode;
  /** One message, or the `fieldErrors[name]` array an action returns; empty means valid. */
  error?: string | string[];
  description?: React.ReactNode;
  className?: string;
  /**
   * The control. Preferably a render function: FormField hands it `id`, `aria-invalid` and
   * `aria-describedby` (description and error ids) to spread onto the focusable element,
   * which for a Select is the SelectTrigger:
   *
   *   <FormField id="name" label="Name" error={state.fieldErrors?.name}>
   *     {(control) => <Input {...control} name="name" required />}
   *   </FormField>
   *
   * Plain elements work too, but then the caller sets those three attributes itself
   * (`${id}-error`, `${id}-description`). No cloneElement: the wiring stays typed and visible.
   * This file has no "use client" on purpose, so a server component may pass the function.
   */
  children: React.ReactNode | ((control: FormControlProps) => React.ReactNode);
};

function FormField({ id, label, error, description, className, children }: FormFieldProps) {
  const errors = (Array.isArray(error) ? error : [error]).filter((message): message is string => Boolean(message));
  const invalid = errors.length > 0;
  const descriptionId = description ? `${id}-description` : undefined;
  const errorId = invalid ? `${id}-error` : undefined;
  const describedBy = [descriptionId, errorId].filter(Boolean).join(" ") || undefined;

  return (
    <div data-slot="form-field" data-invalid={invalid || undefined} className={cn("grid gap-2", className)}>
      <Label htmlFor={id} className={cn(invalid && "text-destructive")}>
        {label}
      </Label>
      {typeof children === "function" ? children({ id, "aria-invalid": invalid || undefined, "aria-describedby": describedBy }) : children}
      {description && (
        <p id={descriptionId} data-slot="form-field-description" className="text-sm text-muted-foreground">
          {description}
        </p>
      )}
      {invalid && (
        <p id={errorId} role="alert" data-slot="form-field-error" className="text-sm text-destructive">
          {errors.map((message, index) => (
            <span key={index} className="block">
              {message}
            </span>
          ))}
        </p>
      )}
    </div>
  );
}

export { FormField, type FormControlProps, type FormFieldProps };
