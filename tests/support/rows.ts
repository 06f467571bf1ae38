// Reading back what a test wrote: the row it expects, or a failure that says the row is missing.

/** The first of `rows`; throws when there is none, so a missing row fails the test plainly instead of as a TypeError later. */
export function firstRow<T>(rows: readonly T[]): T {
  const [row] = rows;
  if (row === undefined) throw new Error("Expected a row, got none.");
  return row;
}
