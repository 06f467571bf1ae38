// Invitation pages look like sign-in and sign-up: the visitor may not have an account yet.
export { default } from "../(auth)/layout";
