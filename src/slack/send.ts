/**
 * Sending to Slack, as the rest of Keywarden imports it: the client (client.ts, over transport.ts),
 * a run's report delivery (deliver.ts), a slash command's follow-up (response-url.ts).
 */
export { DEFAULT_SLACK_API_URL, type SlackClientOptions, createSlackClient } from "./client.js";
export { BURST_MESSAGES, type DeliverOptions, type DeliveryResult, type DeliveryStage, type PostedSoFar, deliverReport } from "./deliver.js";
export { type ResponseUrlMessage, postToResponseUrl } from "./response-url.js";
export { DEFAULT_SLACK_RETRY, type SlackRetryPolicy } from "./transport.js";
