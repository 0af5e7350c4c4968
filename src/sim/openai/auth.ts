/** Bearer authentication with the admin key, and the Admin API's two 401 answers. */
import type { Reply } from "../http.js";
import { errorBody } from "./errors.js";

const API_KEYS_URL = "https://platform.openai.com/account/api-keys";

export function authenticate(header: string | undefined, adminKey: string): Reply | null {
  const m = header === undefined ? null : /^Bearer[ \t]+(.*)$/i.exec(header.trim());
  if (m === null) {
    return {
      status: 401,
      json: errorBody(
        "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), " +
          `or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username and password. You can obtain an API key from ${API_KEYS_URL}.`,
        "invalid_request_error",
        null,
        null,
      ),
    };
  }
  const presented = (m[1] ?? "").trim();
  if (presented === adminKey) return null;
  // Deliberately echoes the FULL presented key (the real API masks most of
  // it) so that a client that logs or surfaces error bodies verbatim is caught.
  return {
    status: 401,
    json: errorBody(
      `Incorrect API key provided: ${presented}. You can find your API key at ${API_KEYS_URL}.`,
      "invalid_request_error",
      null,
      "invalid_api_key",
    ),
  };
}
