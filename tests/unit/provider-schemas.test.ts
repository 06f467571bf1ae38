// Credential schemas per provider kind, the create body, endpoints and what is stored in the clear.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import {
  API_ENDPOINT_FIELDS,
  apiEndpointSchema,
  CREDENTIAL_FIELDS,
  credentialsSchema,
  describeCredential,
  ENVIRONMENTS,
  fieldErrors,
  formatIssues,
  parseCredentials,
  parseProviderInput,
  PROVIDER_LABELS,
  PROVIDER_TYPES,
  providerUpdateSchema,
  SECRET_FIELDS,
  type CredentialsOf,
  type ProviderType,
} from "../../supabase/functions/_shared/schemas/providers.ts";

const PEM = readFileSync(new URL("./fixtures/gcp-test-service-account.pem", import.meta.url), "utf8");

const AWS = { access_key: "AKIAIOSFODNN7EXAMPLE", secret_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" };
const AZURE = {
  tenant_id: "11111111-2222-3333-4444-555555555555",
  client_id: "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
  client_secret: "Abc8Q~fakeFAKEfakeFAKEfakeFAKEfakeFAKE12",
  subscription_id: "99999999-8888-7777-6666-555555555555",
};
const GCP = {
  type: "service_account",
  project_id: "cloudkeep-test-123",
  private_key_id: "0123456789abcdef0123456789abcdef01234567",
  private_key: PEM,
  client_email: "cloudkeep@cloudkeep-test-123.iam.gserviceaccount.com",
  client_id: "112233445566778899001",
  auth_uri: "https://accounts.google.com/o/oauth2/auth",
  token_uri: "https://oauth2.googleapis.com/token",
  auth_provider_x509_cert_url: "https://www.googleapis.com/oauth2/v1/certs",
  client_x509_cert_url: "https://www.googleapis.com/robot/v1/metadata/x509/cloudkeep%40cloudkeep-test-123.iam.gserviceaccount.com",
  universe_domain: "googleapis.com",
};
const DO_TOKEN = `dop_v1_${"0123456789abcdef".repeat(4)}`;
const LINODE_TOKEN = "fedcba9876543210".repeat(4);
const VULTR_KEY = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const OPENSTACK_PASSWORD = { username: "cloudkeep", password: "s3cret pass", project: "ops" };
const OPENSTACK_APP = {
  application_credential_id: "21dced0fd20347869b93710d2b98aae0",
  application_credential_secret: "app-cred-secret-value",
};
const S3 = { access_key: "minio-reader", secret_key: "minio-secret-123" };

type Result = z.ZodSafeParseResult<unknown>;

function parse(kind: ProviderType, credentials: unknown, options = {}) {
  return parseCredentials(kind, credentials, options);
}

function errorsOf(result: Result): Record<string, string[]> {
  if (result.success) throw new Error("expected validation to fail");
  return fieldErrors(result.error);
}

function dataOf<T>(result: z.ZodSafeParseResult<T>): T {
  if (!result.success) throw new Error(`expected success, got ${formatIssues(result.error).join("; ")}`);
  return result.data;
}

describe("provider kinds", () => {
  it("lists the eight kinds with a label, fields and secret fields for each", () => {
    expect(PROVIDER_TYPES).toEqual(["aws", "azure", "gcp", "digitalocean", "linode", "vultr", "openstack", "s3_compatible"]);
    expect(ENVIRONMENTS).toEqual(["production", "staging", "development", "other"]);
    for (const kind of PROVIDER_TYPES) {
      expect(PROVIDER_LABELS[kind]).toBeTruthy();
      expect(CREDENTIAL_FIELDS[kind].length).toBeGreaterThan(0);
      expect(SECRET_FIELDS[kind].length).toBeGreaterThan(0);
    }
  });

  it("renders every secret field as a password or file input that is marked secret", () => {
    for (const kind of PROVIDER_TYPES) {
      for (const field of CREDENTIAL_FIELDS[kind]) {
        if (SECRET_FIELDS[kind].includes(field.name)) {
          expect(field.secret, `${kind}.${field.name}`).toBe(true);
          expect(["password", "file-json"], `${kind}.${field.name}`).toContain(field.type);
        }
        if (field.secret) expect(field.type, `${kind}.${field.name}`).not.toBe("text");
      }
    }
  });

  it("tells the user where to find an Azure tenant id and to copy the secret's Value", () => {
    const fields = Object.fromEntries(CREDENTIAL_FIELDS.azure.map((field) => [field.name, field]));
    expect(fields.tenant_id?.help).toContain("Directory (tenant) ID");
    expect(fields.client_secret?.help).toContain("Value, not the Secret ID");
  });
});

describe("aws credentials", () => {
  it("accepts an access key and secret and returns them canonically", () => {
    expect(dataOf(parse("aws", AWS))).toEqual(AWS);
  });

  it.each([
    ["camelCase names", { accessKey: AWS.access_key, secretKey: AWS.secret_key, region: "eu-west-1" }],
    ["the AWS CLI names", { access_key_id: AWS.access_key, secret_access_key: AWS.secret_key, region: "eu-west-1" }],
    ["the SDK names", { accessKeyId: AWS.access_key, secretAccessKey: AWS.secret_key, region: "eu-west-1" }],
  ])("accepts %s", (_, input) => {
    expect(dataOf(parse("aws", input))).toEqual({ ...AWS, region: "eu-west-1" });
  });

  it("trims pasted whitespace and drops empty optional form fields", () => {
    expect(dataOf(parse("aws", { access_key: ` ${AWS.access_key}\n`, secret_key: AWS.secret_key, region: "", session_token: "" }))).toEqual(
      AWS,
    );
  });

  it("refuses an access key id that does not start with AKIA or ASIA", () => {
    expect(errorsOf(parse("aws", { ...AWS, access_key: "AKZAIOSFODNN7EXAMPLE" }))).toEqual({
      "credentials.access_key": ["Access key ID must be 20 characters starting with AKIA or ASIA (like AKIAIOSFODNN7EXAMPLE)."],
    });
  });

  it("refuses an access key id that is not 20 characters", () => {
    expect(errorsOf(parse("aws", { ...AWS, access_key: "AKIAIOSFODNN7EXAMPL" }))["credentials.access_key"]?.[0]).toContain(
      "must be 20 characters",
    );
  });

  it("refuses a secret key that is not 40 characters", () => {
    expect(errorsOf(parse("aws", { ...AWS, secret_key: AWS.secret_key.slice(1) }))).toEqual({
      "credentials.secret_key": ["Secret access key must be exactly 40 characters of letters, digits, '/', '+' or '='."],
    });
  });

  it("refuses a secret key with characters AWS never uses", () => {
    expect(errorsOf(parse("aws", { ...AWS, secret_key: `${AWS.secret_key.slice(1)}!` }))).toHaveProperty(["credentials.secret_key"]);
  });

  it("says which fields are missing", () => {
    expect(errorsOf(parse("aws", {}))).toEqual({
      "credentials.access_key": ["Access key ID is required."],
      "credentials.secret_key": ["Secret access key is required."],
    });
  });

  it("requires a session token with a temporary ASIA key", () => {
    const temporary = { ...AWS, access_key: "ASIAIOSFODNN7EXAMPLE" };
    expect(errorsOf(parse("aws", temporary))["credentials.session_token"]?.[0]).toBe(
      "Session token is required with a temporary access key (one starting with ASIA).",
    );
    const token = "FwoGZXIvYXdzEBYaDFAKEFAKEFAKE+session/token==";
    expect(dataOf(parse("aws", { ...temporary, sessionToken: token }))).toEqual({ ...temporary, session_token: token });
  });

  it("refuses a session token with a long-term AKIA key", () => {
    expect(errorsOf(parse("aws", { ...AWS, session_token: "FwoGZXIvYXdzEBYaDFAKEFAKEFAKE" }))["credentials.session_token"]?.[0]).toContain(
      "only with temporary access keys",
    );
  });

  it("refuses a default region that is not an AWS region code", () => {
    expect(errorsOf(parse("aws", { ...AWS, region: "US East" }))).toEqual({
      "credentials.region": ["Default region must be an AWS region code like us-east-1 or eu-west-2."],
    });
    expect(dataOf(parse("aws", { ...AWS, region: "us-gov-west-1" }))).toHaveProperty("region", "us-gov-west-1");
  });

  it("refuses two names for one field with different values", () => {
    expect(errorsOf(parse("aws", { ...AWS, accessKey: "AKIAI44QH8DHBEXAMPLE" }))["credentials.access_key"]?.[0]).toBe(
      "access_key and accessKey name the same field with different values; send only one of them.",
    );
  });

  it("refuses credentials that are not an object", () => {
    expect(errorsOf(parse("aws", "AKIAIOSFODNN7EXAMPLE"))).toEqual({ credentials: ["Credentials must be an object of named fields."] });
    expect(errorsOf(parse("aws", undefined))).toEqual({ credentials: ["Credentials are required."] });
  });
});

describe("azure credentials", () => {
  it("accepts a service principal and returns it canonically", () => {
    expect(dataOf(parse("azure", AZURE))).toEqual(AZURE);
  });

  it("accepts the names az ad sp create-for-rbac prints", () => {
    const { tenant_id, client_id, client_secret, subscription_id } = AZURE;
    expect(dataOf(parse("azure", { tenant: tenant_id, appId: client_id, password: client_secret, subscription_id }))).toEqual(AZURE);
  });

  it("accepts camelCase names and an optional subscription name and secret expiry", () => {
    const input = {
      tenantId: AZURE.tenant_id.toUpperCase(),
      clientId: AZURE.client_id,
      clientSecret: AZURE.client_secret,
      subscriptionId: AZURE.subscription_id,
      subscriptionName: "Production Subscription",
      clientSecretExpiresAt: "2027-06-30",
    };
    expect(dataOf(parse("azure", input))).toEqual({
      ...AZURE,
      subscription_name: "Production Subscription",
      client_secret_expires_at: "2027-06-30",
    });
  });

  it("normalises an expiry timestamp with a zone to UTC", () => {
    expect(dataOf(parse("azure", { ...AZURE, client_secret_expires_at: "2027-06-30T12:00:00+02:00" }))).toHaveProperty(
      "client_secret_expires_at",
      "2027-06-30T10:00:00.000Z",
    );
  });

  it.each(["2027-02-30", "30/06/2027", "2027-06-30T12:00:00", "soon"])("refuses the expiry date %s", (value) => {
    expect(errorsOf(parse("azure", { ...AZURE, client_secret_expires_at: value }))).toEqual({
      "credentials.client_secret_expires_at": ["Client secret expiry must be a valid date like 2026-12-31."],
    });
  });

  it.each([
    ["tenant_id", "Directory (tenant) ID"],
    ["client_id", "Application (client) ID"],
    ["subscription_id", "Subscription ID"],
  ])("refuses a %s that is not a GUID", (field, label) => {
    expect(errorsOf(parse("azure", { ...AZURE, [field]: "contoso.onmicrosoft.com" }))).toEqual({
      [`credentials.${field}`]: [`${label} must be a GUID like 11111111-2222-3333-4444-555555555555.`],
    });
  });

  it("refuses the secret's ID pasted instead of its Value", () => {
    expect(
      errorsOf(parse("azure", { ...AZURE, client_secret: "f3b1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d" }))["credentials.client_secret"]?.[0],
    ).toContain("copy the secret's Value");
  });

  it("requires a client secret", () => {
    expect(errorsOf(parse("azure", { ...AZURE, client_secret: "" }))).toEqual({
      "credentials.client_secret": ["Client secret is required."],
    });
  });
});

describe("gcp credentials", () => {
  it("accepts the key file as an object and keeps its fields", () => {
    expect(dataOf(parse("gcp", GCP))).toEqual(GCP);
  });

  it("accepts the key file pasted as a string of JSON", () => {
    expect(dataOf(parse("gcp", JSON.stringify(GCP, null, 2)))).toEqual(GCP);
  });

  it("accepts the key file from the form's file field", () => {
    expect(dataOf(parse("gcp", { service_account_json: JSON.stringify(GCP) }))).toEqual(GCP);
    expect(dataOf(parse("gcp", { serviceAccountJson: GCP }))).toEqual(GCP);
  });

  it("accepts camelCase names and a private key with escaped newlines", () => {
    const { project_id, private_key_id, private_key, client_email, client_id, auth_uri, token_uri } = GCP;
    const input = {
      type: "service_account",
      projectId: project_id,
      privateKeyId: private_key_id,
      privateKey: private_key.replace(/\n/g, "\\n"),
      clientEmail: client_email,
      clientId: client_id,
      authUri: auth_uri,
      tokenUri: token_uri,
    };
    expect(dataOf(parse("gcp", input))).toEqual({
      type: "service_account",
      project_id,
      private_key_id,
      private_key,
      client_email,
      client_id,
      auth_uri,
      token_uri,
    });
  });

  it("says the key is not valid JSON without repeating any of it", () => {
    const broken = JSON.stringify(GCP).slice(0, -10);
    const errors = errorsOf(parse("gcp", broken));
    expect(errors).toEqual({ credentials: [expect.stringMatching(/^Service account key is not valid JSON\./)] });
    expect(JSON.stringify(errors)).not.toContain("PRIVATE KEY");
    expect(JSON.stringify(errors)).not.toContain(GCP.private_key_id);
    expect(errorsOf(parse("gcp", { service_account_json: "{oops" }))).toHaveProperty(["credentials.service_account_json"]);
  });

  it("refuses JSON that is not an object", () => {
    expect(errorsOf(parse("gcp", "[1, 2]"))).toEqual({
      credentials: ["Service account key must be a JSON object: the contents of the key file, starting with {."],
    });
  });

  it("refuses a user credential file and says what it is", () => {
    const errors = errorsOf(parse("gcp", { ...GCP, type: "authorized_user" }));
    expect(errors["credentials.type"]?.[0]).toContain('"authorized_user" (a user login');
  });

  it("says which required fields are missing", () => {
    const { private_key: _key, client_email: _email, token_uri: _token, ...rest } = GCP;
    expect(Object.keys(errorsOf(parse("gcp", rest))).sort()).toEqual([
      "credentials.client_email",
      "credentials.private_key",
      "credentials.token_uri",
    ]);
  });

  it("places errors under the form's file field when the key came from it", () => {
    expect(errorsOf(parse("gcp", { service_account_json: { ...GCP, project_id: "X" } }))).toHaveProperty([
      "credentials.service_account_json.project_id",
    ]);
  });

  it("refuses a private key that is not a PEM private key", () => {
    expect(errorsOf(parse("gcp", { ...GCP, private_key: "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC" }))).toEqual({
      "credentials.private_key": [
        "Private key must be the PEM key from the key file, from -----BEGIN PRIVATE KEY----- to -----END PRIVATE KEY-----.",
      ],
    });
    const rsa = PEM.replace(/PRIVATE KEY/g, "RSA PUBLIC KEY");
    expect(errorsOf(parse("gcp", { ...GCP, private_key: rsa }))).toHaveProperty(["credentials.private_key"]);
  });

  it("refuses a client email that is not a service account", () => {
    expect(errorsOf(parse("gcp", { ...GCP, client_email: "someone@gmail.com" }))).toEqual({
      "credentials.client_email": ["Client email must be the service account's address, ending in .iam.gserviceaccount.com."],
    });
  });

  it("accepts the Compute Engine default service account, which can also have keys", () => {
    const email = "123456789012-compute@developer.gserviceaccount.com";
    expect(dataOf(parse("gcp", { ...GCP, client_email: email }))).toHaveProperty("client_email", email);
  });

  it("refuses a project id of the wrong shape", () => {
    expect(errorsOf(parse("gcp", { ...GCP, project_id: "My Project" }))["credentials.project_id"]?.[0]).toContain(
      "Project ID must be 6–30 lowercase letters",
    );
  });

  it("refuses an http token URI unless the organization allows http", () => {
    const local = { ...GCP, token_uri: "http://127.0.0.1:4444/token" };
    expect(errorsOf(parse("gcp", local))["credentials.token_uri"]?.[0]).toContain("Token URI must use https://");
    expect(dataOf(parse("gcp", local, { allowHttp: true }))).toHaveProperty("token_uri", local.token_uri);
    expect(errorsOf(parse("gcp", { ...GCP, auth_uri: "not a url" }))["credentials.auth_uri"]?.[0]).toContain(
      "Auth URI must be an absolute URL",
    );
  });
});

describe("token credentials", () => {
  const tokens: [ProviderType, string][] = [
    ["digitalocean", DO_TOKEN],
    ["linode", LINODE_TOKEN],
    ["vultr", VULTR_KEY],
  ];

  describe.each(tokens)("%s", (kind, token) => {
    it.each(["access_key", "accessKey", "token", "api_token", "apiToken"])(
      "accepts the token as %s and stores it as access_key",
      (name) => {
        expect(dataOf(parse(kind, { [name]: token }))).toEqual({ access_key: token });
      },
    );

    it("ignores the empty secret_key that other clients send", () => {
      expect(dataOf(parse(kind, { access_key: token, secret_key: "" }))).toEqual({ access_key: token });
    });

    it("requires the token", () => {
      expect(Object.keys(errorsOf(parse(kind, { secret_key: "" })))).toEqual(["credentials.access_key"]);
    });
  });

  it("refuses a DigitalOcean token without the dop_v1_ prefix", () => {
    expect(errorsOf(parse("digitalocean", { token: "0123456789abcdef".repeat(4) }))).toEqual({
      "credentials.access_key": ["Personal access token must be dop_v1_ followed by 64 lowercase hex characters."],
    });
  });

  it("refuses a Linode token that is not 64 hex characters", () => {
    expect(errorsOf(parse("linode", { token: LINODE_TOKEN.slice(2) }))).toEqual({
      "credentials.access_key": ["Personal access token must be 64 lowercase hex characters."],
    });
  });

  it("refuses a Vultr key that is not 36 uppercase letters and digits", () => {
    expect(errorsOf(parse("vultr", { api_token: VULTR_KEY.toLowerCase() }))).toEqual({
      "credentials.access_key": ["API key must be 36 uppercase letters and digits."],
    });
  });
});

describe("openstack credentials", () => {
  it("accepts a username and password with a project and defaults the domain to Default", () => {
    expect(dataOf(parse("openstack", OPENSTACK_PASSWORD))).toEqual({ ...OPENSTACK_PASSWORD, domain: "Default" });
  });

  it("keeps a password exactly as typed, spaces included", () => {
    expect(dataOf(parse("openstack", { ...OPENSTACK_PASSWORD, password: " padded " }))).toHaveProperty("password", " padded ");
  });

  it("accepts clouds.yaml names for project, domain and region", () => {
    const input = { username: "cloudkeep", password: "pw", project_name: "ops", user_domain_name: "corp", region_name: "RegionOne" };
    expect(dataOf(parse("openstack", input))).toEqual({
      username: "cloudkeep",
      password: "pw",
      project: "ops",
      domain: "corp",
      region: "RegionOne",
    });
  });

  it("accepts an application credential, in snake_case or camelCase", () => {
    expect(dataOf(parse("openstack", OPENSTACK_APP))).toEqual(OPENSTACK_APP);
    expect(
      dataOf(
        parse("openstack", {
          applicationCredentialId: OPENSTACK_APP.application_credential_id,
          applicationCredentialSecret: OPENSTACK_APP.application_credential_secret,
          region: "RegionTwo",
        }),
      ),
    ).toEqual({ ...OPENSTACK_APP, region: "RegionTwo" });
  });

  it("refuses both a password and an application credential", () => {
    expect(errorsOf(parse("openstack", { ...OPENSTACK_PASSWORD, ...OPENSTACK_APP }))).toEqual({
      credentials: ["Use either a username and password or an application credential ID and secret, not both."],
    });
  });

  it("refuses neither a password nor an application credential", () => {
    expect(errorsOf(parse("openstack", { project: "ops", region: "RegionOne" }))).toEqual({
      credentials: ["Enter a username and password, or an application credential ID and secret."],
    });
  });

  it("requires the other half of a pair and a project for password authentication", () => {
    expect(errorsOf(parse("openstack", { username: "cloudkeep" }))).toEqual({
      "credentials.password": ["Password is required with a username."],
      "credentials.project": ["Project (name or ID) is required for username and password authentication."],
    });
    expect(errorsOf(parse("openstack", { application_credential_id: OPENSTACK_APP.application_credential_id }))).toEqual({
      "credentials.application_credential_secret": ["Application credential secret is required with an application credential ID."],
    });
  });
});

describe("s3-compatible credentials", () => {
  it("accepts an access key pair and defaults region and path style", () => {
    expect(dataOf(parse("s3_compatible", S3))).toEqual({ ...S3, region: "us-east-1", force_path_style: false });
  });

  it.each([
    ["true", true],
    ["on", true],
    ["false", false],
    ["off", false],
    [true, true],
  ])("reads force_path_style %j from a form or JSON as %j", (value, expected) => {
    expect(dataOf(parse("s3_compatible", { ...S3, forcePathStyle: value }))).toHaveProperty("force_path_style", expected);
  });

  it("accepts the SDK names and a custom region", () => {
    expect(
      dataOf(parse("s3_compatible", { accessKeyId: S3.access_key, secretAccessKey: S3.secret_key, region: "auto", path_style: "on" })),
    ).toEqual({
      ...S3,
      region: "auto",
      force_path_style: true,
    });
  });

  it("refuses a path style that is not a yes or no", () => {
    expect(errorsOf(parse("s3_compatible", { ...S3, force_path_style: "maybe" }))).toEqual({
      "credentials.force_path_style": ["Path-style addressing must be true or false."],
    });
  });

  it("refuses keys that are too short or contain spaces", () => {
    expect(errorsOf(parse("s3_compatible", { access_key: "ab", secret_key: "short" }))).toEqual({
      "credentials.access_key": ["Access key must be at least 3 characters."],
      "credentials.secret_key": ["Secret key must be at least 8 characters."],
    });
    expect(errorsOf(parse("s3_compatible", { ...S3, secret_key: "has a space" }))).toEqual({
      "credentials.secret_key": ["Secret key must not contain spaces."],
    });
  });
});

describe("api_endpoint", () => {
  const endpoint = (kind: ProviderType, value: unknown, allowHttp = false) => apiEndpointSchema(kind, { allowHttp }).safeParse(value);
  const message = (kind: ProviderType, value: unknown, allowHttp = false) => {
    const result = endpoint(kind, value, allowHttp);
    if (result.success) throw new Error("expected the endpoint to be refused");
    return result.error.issues[0]!.message; // a refusal has at least one issue
  };

  it("is optional for public clouds and null when empty", () => {
    expect(endpoint("aws", undefined).data).toBeNull();
    expect(endpoint("digitalocean", "").data).toBeNull();
  });

  it("is required for openstack and s3_compatible, with the expected shape in the message", () => {
    expect(message("openstack", "")).toBe(
      "Keystone URL is required: the URL of the Keystone v3 API, like https://keystone.example.com:5000/v3.",
    );
    expect(message("s3_compatible", undefined)).toBe("S3 endpoint is required: the URL of the S3 service, like https://s3.example.com.");
    expect(API_ENDPOINT_FIELDS.openstack.required && API_ENDPOINT_FIELDS.s3_compatible.required).toBe(true);
  });

  it("refuses plain http unless the organization allows it", () => {
    expect(message("s3_compatible", "http://minio.internal:9000")).toContain("S3 endpoint must use https://");
    expect(endpoint("s3_compatible", "http://minio.internal:9000", true).data).toBe("http://minio.internal:9000");
  });

  it("refuses credentials in the URL without repeating them", () => {
    const text = message("s3_compatible", "https://admin:hunter2@s3.example.com");
    expect(text).toBe("S3 endpoint must not contain a user name or password; enter credentials in the credential fields.");
    expect(text).not.toContain("hunter2");
    expect(message("aws", "https://token@sts.example.com")).toContain("must not contain a user name or password");
  });

  it("refuses a fragment, a query string and other schemes", () => {
    expect(message("s3_compatible", "https://s3.example.com/#x")).toBe("S3 endpoint must not contain a fragment (#…).");
    expect(message("s3_compatible", "https://s3.example.com/?a=b")).toBe("S3 endpoint must not contain a query string (?…).");
    expect(message("s3_compatible", "ftp://s3.example.com")).toBe("S3 endpoint must start with https:// (like https://s3.example.com).");
    expect(message("aws", "sts.amazonaws.com")).toBe("API endpoint must be an absolute URL like https://sts.us-east-1.amazonaws.com.");
  });

  it("drops a trailing slash", () => {
    expect(endpoint("s3_compatible", "https://S3.Example.com:9000/").data).toBe("https://s3.example.com:9000");
  });

  it.each([
    ["https://keystone.example.com:5000", "https://keystone.example.com:5000/v3"],
    ["https://keystone.example.com:5000/v3/", "https://keystone.example.com:5000/v3"],
    ["https://cloud.example.com/identity", "https://cloud.example.com/identity/v3"],
    ["https://keystone.example.com/v3/auth/tokens", "https://keystone.example.com/v3"],
  ])("normalises the Keystone URL %s to %s", (input, output) => {
    expect(endpoint("openstack", input).data).toBe(output);
  });

  it("refuses a Keystone v2.0 URL", () => {
    expect(message("openstack", "https://keystone.example.com:5000/v2.0")).toContain("retired Identity v2.0 API");
  });
});

describe("the create body", () => {
  const body = {
    name: "  AWS Production ",
    provider_type: "aws",
    api_endpoint: null,
    credentials: AWS,
  };

  it("parses the shape programmatic users already send, with defaults", () => {
    expect(dataOf(parseProviderInput(body))).toEqual({
      name: "AWS Production",
      provider_type: "aws",
      api_endpoint: null,
      environment: "production",
      regions: [],
      credentials: AWS,
    });
  });

  it("takes regions as a comma-separated form value and merges duplicates", () => {
    const input = { ...body, environment: "Staging", regions: "us-east-1, eu-west-1,,us-east-1" };
    expect(dataOf(parseProviderInput(input))).toMatchObject({ environment: "staging", regions: ["us-east-1", "eu-west-1"] });
  });

  it("refuses an AWS region list entry that is not a region code, naming its position", () => {
    expect(errorsOf(parseProviderInput({ ...body, regions: ["us-east-1", "Frankfurt"] }))).toEqual({
      "regions.1": ["Each region must be an AWS region code like us-east-1 or eu-west-2."],
    });
  });

  it("accepts camelCase top-level names and a provider type written as a label", () => {
    const parsed = dataOf(
      parseProviderInput({ name: "MinIO", providerType: "S3-Compatible", apiEndpoint: "https://minio.example.com", credentials: S3 }),
    );
    expect(parsed).toMatchObject({ provider_type: "s3_compatible", api_endpoint: "https://minio.example.com" });
  });

  it("reports field paths for the UI and the API", () => {
    const result = parseProviderInput({ ...body, name: "", environment: "prod", credentials: { ...AWS, secret_key: "short" } });
    expect(errorsOf(result)).toEqual({
      name: ["Enter a name."],
      environment: ["Environment must be one of production, staging, development, other."],
      "credentials.secret_key": ["Secret access key must be exactly 40 characters of letters, digits, '/', '+' or '='."],
    });
    if (result.success) throw new Error("unreachable");
    expect(formatIssues(result.error)).toContain(
      "credentials.secret_key: Secret access key must be exactly 40 characters of letters, digits, '/', '+' or '='.",
    );
  });

  it("refuses a name longer than 80 characters", () => {
    expect(errorsOf(parseProviderInput({ ...body, name: "x".repeat(81) }))).toEqual({ name: ["Name must be at most 80 characters."] });
  });

  it("refuses an unknown provider type and lists the known ones", () => {
    expect(errorsOf(parseProviderInput({ ...body, provider_type: "oracle" }))).toEqual({
      provider_type: ["Provider type must be one of aws, azure, gcp, digitalocean, linode, vultr, openstack, s3_compatible."],
    });
  });

  it("refuses a body that is not an object", () => {
    expect(errorsOf(parseProviderInput("aws"))).toEqual({
      body: ["The provider must be a JSON object with name, provider_type and credentials."],
    });
  });

  it("requires the Keystone URL for openstack and normalises it", () => {
    const openstack = { name: "Private cloud", provider_type: "openstack", credentials: OPENSTACK_PASSWORD };
    expect(Object.keys(errorsOf(parseProviderInput(openstack)))).toEqual(["api_endpoint"]);
    expect(dataOf(parseProviderInput({ ...openstack, api_endpoint: "https://keystone.example.com:5000" }))).toMatchObject({
      api_endpoint: "https://keystone.example.com:5000/v3",
      credentials: { ...OPENSTACK_PASSWORD, domain: "Default" },
    });
  });

  it("follows the organization's http setting for the endpoint", () => {
    const s3 = { name: "MinIO", provider_type: "s3_compatible", api_endpoint: "http://10.0.0.5:9000", credentials: S3 };
    expect(errorsOf(parseProviderInput(s3))).toHaveProperty(["api_endpoint"]);
    expect(dataOf(parseProviderInput(s3, { allowHttp: true }))).toHaveProperty("api_endpoint", "http://10.0.0.5:9000");
  });

  it("parses one body of each kind", () => {
    const samples: Record<ProviderType, unknown> = {
      aws: AWS,
      azure: AZURE,
      gcp: JSON.stringify(GCP),
      digitalocean: { access_key: DO_TOKEN, secret_key: "" },
      linode: { token: LINODE_TOKEN },
      vultr: { api_token: VULTR_KEY },
      openstack: OPENSTACK_APP,
      s3_compatible: S3,
    };
    for (const kind of PROVIDER_TYPES) {
      const api_endpoint =
        kind === "openstack" ? "https://keystone.example.com/v3" : kind === "s3_compatible" ? "https://s3.example.com" : undefined;
      const parsed = dataOf(
        parseProviderInput({ name: PROVIDER_LABELS[kind], provider_type: kind, api_endpoint, credentials: samples[kind] }),
      );
      expect(parsed.provider_type).toBe(kind);
    }
  });
});

describe("metadata updates", () => {
  it("returns only the fields sent, without defaults", () => {
    expect(dataOf(providerUpdateSchema.safeParse({ name: " Renamed " }))).toEqual({ name: "Renamed" });
    expect(dataOf(providerUpdateSchema.safeParse({ environment: "Development", regions: "nyc3, sfo3" }))).toEqual({
      environment: "development",
      regions: ["nyc3", "sfo3"],
    });
  });

  it("refuses an unknown environment", () => {
    expect(errorsOf(providerUpdateSchema.safeParse({ environment: "qa" }))).toEqual({
      environment: ["Environment must be one of production, staging, development, other."],
    });
  });
});

describe("what is stored in the clear", () => {
  it("describes an AWS key by its key id and hints AKIA…MPLE", () => {
    expect(describeCredential("aws", AWS)).toEqual({
      authMethod: "access_key",
      accountIdentifier: "AKIAIOSFODNN7EXAMPLE",
      credentialHint: "AKIA…MPLE",
      expiresAt: null,
    });
    expect(
      describeCredential("aws", { ...AWS, access_key: "ASIAIOSFODNN7EXAMPLE", session_token: "FwoGZXIvYXdzEBYaDFAKE" }).authMethod,
    ).toBe("session_token");
  });

  it("describes an Azure principal by subscription, with the client id's start and the secret's expiry", () => {
    expect(describeCredential("azure", { ...AZURE, client_secret_expires_at: "2027-06-30" })).toEqual({
      authMethod: "client_secret",
      accountIdentifier: AZURE.subscription_id,
      credentialHint: "aaaaaaaa…",
      expiresAt: "2027-06-30T00:00:00.000Z",
    });
  });

  it("describes a GCP key by project and service account", () => {
    const canonical = dataOf(parse("gcp", GCP)) as CredentialsOf<"gcp">;
    expect(describeCredential("gcp", canonical)).toEqual({
      authMethod: "service_account_key",
      accountIdentifier: "cloudkeep-test-123",
      credentialHint: GCP.client_email,
      expiresAt: null,
    });
  });

  it("describes a token by its last four characters and no account until checked", () => {
    expect(describeCredential("digitalocean", { access_key: DO_TOKEN })).toEqual({
      authMethod: "api_token",
      accountIdentifier: null,
      credentialHint: "…cdef",
      expiresAt: null,
    });
  });

  it("describes OpenStack by Keystone host, domain and project, or by application credential", () => {
    const endpoint = "https://keystone.example.com:5000/v3";
    expect(describeCredential("openstack", { ...OPENSTACK_PASSWORD, domain: "Default" }, endpoint)).toEqual({
      authMethod: "password",
      accountIdentifier: "keystone.example.com:5000/Default/ops",
      credentialHint: "cloudkeep",
      expiresAt: null,
    });
    expect(describeCredential("openstack", OPENSTACK_APP, endpoint)).toMatchObject({
      authMethod: "application_credential",
      credentialHint: OPENSTACK_APP.application_credential_id,
    });
  });

  it("describes S3 by endpoint host and access key", () => {
    const canonical = { ...S3, region: "us-east-1", force_path_style: false };
    expect(describeCredential("s3_compatible", canonical, "https://s3.example.com:9000")).toEqual({
      authMethod: "access_key",
      accountIdentifier: "s3.example.com:9000/minio-reader",
      credentialHint: "mini…ader",
      expiresAt: null,
    });
  });

  it("never shows more than four characters of a secret in a hint or identifier", () => {
    const canaries: Record<ProviderType, unknown> = {
      aws: {
        ...AWS,
        access_key: "ASIAIOSFODNN7EXAMPLE",
        secret_key: "CANARYawsSECRETcanaryAWSsecret0123456789",
        session_token: "CANARYzqxTOKENzqx0123456",
      },
      azure: { ...AZURE, client_secret: "CANARY~azureSECRET.canary_value-0123456" },
      gcp: { ...GCP, private_key: PEM },
      digitalocean: { access_key: `dop_v1_${"c0ffee00".repeat(8)}` },
      linode: { access_key: "deadbeef".repeat(8) },
      vultr: { access_key: "CANARYVULTRKEY0123456789CANARYVULTRX" },
      openstack: { username: "ops-user", password: "CANARYopenstackPASSWORD", project: "ops" },
      s3_compatible: { access_key: "reader", secret_key: "CANARYs3SECRETcanary" },
    };
    const openstackApp = { application_credential_id: "appcred01", application_credential_secret: "CANARYappCREDsecret" };
    const cases: [ProviderType, unknown][] = [
      ...PROVIDER_TYPES.map((kind) => [kind, canaries[kind]] as [ProviderType, unknown]),
      ["openstack", openstackApp],
    ];
    for (const [kind, input] of cases) {
      const endpoint =
        kind === "openstack" ? "https://keystone.example.com/v3" : kind === "s3_compatible" ? "https://s3.example.com" : null;
      const canonical = dataOf(parse(kind, input)) as Record<string, unknown>;
      const { credentialHint, accountIdentifier, expiresAt } = describeCredential(kind, canonical as never, endpoint);
      const shown = [credentialHint, accountIdentifier, expiresAt].join(" ");
      for (const field of SECRET_FIELDS[kind]) {
        const secret = canonical[field];
        if (typeof secret !== "string") continue;
        for (let start = 0; start + 5 <= secret.length; start++) {
          expect(shown, `${kind}.${field}`).not.toContain(secret.slice(start, start + 5));
        }
      }
    }
  });
});

describe("secrecy of validation errors", () => {
  it("never repeats a secret value in an error message", () => {
    const canary = "CANARYsecretVALUEcanary";
    const results = [
      parse("aws", { access_key: canary, secret_key: canary, session_token: `${canary} x`, region: canary }),
      parse("azure", { ...AZURE, tenant_id: canary, client_secret: 42, client_secret_expires_at: canary }),
      parse("gcp", `{"private_key": "${canary}"`),
      parse("gcp", { ...GCP, private_key: canary, type: canary }),
      parse("digitalocean", { token: canary }),
      parse("openstack", { username: canary, password: canary, application_credential_secret: canary }),
      parse("s3_compatible", { access_key: `${canary} `, secret_key: `${canary} x`, force_path_style: canary }),
      parseProviderInput({ name: canary.repeat(10), provider_type: canary, credentials: { secret_key: canary } }),
      parseProviderInput({ name: "x", provider_type: "s3_compatible", api_endpoint: `https://u:${canary}@h`, credentials: S3 }),
    ];
    for (const result of results) {
      if (result.success) throw new Error("expected validation to fail");
      expect(JSON.stringify(result.error.issues)).not.toContain(canary);
    }
  });
});

it("builds a credentials schema for every kind", () => {
  for (const kind of PROVIDER_TYPES) expect(credentialsSchema(kind).safeParse({}).success).toBe(false);
});
