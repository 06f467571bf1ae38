import type { TestProject } from "vitest/node";
import { startTestStack, type TestStackInfo } from "./stack.ts";

declare module "vitest" {
  export interface ProvidedContext {
    stack: TestStackInfo;
  }
}

export default async function setup(project: TestProject) {
  const lines: string[] = [];
  const stack = await startTestStack((line) => lines.push(line));
  project.provide("stack", stack.info);
  return async () => {
    await stack.stop();
    if (process.env.CLOUDKEEP_TEST_LOGS) console.log(lines.join("\n"));
  };
}
