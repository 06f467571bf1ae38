// Sign-up and sign-in fields, shared by the forms and the server actions.
import { z } from "zod";

/** An email address field: trimmed, lower-cased, at most 254 characters; `missing` and `example` speak to the form. */
export function emailField(missing: string, example: string) {
  return z
    .string({ message: missing })
    .trim()
    .toLowerCase()
    .min(1, { message: missing })
    .max(254, { message: "Email must be at most 254 characters." })
    .pipe(z.email({ message: `Enter a valid email address, like ${example}.` }));
}

export const email = emailField("Enter your email address.", "you@example.com");

export const signInSchema = z.object({
  email,
  password: z.string({ message: "Enter your password." }).min(1, { message: "Enter your password." }),
  next: z.string().optional(),
});

export const signUpSchema = z.object({
  email,
  password: z
    .string({ message: "Choose a password." })
    .min(8, { message: "Password must be at least 8 characters." })
    .max(72, { message: "Password must be at most 72 characters." }),
  next: z.string().optional(),
});
