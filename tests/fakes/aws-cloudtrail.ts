// CloudTrail's LookupEvents for the AWS fake (tests/fakes/aws.ts): the JSON 1.1 protocol
// (`X-Amz-Target: com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents`, epoch-second
// timestamps, `__type` errors), one lookup attribute at most, newest events first, NextToken pages.
import { createHash, randomUUID } from "node:crypto";
import { cycle, type FakeResponse } from "./server.ts";

/** The documented X-Amz-Target of CloudTrail, and the short form the JavaScript SDK v3 sends (AWS accepts both). */
const CLOUDTRAIL_TARGET = /^(?:com\.amazonaws\.cloudtrail\.v20131101\.)?CloudTrail_20131101\.(\w+)$/;

/** The operation a CloudTrail X-Amz-Target names, or null for a target of another service. */
export function cloudtrailOperation(target: string): string | null {
  return CLOUDTRAIL_TARGET.exec(target)?.[1] ?? null;
}

/** One management event as the fake stores it; `time` is epoch ms. */
export type FakeTrailEvent = {
  id: string;
  name: string;
  source: string;
  username: string;
  time: number;
  readOnly: boolean;
  resources: { type: string; name: string }[];
};

const WRITES: [string, string, string][] = [
  ["RunInstances", "ec2.amazonaws.com", "AWS::EC2::Instance"],
  ["StopInstances", "ec2.amazonaws.com", "AWS::EC2::Instance"],
  ["CreateBucket", "s3.amazonaws.com", "AWS::S3::Bucket"],
  ["AttachRolePolicy", "iam.amazonaws.com", "AWS::IAM::Role"],
];
const USERS = ["alice", "bob", "deploy-bot"];

/**
 * `count` events in `region`, one a minute back from `newest` (epoch ms), newest first. Every third is a
 * read (DescribeInstances), the rest writes; ids are stable, so a test can find any of them again.
 */
export function fakeTrailEvents(region: string, count: number, newest = Date.now(), offset = 0): FakeTrailEvent[] {
  return Array.from({ length: count }, (_, n) => {
    const index = offset + n;
    const read = index % 3 === 2;
    const [name, source, type] = read ? ["DescribeInstances", "ec2.amazonaws.com", "AWS::EC2::Instance"] : cycle(WRITES, index);
    const id = createHash("sha256").update(`${region}:${index}`).digest("hex");
    return {
      id: `${id.slice(0, 8)}-${id.slice(8, 12)}-${id.slice(12, 16)}-${id.slice(16, 20)}-${id.slice(20, 32)}`,
      name,
      source,
      username: cycle(USERS, index),
      time: newest - n * 60_000,
      readOnly: read,
      resources: read ? [] : [{ type, name: type === "AWS::S3::Bucket" ? `bucket-${index}` : `i-${index.toString(16).padStart(17, "0")}` }],
    };
  });
}

export function cloudtrailError(status: number, type: string, message: string): FakeResponse {
  return {
    status,
    headers: { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": randomUUID() },
    body: JSON.stringify({ __type: type, message }),
  };
}

const ATTRIBUTES: Record<string, (event: FakeTrailEvent, value: string) => boolean> = {
  EventId: (e, v) => e.id === v,
  EventName: (e, v) => e.name === v,
  EventSource: (e, v) => e.source === v,
  Username: (e, v) => e.username === v,
  ReadOnly: (e, v) => String(e.readOnly) === v,
  ResourceName: (e, v) => e.resources.some((r) => r.name === v),
  ResourceType: (e, v) => e.resources.some((r) => r.type === v),
};

type LookupBody = {
  LookupAttributes?: { AttributeKey?: string; AttributeValue?: string }[];
  StartTime?: number;
  EndTime?: number;
  MaxResults?: number;
  NextToken?: string;
};

/** Answers one LookupEvents call from `events` (any order), as `accessKeyId` in `region`. */
export function answerLookupEvents(
  rawBody: string,
  events: FakeTrailEvent[],
  region: string,
  accessKeyId: string,
  maxPageSize: number,
): FakeResponse {
  let body: LookupBody;
  try {
    body = JSON.parse(rawBody || "{}") as LookupBody;
  } catch {
    return cloudtrailError(400, "SerializationException", "Request body is not valid JSON.");
  }
  const attributes = body.LookupAttributes ?? [];
  if (attributes.length > 1)
    return cloudtrailError(400, "InvalidLookupAttributesException", "You cannot specify more than one lookup attribute.");
  const [attribute] = attributes;
  const test = attribute ? ATTRIBUTES[attribute.AttributeKey ?? ""] : undefined;
  if (attribute && !test)
    return cloudtrailError(400, "InvalidLookupAttributesException", `Unknown lookup attribute ${attribute.AttributeKey}.`);
  const maxResults = body.MaxResults ?? 50;
  if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > 50) {
    return cloudtrailError(400, "InvalidMaxResultsException", "MaxResults must be between 1 and 50.");
  }
  const filterKey = createHash("sha256")
    .update(JSON.stringify([attribute ?? null, body.StartTime ?? null, body.EndTime ?? null]))
    .digest("hex")
    .slice(0, 12);
  let start = 0;
  if (body.NextToken) {
    const decoded = /^trail:([a-z0-9-]+):([0-9a-f]{12}):(\d+)$/.exec(Buffer.from(body.NextToken, "base64").toString("utf8"));
    if (!decoded || decoded[1] !== region || decoded[2] !== filterKey)
      return cloudtrailError(400, "InvalidNextTokenException", "Invalid NextToken.");
    start = Number(decoded[3]);
  }
  const matching = events
    .filter(
      (e) =>
        (body.StartTime === undefined || e.time >= body.StartTime * 1000) && (body.EndTime === undefined || e.time <= body.EndTime * 1000),
    )
    .filter((e) => !attribute || test!(e, attribute.AttributeValue ?? ""))
    .sort((a, b) => b.time - a.time);
  const end = Math.min(matching.length, start + Math.min(maxResults, maxPageSize));
  const page = matching.slice(start, end).map((e) => ({
    EventId: e.id,
    EventName: e.name,
    ReadOnly: String(e.readOnly),
    AccessKeyId: accessKeyId,
    EventTime: e.time / 1000,
    EventSource: e.source,
    Username: e.username,
    Resources: e.resources.map((r) => ({ ResourceType: r.type, ResourceName: r.name })),
    CloudTrailEvent: JSON.stringify({
      eventVersion: "1.09",
      eventID: e.id,
      eventName: e.name,
      awsRegion: region,
      sourceIPAddress: "198.51.100.7",
    }),
  }));
  return {
    status: 200,
    headers: { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": randomUUID() },
    body: JSON.stringify({
      Events: page,
      ...(end < matching.length ? { NextToken: Buffer.from(`trail:${region}:${filterKey}:${end}`).toString("base64") } : {}),
    }),
  };
}
