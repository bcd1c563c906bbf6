import type { CommitMessage, SliceMessage } from './front-versions.js';
import type { HttpLimits } from './http-hardening.js';

// The messages between the daemon's thread and the API front thread (`api-front-worker.ts`).

/** The front's start: where to listen, with which limits. */
export interface FrontStart {
  readonly host: string;
  readonly port: number;
  readonly limits?: Partial<HttpLimits> | undefined;
}

/** A request the front does not answer itself, passed to the daemon's thread as it came. */
export interface ForwardedRequest {
  readonly type: 'request';
  readonly id: number;
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Uint8Array | undefined;
  readonly remoteAddress: string | undefined;
}

/** The daemon's answer to a forwarded request. */
export interface ForwardedResponse {
  readonly type: 'response';
  readonly id: number;
  readonly status: number;
  readonly headers: Record<string, string | string[] | number | undefined>;
  readonly body: Uint8Array;
}

export type ToFront = SliceMessage | CommitMessage | ForwardedResponse | { readonly type: 'close' };

export type FromFront =
  | { readonly type: 'listening'; readonly address: string; readonly port: number }
  | { readonly type: 'listen-failed'; readonly code: string | undefined; readonly message: string }
  | ForwardedRequest;
