// Every GraphQL document the page sends. The dashboard uses only the public API.
const TASK_ROW = `id kind status progress progressMessage attempts maxAttempts priority createdAt startedAt finishedAt`;
const TASK_DETAIL = `${TASK_ROW} input result error { code message } timeoutSeconds runAt updatedAt idempotencyKey workerId`;

export const TASKS = `query Tasks($first: Int, $after: String, $last: Int, $before: String, $status: [TaskStatus!], $kind: [String!]) {
  tasks(first: $first, after: $after, last: $last, before: $before, status: $status, kind: $kind) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    nodes { ${TASK_ROW} }
  }
}`;

export const TASK = `query Task($id: ID!) { task(id: $id) { ${TASK_DETAIL} } }`;

const DURATIONS = `averageMs p50Ms p95Ms`;
export const STATS = `query Stats {
  taskStats {
    pending running completed failed cancelled timedOut total
    successRate throughput { lastMinute lastHour } queueWait { ${DURATIONS} } runTime { ${DURATIONS} }
  }
}`;

export const KINDS = `query Kinds { taskKinds }`;

export const CREATE = `mutation Create($input: CreateTaskInput!) { createTask(input: $input) { task { id status } } }`;

export const CANCEL = `mutation Cancel($id: ID!) { cancelTask(id: $id) { task { ${TASK_DETAIL} } } }`;

export const RETRY = `mutation Retry($id: ID!) { retryTask(id: $id) { task { ${TASK_DETAIL} } } }`;

/** Every event of every task; `after` resumes right after the last one seen. */
export const ALL_EVENTS = `subscription Events($after: String) {
  taskEvents(after: $after) { cursor type at taskId data task { ${TASK_ROW} } }
}`;

/** One task's events: from "0" this replays its whole history (log lines included), then goes live. */
export const TASK_EVENTS = `subscription TaskEvents($taskId: ID!, $after: String) {
  taskEvents(taskId: $taskId, after: $after) { cursor type at taskId data task { ${TASK_DETAIL} } }
}`;

const WORKER = `id name kind host pid kinds concurrency running processed succeeded failed state startedAt lastHeartbeatAt leaseSeconds`;

export const WORKERS = `query Workers { workers { ${WORKER} } }`;
export const WORKER_UPDATED = `subscription WorkerUpdated { workerUpdated { ${WORKER} } }`;
export const PAUSE_WORKER = `mutation Pause($id: ID!) { pauseWorker(id: $id) { ${WORKER} } }`;
export const RESUME_WORKER = `mutation Resume($id: ID!) { resumeWorker(id: $id) { ${WORKER} } }`;
export const SET_CONCURRENCY = `mutation Concurrency($id: ID!, $concurrency: Int!) { setWorkerConcurrency(id: $id, concurrency: $concurrency) { ${WORKER} } }`;
