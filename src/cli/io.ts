import { redact } from "../util/redact.js";

/** Where a command writes and what it reads from its environment: the process's, or a test's. */
export interface OutputStream {
  write(text: string): unknown;
}

/** stderr as a progress display needs it: whether it is a terminal, and how wide. */
export interface TerminalStream extends OutputStream {
  isTTY?: boolean;
  columns?: number;
}

export interface CliIo {
  stdout: OutputStream;
  stderr: TerminalStream;
  env: Record<string, string | undefined>;
}

export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env };
}

/**
 * The CLI's one exit: every write on stdout and stderr (report, run JSON, messages, progress line)
 * with the configured secrets, and anything that looks like a full OpenAI or Slack secret, replaced by
 * [REDACTED]; a key or project name that holds one cannot print it. Each write is redacted whole, so
 * every message is written in one piece.
 */
export function redactingIo(io: CliIo, secrets: readonly (string | undefined)[]): CliIo {
  const clean = (text: string): string => redact(text, secrets);
  const { stdout, stderr } = io;
  return {
    env: io.env,
    stdout: { write: (text: string) => stdout.write(clean(text)) },
    stderr: {
      // Read when asked: a terminal's width changes when it is resized.
      get isTTY() {
        return stderr.isTTY;
      },
      get columns() {
        return stderr.columns;
      },
      write: (text: string) => stderr.write(clean(text)),
    },
  };
}
