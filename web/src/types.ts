// The shapes of the API's answers, as the documents in documents.ts select them.
export type TaskStatus = 'PENDING' | 'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELLED' | 'TIMED_OUT';

export interface Task {
  id: string;
  kind: string;
  status: TaskStatus;
  progress: number | null;
  progressMessage: string | null;
  attempts: number;
  maxAttempts: number;
  priority: number;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface TaskDetail extends Task {
  input: unknown;
  result: unknown;
  error: { code: string; message: string } | null;
  timeoutSeconds: number;
  runAt: string;
  updatedAt: string;
  idempotencyKey: string | null;
  workerId: string | null;
}

export interface TaskEvent<T extends Task = Task> {
  cursor: string;
  type: string;
  at: string;
  taskId: string;
  data: Record<string, unknown> | null;
  task: T;
}

export interface PageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}

export interface Durations {
  averageMs: number | null;
  p50Ms: number | null;
  p95Ms: number | null;
}

export type TaskStats = Record<'pending' | 'running' | 'completed' | 'failed' | 'cancelled' | 'timedOut' | 'total', number> & {
  successRate: number | null;
  throughput: { lastMinute: number; lastHour: number };
  queueWait: Durations;
  runTime: Durations;
};

export type WorkerState = 'ACTIVE' | 'PAUSED' | 'STOPPING' | 'OFFLINE';

export interface Worker {
  id: string;
  name: string;
  kind: 'EMBEDDED' | 'EXTERNAL';
  host: string | null;
  pid: number | null;
  kinds: string[];
  concurrency: number;
  running: number;
  processed: number;
  succeeded: number;
  failed: number;
  state: WorkerState;
  startedAt: string;
  lastHeartbeatAt: string;
  leaseSeconds: number;
}
