import type { SlackBlock, SlackMessage } from "./blocks.js";

const EMOJI: Record<string, string> = {
  x: "✖",
  red_circle: "🔴",
  white_check_mark: "✅",
  large_orange_circle: "🟠",
  bangbang: "‼️",
  exclamation: "❗",
  warning: "⚠️",
  small_blue_diamond: "🔹",
  information_source: "ℹ️",
  new: "🆕",
  shield: "🛡️",
  hourglass_flowing_sand: "⏳",
  thread: "🧵",
  file_folder: "📁",
  wrench: "🔧",
  alarm_clock: "⏰",
};

/**
 * A plain-text rendering of a Slack message for terminals (demo, CLI): emoji
 * shortcodes become characters, entities are unescaped, links show their URL.
 */
export function renderPlainTextPreview(message: SlackMessage): string {
  return message.blocks.map(blockToText).join("\n");
}

function blockToText(block: SlackBlock): string {
  switch (block.type) {
    case "header": {
      const text = plain(block.text.text);
      return `${text}\n${"═".repeat(Math.min(72, [...text].length + 2))}`;
    }
    case "section":
      return [block.text?.text ?? "", ...(block.fields ?? []).map((f) => f.text)].filter(Boolean).map(plain).join("\n");
    case "context":
      return block.elements.map((e) => `  ${e.type === "image" ? e.alt_text : plain(e.text)}`).join("\n");
    case "divider":
      return "─".repeat(72);
  }
}

function plain(mrkdwn: string): string {
  return mrkdwn
    .replace(/<([^|>]+)\|([^>]+)>/g, "$2 ($1)")
    .replace(/:([a-z_]+):/g, (whole, name: string) => EMOJI[name] ?? whole)
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

/** The JSON Block Kit Builder accepts (https://app.slack.com/block-kit-builder): `{ "blocks": [...] }`. */
export function blockKitBuilderJson(message: SlackMessage): string {
  return `${JSON.stringify({ blocks: message.blocks }, null, 2)}\n`;
}
