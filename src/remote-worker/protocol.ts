// The external-worker protocol (src/graphql/worker-protocol.ts) as typed calls: one document each,
// asking only for what the worker reads back.
import type { GraphQLRequest } from './graphql-client.js';

export interface Registration {
  id: string;
  leaseSeconds: number;
  concurrency: number;
}

export interface ClaimedTask {
  id: string;
  kind: string;
  input: unknown;
  /** The attempt this claim started, from 1. */
  attempts: number;
  maxAttempts: number;
  timeoutSeconds: number;
  dependencies: Array<{ id: string; kind: string; status: string; result: unknown }>;
  queue: string;
  /** When it became due, ISO 8601: the start of its claim wait. */
  runAt: string;
  /** The creating request's trace, which the attempt's span links to. */
  traceparent: string | null;
}

export interface Heartbeat {
  cancelledTaskIds: string[];
  /** The row as the beat left it: its concurrency is a command from setWorkerConcurrency. */
  worker: { state: string; concurrency: number };
}

export interface Failure {
  message: string;
  code: string;
  retryable: boolean;
}

const REGISTER = `mutation RemoteRegister($input: RegisterWorkerInput!) { registerWorker(input: $input) { id leaseSeconds concurrency } }`;
const CLAIM = `mutation RemoteClaim($workerId: ID!, $limit: Int!, $waitSeconds: Int) {
  claimTasks(workerId: $workerId, limit: $limit, waitSeconds: $waitSeconds) {
    id kind input attempts maxAttempts timeoutSeconds dependencies { id kind status result } queue runAt traceparent
  }
}`;
const HEARTBEAT = `mutation RemoteHeartbeat($id: ID!) { heartbeatWorker(id: $id) { cancelledTaskIds worker { state concurrency } } }`;
const PROGRESS = `mutation RemoteProgress($id: ID!, $workerId: ID!, $progress: Float!, $message: String) {
  reportTaskProgress(id: $id, workerId: $workerId, progress: $progress, message: $message) { id }
}`;
const LOG = `mutation RemoteLog($id: ID!, $workerId: ID!, $message: String!, $level: String) {
  appendTaskLog(id: $id, workerId: $workerId, message: $message, level: $level) { id }
}`;
const COMPLETE = `mutation RemoteComplete($id: ID!, $workerId: ID!, $result: JSON) { completeTask(id: $id, workerId: $workerId, result: $result) { status } }`;
const RELEASE = `mutation RemoteRelease($workerId: ID!, $ids: [ID!]!) { releaseTasks(workerId: $workerId, ids: $ids) }`;
const FAIL = `mutation RemoteFail($id: ID!, $workerId: ID!, $error: String!, $code: String, $retryable: Boolean) {
  failTask(id: $id, workerId: $workerId, error: $error, code: $code, retryable: $retryable) { status }
}`;

/** Past its waitSeconds, a claim still needs time to answer: the claim itself, a slow network. */
const CLAIM_ANSWER_MARGIN_MS = 15_000;

export function createProtocol(request: GraphQLRequest) {
  return {
    register: async (input: { name: string; kinds: string[]; concurrency: number }, signal?: AbortSignal) =>
      (await request<{ registerWorker: Registration }>(REGISTER, { input }, { signal })).registerWorker,

    claim: async (workerId: string, limit: number, waitSeconds: number, signal?: AbortSignal) =>
      (
        await request<{ claimTasks: ClaimedTask[] }>(CLAIM, { workerId, limit, waitSeconds }, {
          signal,
          timeoutMs: waitSeconds * 1000 + CLAIM_ANSWER_MARGIN_MS,
        })
      ).claimTasks,

    heartbeat: async (id: string, timeoutMs: number) =>
      (await request<{ heartbeatWorker: Heartbeat }>(HEARTBEAT, { id }, { timeoutMs })).heartbeatWorker,

    progress: (id: string, workerId: string, progress: number, message: string | null) =>
      request(PROGRESS, { id, workerId, progress, message }),

    log: (id: string, workerId: string, message: string, level: string) => request(LOG, { id, workerId, message, level }),

    complete: async (id: string, workerId: string, result: unknown) =>
      (await request<{ completeTask: { status: string } }>(COMPLETE, { id, workerId, result })).completeTask.status,

    release: async (workerId: string, ids: string[]) => (await request<{ releaseTasks: string[] }>(RELEASE, { workerId, ids })).releaseTasks,

    fail: async (id: string, workerId: string, failure: Failure) =>
      (
        await request<{ failTask: { status: string } }>(FAIL, {
          id, workerId, error: failure.message, code: failure.code, retryable: failure.retryable,
        })
      ).failTask.status,
  };
}

export type Protocol = ReturnType<typeof createProtocol>;
