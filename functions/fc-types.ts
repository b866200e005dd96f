/**
 * Function Compute 3.0 handler types. `@serverless-devs/fc-runtime` does not exist and no
 * official typings are published, so the shapes FC documents are typed here, in one place.
 * Source: ../shared/reference/function-compute-and-sls.md §1.2-1.3, §2.3.
 */

/** STS credentials of the function's role, valid 36 h. */
export interface FcCredentials {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  readonly securityToken: string;
}

export interface FcLogger {
  debug(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
  log(...args: unknown[]): void;
}

export interface FcContext {
  readonly requestId: string;
  readonly credentials: FcCredentials;
  /** `timeout` in seconds: the platform kills the invocation after it. */
  readonly function: { readonly name: string; readonly handler: string; readonly memory: number; readonly timeout: number };
  readonly service?: { readonly name?: string; readonly logProject?: string; readonly logStore?: string; readonly qualifier?: string; readonly versionId?: string };
  readonly region: string;
  readonly accountId: string;
  readonly logger?: FcLogger;
}

/** What a timer trigger sends, as JSON inside the event Buffer. `payload` is a string even when it holds JSON. */
export interface FcTimerEvent {
  readonly triggerTime: string;
  readonly triggerName: string;
  readonly payload: string;
}

/** Node.js 18+ event handler: the event is a Buffer; the resolved value is returned to the caller as JSON. */
export type FcEventHandler<R = unknown> = (event: Buffer, context: FcContext) => Promise<R>;
