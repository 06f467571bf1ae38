// Capture groups of a regular expression whose groups are all mandatory: once it matched, every
// one of them is a string. The type system cannot see that; this says it once, and checks it.

type Strings<N extends number, A extends string[] = []> = A["length"] extends N ? A : Strings<N, [...A, string]>;

/** Groups 1..count of `match`; throws if one is missing (the pattern has fewer, or optional, groups). */
export function captures<N extends 1 | 2 | 3 | 4 | 5 | 6>(match: RegExpMatchArray | RegExpExecArray, count: N): Strings<N> {
  const groups = match.slice(1, count + 1);
  if (groups.length !== count || groups.some((group) => group === undefined)) {
    throw new Error(`Expected ${count} capture groups; the pattern has fewer or optional ones.`);
  }
  return groups as Strings<N>;
}
