"use client";
// The credential inputs of one provider kind, for the add and rotate dialogs.
//
// SECRET INPUTS ARE UNCONTROLLED ON PURPOSE: React mirrors a controlled input's value into its
// `value` attribute, which would put the secret into the DOM's HTML. Secrets are reported upwards
// through onSecretChange and live only in the parent's memory; they vanish with the dialog.
import { useId, useRef, useState } from "react";
import { FileJson, Upload } from "lucide-react";

import { Alert, AlertDescription } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Checkbox } from "@/components/ui/checkbox";
import { ChoiceCards } from "@/components/ui/choice-cards";
import { FormField } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Textarea } from "@/components/ui/textarea";
import { cn } from "@/lib/utils";
import { CREDENTIAL_VARIANTS, type CredentialField, type ProviderType } from "@/supabase/functions/_shared/schemas/providers.ts";
import { chosenVariant, credentialFields, isSecretField, VARIANT_FIELD, type CredentialValues, type FieldErrors } from "./provider-form";

type CredentialFieldsProps = {
  kind: ProviderType;
  /** Prefix for element ids, unique per dialog. */
  idPrefix: string;
  values: CredentialValues;
  onValueChange: (name: string, value: string | boolean) => void;
  onSecretChange: (name: string, value: string) => void;
  /** Errors by field name. */
  errors: FieldErrors;
  /** Errors about the credential as a whole (a duplicate, "either a password or an application credential"). */
  formErrors?: string[];
};

export function credentialInputId(idPrefix: string, name: string) {
  return `${idPrefix}-credential-${name}`;
}

export function CredentialFields({
  kind,
  idPrefix,
  values,
  onValueChange,
  onSecretChange,
  errors,
  formErrors = [],
}: CredentialFieldsProps) {
  const fields = credentialFields(kind, values);
  const variants = CREDENTIAL_VARIANTS[kind];
  const variant = chosenVariant(kind, values);
  // Kinds whose fields are all optional take one of several sets (OpenStack); "(optional)" would mislead there.
  const markOptional = fields.some((field) => field.required);

  return (
    <div className="grid gap-4" data-test="credential-fields">
      {formErrors.length > 0 && (
        <Alert variant="destructive" id={`${idPrefix}-credentials-error`} data-test="credentials-error">
          <AlertDescription>
            {formErrors.map((message, index) => (
              <span key={index} className="block">
                {message}
              </span>
            ))}
          </AlertDescription>
        </Alert>
      )}
      {variants && variant && (
        <ChoiceCards
          id={credentialInputId(idPrefix, VARIANT_FIELD)}
          legend="Authentication"
          data-test="auth-method"
          choices={variants}
          value={variant.value}
          error={errors[VARIANT_FIELD]}
          onChange={(value) => onValueChange(VARIANT_FIELD, value)}
        />
      )}
      {fields.map((field) => {
        const id = credentialInputId(idPrefix, field.name);
        const label = (
          <>
            {field.label}
            {markOptional && !field.required && <span className="font-normal text-muted-foreground">(optional)</span>}
          </>
        );
        const fieldErrors = errors[field.name];

        if (field.type === "file-json") {
          return (
            <KeyFileField
              key={field.name}
              id={id}
              field={field}
              label={label}
              error={fieldErrors}
              onChange={(text) => onSecretChange(field.name, text)}
            />
          );
        }
        if (field.type === "checkbox") {
          return (
            <CheckboxField
              key={field.name}
              id={id}
              field={field}
              checked={values[field.name] === true}
              error={fieldErrors}
              onChange={(checked) => onValueChange(field.name, checked)}
            />
          );
        }
        const secret = isSecretField(kind, field);
        return (
          <FormField key={field.name} id={id} label={label} error={fieldErrors} description={field.help}>
            {(control) =>
              secret ? (
                <Input
                  {...control}
                  type="password"
                  name={field.name}
                  autoComplete="new-password"
                  spellCheck={false}
                  placeholder={field.placeholder}
                  className="font-mono"
                  onChange={(event) => onSecretChange(field.name, event.target.value)}
                />
              ) : field.type === "textarea" ? (
                <Textarea
                  {...control}
                  name={field.name}
                  spellCheck={false}
                  placeholder={field.placeholder}
                  value={String(values[field.name] ?? "")}
                  onChange={(event) => onValueChange(field.name, event.target.value)}
                />
              ) : (
                <Input
                  {...control}
                  type={field.type === "date" ? "date" : "text"}
                  name={field.name}
                  autoComplete="off"
                  spellCheck={false}
                  placeholder={field.placeholder}
                  className={cn(field.type !== "date" && "font-mono")}
                  value={String(values[field.name] ?? "")}
                  onChange={(event) => onValueChange(field.name, event.target.value)}
                />
              )
            }
          </FormField>
        );
      })}
    </div>
  );
}

