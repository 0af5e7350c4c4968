/** The records a test reads back: every call, and what uploads, response_url posts, modals and edits it made. */
import type { FakeMessageUpdate, FakeUpload, FakeView, RecordedCall, ResponseUrlPost } from "./types.js";

export class SlackRecording {
  /** Live arrays, in arrival order. */
  readonly calls: RecordedCall[] = [];
  readonly uploads: FakeUpload[] = [];
  readonly responseUrlPosts: ResponseUrlPost[] = [];
  readonly views: FakeView[] = [];
  readonly updates: FakeMessageUpdate[] = [];

  record(call: Omit<RecordedCall, "at">): void {
    this.calls.push({ ...call, at: Date.now() });
  }

  /** Empties every record in place (the workspace is not a record: it stays). */
  clear(): void {
    this.calls.length = 0;
    this.uploads.length = 0;
    this.responseUrlPosts.length = 0;
    this.views.length = 0;
    this.updates.length = 0;
  }
}
