// AWS Organizations' ListAccounts for the AWS fake (tests/fakes/aws.ts), in the JSON 1.1 protocol
// (`X-Amz-Target: AWSOrganizationsV20161128.ListAccounts`, epoch-second timestamps, `__type` errors),
// NextToken pages of at most MaxResults (1–20). The caller's account is the management account when
// it is the organization's; any other caller needs `delegatedAdministrators` to list.
import { randomUUID } from "node:crypto";
import type { Fake, FakeRequest, FakeResponse } from "./server.ts";

export type FakeOrgAccount = {
  Id: string;
  Name: string;
  Email: string;
  State: "ACTIVE" | "SUSPENDED" | "PENDING_CLOSURE" | "CLOSED" | "PENDING_ACTIVATION";
  JoinedMethod?: "INVITED" | "CREATED";
};

export type FakeOrganization = {
  id: string;
  managementAccount: string;
  accounts: FakeOrgAccount[];
  delegatedAdministrators: string[];
};

/** Where a test puts the organization: `(fake as OrganizationsHost).organization = …`; none: the caller is in no organization. */
export type OrganizationsHost = Fake & { organization?: FakeOrganization | null };

const TARGET = /^AWSOrganizationsV20161128\.(\w+)$/;

export function fakeOrganization(managementAccount: string, members: Partial<FakeOrgAccount>[] = []): FakeOrganization {
  const accounts: FakeOrgAccount[] = [
    { Id: managementAccount, Name: "management", Email: "root@example.com", State: "ACTIVE", JoinedMethod: "CREATED" },
    ...members.map((m, i) => ({
      Id: m.Id ?? String(200000000000 + i),
      Name: m.Name ?? `member-${i}`,
      Email: m.Email ?? `member-${i}@example.com`,
      State: m.State ?? "ACTIVE",
      JoinedMethod: m.JoinedMethod ?? "INVITED",
    })),
  ];
  return { id: "o-exampleorg01", managementAccount, accounts, delegatedAdministrators: [] };
}

/** An Organizations error: the model's error structures have one member, `Message`. */
function jsonError(status: number, type: string, message: string): FakeResponse {
  return {
    status,
    headers: { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": randomUUID() },
    body: JSON.stringify({ __type: type, Message: message }),
  };
}

/** The deprecated Status for a State (CLOSED and PENDING_ACTIVATION have none of their own). */
const STATUS: Record<FakeOrgAccount["State"], string | undefined> = {
  ACTIVE: "ACTIVE",
  SUSPENDED: "SUSPENDED",
  PENDING_CLOSURE: "PENDING_CLOSURE",
  CLOSED: "SUSPENDED",
  PENDING_ACTIVATION: undefined,
};

/** Answers an Organizations call already authenticated by the AWS fake; `denied` is the caller's IAM check. */
export function answerOrganizations(
  request: FakeRequest,
  fake: Fake,
  caller: { account?: string; arn?: string },
  denied: (action: string) => boolean,
): FakeResponse {
  const operation = TARGET.exec(request.headers["x-amz-target"] ?? "")?.[1];
  if (operation !== "ListAccounts") return jsonError(400, "UnknownOperationException", `Unknown operation ${operation}.`);
  const organization = (fake as OrganizationsHost).organization ?? null;
  if (denied("organizations:ListAccounts")) {
    return jsonError(
      403,
      "AccessDeniedException",
      `You don't have permissions to access this resource. (${caller.arn ?? caller.account} is not authorized to perform: organizations:ListAccounts)`,
    );
  }
  if (!organization || !organization.accounts.some((a) => a.Id === caller.account)) {
    return jsonError(404, "AWSOrganizationsNotInUseException", "Your account is not a member of an organization.");
  }
  if (caller.account !== organization.managementAccount && !organization.delegatedAdministrators.includes(caller.account ?? "")) {
    return jsonError(
      403,
      "AccessDeniedException",
      "You don't have permissions to access this resource. The account must be the management account or a delegated administrator.",
    );
  }
  let body: { NextToken?: string; MaxResults?: number };
  try {
    body = JSON.parse(request.body || "{}") as typeof body;
  } catch {
    return jsonError(400, "SerializationException", "Malformed request body.");
  }
  const max = body.MaxResults ?? 20;
  if (!Number.isInteger(max) || max < 1 || max > 20) return jsonError(400, "InvalidInputException", "MaxResults must be between 1 and 20.");
  const start = body.NextToken
    ? Number(
        Buffer.from(body.NextToken, "base64")
          .toString("utf8")
          .replace(/^page:/, ""),
      )
    : 0;
  if (!Number.isInteger(start) || start < 0) return jsonError(400, "InvalidInputException", "The NextToken is invalid.");
  const size = Math.min(max, fake.switches.maxPageSize);
  const page = organization.accounts.slice(start, start + size);
  const end = start + page.length;
  const joined = Math.floor(Date.parse("2024-03-01T12:00:00Z") / 1000);
  return {
    status: 200,
    headers: { "content-type": "application/x-amz-json-1.1" },
    body: JSON.stringify({
      Accounts: page.map((a) => ({
        Id: a.Id,
        Arn: `arn:aws:organizations::${organization.managementAccount}:account/${organization.id}/${a.Id}`,
        Email: a.Email,
        Name: a.Name,
        ...(STATUS[a.State] ? { Status: STATUS[a.State] } : {}),
        State: a.State,
        ...(a.JoinedMethod ? { JoinedMethod: a.JoinedMethod } : {}),
        JoinedTimestamp: joined,
      })),
      ...(end < organization.accounts.length ? { NextToken: Buffer.from(`page:${end}`).toString("base64") } : {}),
    }),
  };
}
