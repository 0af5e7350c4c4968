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
