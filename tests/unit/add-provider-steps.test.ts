// The add-provider wizard's step rules, without React: what each step checks before "Next",
// how the steps follow each other, and where a refused save sends the user.
import { describe, expect, it } from "vitest";
import {
  EMPTY_DRAFT,
  hasContent,
  nextStep,
  placeErrors,
  previousStep,
  stepOfError,
  validateStep,
  type Draft,
} from "../../components/providers/add-provider/steps.ts";

const AWS_DRAFT: Draft = {
  ...EMPTY_DRAFT,
  kind: "aws",
  name: "Production AWS",
  values: { auth_method: "access_key", access_key: "AKIAIOSFODNN7EXAMPLE" },
};
const AWS_SECRETS = { secret_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" };

describe("moving between steps", () => {
  it("goes kind → details → credentials → review, and saves after the review", () => {
    expect(nextStep("kind")).toBe("details");
    expect(nextStep("details")).toBe("credentials");
    expect(nextStep("credentials")).toBe("review");
    expect(nextStep("review")).toBeNull();
  });

  it("goes back one step at a time and stays on the first", () => {
    expect(previousStep("review")).toBe("credentials");
    expect(previousStep("details")).toBe("kind");
    expect(previousStep("kind")).toBe("kind");
  });

  it("offers to discard a draft only when something was entered", () => {
    expect(hasContent(EMPTY_DRAFT)).toBe(false);
    expect(hasContent({ ...EMPTY_DRAFT, regions: "eu-west-1" })).toBe(true);
    expect(hasContent({ ...EMPTY_DRAFT, values: { auth_method: "role" } })).toBe(true);
  });
});

describe("what each step checks", () => {
  it("asks for a kind on every step until one is chosen", () => {
    for (const step of ["kind", "details", "credentials", "review"] as const) {
      expect(validateStep(step, EMPTY_DRAFT, {})).toEqual({ provider_type: ["Choose what kind of provider to connect."] });
    }
    expect(validateStep("kind", AWS_DRAFT, {})).toEqual({});
  });

  it("checks the name, the regions and the endpoint on the details step, nothing else", () => {
    const draft: Draft = { ...AWS_DRAFT, name: " ", regions: "us-east-1, Mars", api_endpoint: "not a url" };
    const errors = validateStep("details", draft, {});
    expect(Object.keys(errors).sort()).toEqual(["api_endpoint", "name", "regions"]);
    expect(errors.name).toEqual(["Enter a name."]);
    expect(validateStep("details", AWS_DRAFT, {})).toEqual({});
  });

  it("allows an http endpoint in the form, leaving the organization's rule to the server", () => {
    expect(validateStep("details", { ...AWS_DRAFT, api_endpoint: "http://localhost:4566" }, {})).toEqual({});
  });

  it("checks the credentials with the secrets held in memory, keyed by credential field", () => {
    const errors = validateStep("credentials", AWS_DRAFT, {});
    expect(Object.keys(errors)).toEqual(["credentials.secret_key"]);
    expect(validateStep("credentials", AWS_DRAFT, AWS_SECRETS)).toEqual({});
  });

  it("checks nothing more on the review step", () => {
    expect(validateStep("review", { ...AWS_DRAFT, name: "" }, {})).toEqual({});
  });
});

describe("where a refused save goes", () => {
  it("names the step each field error belongs to", () => {
    expect(stepOfError("provider_type")).toBe("kind");
    expect(stepOfError("regions.2")).toBe("details");
    expect(stepOfError("credentials.service_account_json.private_key")).toBe("credentials");
    expect(stepOfError("organization_scope.management_group_id")).toBe("review");
    expect(stepOfError("_form")).toBeNull();
  });

  it("returns to the earliest step with an error, whatever the order of the errors", () => {
    expect(placeErrors({ "credentials.secret_key": ["Wrong."], name: ["Taken."] })).toEqual({ step: "details", unplaced: false });
  });

  it("says when some error belongs to no step, or when none does", () => {
    expect(placeErrors({ "credentials.access_key": ["Wrong."], _form: ["Quota reached."] })).toEqual({
      step: "credentials",
      unplaced: true,
    });
    expect(placeErrors({ _form: ["Quota reached."] })).toEqual({ step: null, unplaced: true });
    expect(placeErrors({})).toEqual({ step: null, unplaced: true });
  });
});