function CheckboxField({
  id,
  field,
  checked,
  error,
  onChange,
}: {
  id: string;
  field: CredentialField;
  checked: boolean;
  error?: string[];
  onChange: (checked: boolean) => void;
}) {
  const descriptionId = field.help ? `${id}-description` : undefined;
  const errorId = error?.length ? `${id}-error` : undefined;
  return (
    <div className="flex items-start gap-3" data-slot="form-field">
      <Checkbox
        id={id}
        name={field.name}
        checked={checked}
        onCheckedChange={(value) => onChange(value === true)}
        aria-invalid={errorId ? true : undefined}
        aria-describedby={[descriptionId, errorId].filter(Boolean).join(" ") || undefined}
        className="mt-0.5"
      />
      <div className="grid gap-1.5">
        <Label htmlFor={id}>{field.label}</Label>
        {field.help && (
          <p id={descriptionId} className="text-sm text-muted-foreground">
            {field.help}
          </p>
        )}
        {errorId && (
          <p id={errorId} role="alert" className="text-sm text-destructive">
            {error!.join(" ")}
          </p>
        )}
      </div>
    </div>
  );
}

/** A service-account key: paste the JSON, or pick the file and it is read in the browser (never uploaded by itself). */
function KeyFileField({
  id,
  field,
  label,
  error,
  onChange,
}: {
  id: string;
  field: CredentialField;
  label: React.ReactNode;
  error?: string[];
  onChange: (text: string) => void;
}) {
  const textarea = useRef<HTMLTextAreaElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const [loaded, setLoaded] = useState<string | null>(null);
  const [readError, setReadError] = useState<string | null>(null);
  const fileHintId = useId();

  function readFile(file: File | undefined) {
    if (!file) return;
    setReadError(null);
    if (file.size > 64 * 1024) {
      setReadError("That file is too large to be a service account key (over 64 KB).");
      return;
    }
    const reader = new FileReader();
    reader.onload = () => {
      const text = typeof reader.result === "string" ? reader.result : "";
      // Set the property, not a prop: the key must not become an attribute (see the top of the file).
      if (textarea.current) textarea.current.value = text;
      setLoaded(file.name);
      onChange(text);
    };
    reader.onerror = () => setReadError("The file could not be read. Paste its contents instead.");
    reader.readAsText(file);
    if (fileInput.current) fileInput.current.value = "";
  }

  const errors = [...(error ?? []), ...(readError ? [readError] : [])];
  return (
    <FormField id={id} label={label} error={errors} description={field.help}>
      {(control) => (
        <div className="grid gap-2">
          <Textarea
            {...control}
            ref={textarea}
            name={field.name}
            rows={6}
            spellCheck={false}
            autoComplete="off"
            placeholder={field.placeholder}
            className="max-h-48 font-mono text-xs"
            onChange={(event) => {
              setLoaded(null);
              onChange(event.target.value);
            }}
          />
          <div className="flex flex-wrap items-center gap-2">
            <input
              ref={fileInput}
              type="file"
              accept=".json,application/json"
              className="sr-only"
              tabIndex={-1}
              aria-hidden="true"
              data-test="key-file-input"
              onChange={(event) => readFile(event.target.files?.[0])}
            />
            <Button type="button" variant="outline" size="sm" onClick={() => fileInput.current?.click()} aria-describedby={fileHintId}>
              <Upload aria-hidden="true" />
              Upload key file
            </Button>
            <span id={fileHintId} className="flex items-center gap-1.5 text-xs text-muted-foreground" aria-live="polite">
              {loaded ? (
                <>
                  <FileJson aria-hidden="true" className="size-3.5" />
                  Read {loaded} in your browser
                </>
              ) : (
                "or paste the JSON above"
              )}
            </span>
          </div>
        </div>
      )}
    </FormField>
  );
}
