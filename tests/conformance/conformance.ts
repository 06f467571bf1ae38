// Holds what a fake answered against the cloud's own published schema (the cited excerpts in ./schemas):
// JSON bodies through JSON Schema (ajv, draft-07), AWS XML through the element names of the service
// models. A fake that invents a field, drops a required one, or misspells an element fails here.
import Ajv from "ajv";
import type { FakeRequest } from "../fakes/server.ts";

export type JsonExcerpt = { operations: Record<string, object>; definitions: Record<string, object> };

const ajv = new Ajv({ allErrors: true });
const compiled = new Map<string, Ajv.ValidateFunction>();

/** Everything wrong with `body` as the answer to `operation` of the excerpt (empty: it conforms). */
export function jsonProblems(excerpt: JsonExcerpt, operation: string, body: unknown): string[] {
  const key = `${Object.keys(excerpt.definitions).join(",")}|${operation}`;
  let validate = compiled.get(key);
  if (!validate) {
    const schema = excerpt.operations[operation];
    if (!schema) throw new Error(`the excerpt has no operation "${operation}"`);
    validate = ajv.compile({ ...schema, definitions: excerpt.definitions });
    compiled.set(key, validate);
  }
  if (validate(body)) return [];
  return (validate.errors ?? []).map((e) => `${operation}: ${e.dataPath || "(body)"} ${e.message} ${JSON.stringify(e.params)}`);
}

/** The recorded answers of a fake, as JSON, with the request that got them. */
export function jsonAnswers(requests: FakeRequest[]): { request: FakeRequest; status: number; body: unknown }[] {
  return requests
    .filter((r) => r.answer && r.answer.text !== "")
    .map((r) => ({ request: r, status: r.answer!.status, body: JSON.parse(r.answer!.text) as unknown }));
}

// ---------------------------------------------------------------------------------------------------
// XML (AWS)

export type XmlElement = { name: string; children: XmlElement[]; text: string };

/** A small parser for the well-formed XML the AWS fakes write: elements, attributes (ignored), text, entities. */
export function parseXml(source: string): XmlElement {
  const text = source.replace(/^\uFEFF?\s*<\?xml[^>]*\?>/, "");
  const document: XmlElement = { name: "#document", children: [], text: "" };
  // Never empty: no closing tag can name the document, so it stays at the bottom.
  const stack: XmlElement[] = [document];
  const token = /<\/?([A-Za-z_][\w.:-]*)((?:\s+[\w:.-]+\s*=\s*"[^"]*")*)\s*(\/?)>|([^<]+)/gy;
  let match: RegExpExecArray | null;
  let at = 0;
  while (at < text.length) {
    token.lastIndex = at;
    match = token.exec(text);
    if (!match) throw new Error(`not well-formed XML at ${at}: ${text.slice(at, at + 40)}`);
    at = token.lastIndex;
    const [whole, name, , selfClosing, chars] = match;
    const top = stack[stack.length - 1] ?? document;
    if (chars !== undefined) {
      top.text += chars.replace(/&(lt|gt|amp|apos|quot);/g, (_, e: string) => ({ lt: "<", gt: ">", amp: "&", apos: "'", quot: '"' })[e]!);
    } else if (whole.startsWith("</")) {
      if (top.name !== name) throw new Error(`</${name}> closes <${top.name}>`);
      stack.pop();
    } else {
      // Not text, so the tag alternative matched, name and all.
      const element: XmlElement = { name: name!, children: [], text: "" };
      top.children.push(element);
      if (!selfClosing) stack.push(element);
    }
  }
  if (stack.length !== 1) throw new Error(`unclosed <${stack[stack.length - 1]?.name}>`);
  const [root, ...others] = document.children;
  if (!root || others.length) throw new Error(`expected one root element, found ${document.children.length}`);
  return root;
}

export type XmlMember = string | { list: XmlMember; item: string };
export type XmlShapes = Record<string, { members: Record<string, XmlMember> }>;

const SCALARS = new Set(["string", "number", "boolean", "timestamp", "blob"]);

/** Every element under `element` that its shape does not define, or that holds what the shape says it cannot. */
export function xmlProblems(element: XmlElement, shape: string, shapes: XmlShapes, where = element.name): string[] {
  const definition = shapes[shape];
  if (!definition) return [`${where}: no shape ${shape} in the excerpt`];
  const problems: string[] = [];
  for (const child of element.children) {
    const member = definition.members[child.name];
    const path = `${where}/${child.name}`;
    if (member === undefined) problems.push(`${path}: ${shape} has no member with this element name`);
    else problems.push(...memberProblems(child, member, shapes, path));
  }
  return problems;
}

function memberProblems(element: XmlElement, member: XmlMember, shapes: XmlShapes, path: string): string[] {
  if (typeof member === "string") {
    if (SCALARS.has(member)) return element.children.length ? [`${path}: a ${member} holds elements`] : [];
    return xmlProblems(element, member, shapes, path);
  }
  return element.children.flatMap((item) =>
    item.name === member.item
      ? memberProblems(item, member.list, shapes, `${path}/${item.name}`)
      : [`${path}/${item.name}: list items are <${member.item}>`],
  );
}

// ---------------------------------------------------------------------------------------------------
// Query parameters

export type QueryParameter = { in: string; name: string; schema: object };

/** Every query parameter of `url` that the operation does not define, or whose value its schema refuses. */
export function queryProblems(parameters: QueryParameter[], url: URL): string[] {
  const problems: string[] = [];
  for (const [name, raw] of url.searchParams) {
    const parameter = parameters.find((p) => p.in === "query" && p.name === name);
    if (!parameter) {
      problems.push(`${url.pathname}: no query parameter "${name}" in the definition`);
      continue;
    }
    const type = (parameter.schema as { type?: string }).type;
    const value = type === "integer" || type === "number" ? Number(raw) : raw;
    if (!ajv.validate(parameter.schema, value)) problems.push(`${url.pathname}: ${name}=${raw} ${ajv.errorsText()}`);
  }
  return problems;
}
