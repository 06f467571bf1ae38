// zod issues as the field errors every form, action and API answer shows: messages keyed by the
// dotted field path (`credentials.access_key`). The one place that flattens them.

type Issue = { readonly path: readonly PropertyKey[]; readonly message: string };
export type FieldErrors = Record<string, string[]>;

/**
 * `prefix` goes in front of every path (a schema that checked a bare value); an issue about the
 * whole input goes under `prefix`, or under `whole` when there is no prefix.
 */
export function toFieldErrors(issues: readonly Issue[], options: { prefix?: string; whole?: string } = {}): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of issues) {
    const key = [options.prefix, ...issue.path.map(String)].filter(Boolean).join(".") || options.whole || "body";
    (errors[key] ??= []).push(issue.message);
  }
  return errors;
}
