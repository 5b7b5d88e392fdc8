// Checks tasks that depend on others, and whole flows, before anything is written: every task as
// intake.ts checks it, refs unique, every dependency a ref of the flow or a task id, no cycle.
// A refusal is INVALID_INPUT naming what to change; the store refuses ids that do not exist.
import { invalidInput } from '../errors.js';
import type { GraphTask } from '../store/index.js';
import { type KindLookup, parseTaskId, prepareTask, type TaskRequest } from './intake.js';

export interface DependentRequest extends TaskRequest {
  dependsOn?: readonly string[] | null;
  runIfDependenciesFail?: boolean | null;
}

export interface FlowTaskRequest extends DependentRequest {
  ref: string;
}

/** At most this many tasks in a flow, and dependencies of one task. */
export const MAX_FLOW_TASKS = 10_000;
const MAX_REF_LENGTH = 128;

/** The task as intake.ts checks it, without keys: a task with dependencies takes none. */
function prepareBase(request: DependentRequest, kinds: KindLookup, maxPayloadBytes: number, where: string) {
  if (request.idempotencyKey != null || request.uniqueKey != null) {
    throw invalidInput(`${where}idempotencyKey and uniqueKey cannot be given with dependencies (dependsOn, createFlow)`);
  }
  const { idempotencyKey: _i, uniqueKey: _u, uniqueSeconds: _s, ...task } = prepareTask(request, kinds, maxPayloadBytes);
  return { ...task, runIfDependenciesFail: request.runIfDependenciesFail ?? false };
}

/** Whether a createTask or createTasks input goes through the graph insert. */
export const hasDependencies = (request: DependentRequest) => (request.dependsOn?.length ?? 0) > 0 || request.runIfDependenciesFail != null;

/** A task that depends on existing tasks (createTask, createTasks). */
export function prepareDependent(request: DependentRequest, kinds: KindLookup, maxPayloadBytes: number): GraphTask {
  const dependsOn = [...new Set((request.dependsOn ?? []).map((id) => parseTaskId(String(id))))];
  if (dependsOn.length > MAX_FLOW_TASKS) throw invalidInput(`dependsOn takes at most ${MAX_FLOW_TASKS} tasks, got ${dependsOn.length}`);
  return { ...prepareBase(request, kinds, maxPayloadBytes, ''), dependsOn, after: [] };
}

/** A flow's tasks, in input order, with their dependencies inside it by position. */
export function prepareFlow(requests: readonly FlowTaskRequest[], kinds: KindLookup, maxPayloadBytes: number): GraphTask[] {
  if (requests.length === 0) throw invalidInput('a flow needs at least one task');
  if (requests.length > MAX_FLOW_TASKS) throw invalidInput(`a flow takes at most ${MAX_FLOW_TASKS} tasks, got ${requests.length}`);
  const position = new Map<string, number>();
  requests.forEach((request, i) => {
    if (request.ref.length === 0 || request.ref.length > MAX_REF_LENGTH) throw invalidInput(`tasks[${i}].ref must be 1 to ${MAX_REF_LENGTH} characters`);
    if (position.has(request.ref)) throw invalidInput(`tasks[${i}].ref ${JSON.stringify(request.ref)} is used twice`);
    position.set(request.ref, i);
  });
  const tasks = requests.map((request, i): GraphTask => {
    const after = new Set<number>();
    const dependsOn = new Set<string>();
    for (const name of request.dependsOn ?? []) {
      const at = position.get(name);
      if (at !== undefined) after.add(at);
      else if (/^[1-9][0-9]*$/.test(name)) dependsOn.add(parseTaskId(name));
      else throw invalidInput(`tasks[${i}].dependsOn names ${JSON.stringify(name)}, which is neither a ref of this flow nor a task id`);
    }
    return { ...prepareBase(request, kinds, maxPayloadBytes, `tasks[${i}] (${request.ref}): `), dependsOn: [...dependsOn], after: [...after] };
  });
  const cycle = findCycle(tasks.map((t) => t.after));
  if (cycle) throw invalidInput(`the flow's dependencies form a cycle: ${cycle.map((i) => requests[i].ref).join(' -> ')}`);
  return tasks;
}

/** A cycle of the graph (edges from each node to those it depends on), as a path that ends where it starts; null if there is none. */
export function findCycle(after: ReadonlyArray<readonly number[]>): number[] | null {
  // Iterative depth-first search: a chain of 10,000 must not overflow the stack.
  const state = new Uint8Array(after.length); // 0 unseen, 1 on the path, 2 done
  for (let root = 0; root < after.length; root++) {
    if (state[root]) continue;
    const path: number[] = [root];
    const next: number[] = [0];
    state[root] = 1;
    while (path.length > 0) {
      const node = path[path.length - 1];
      const edges = after[node];
      if (next[next.length - 1] < edges.length) {
        const to = edges[next[next.length - 1]++];
        if (state[to] === 1) return [...path.slice(path.indexOf(to)), to];
        if (state[to] === 0) {
          state[to] = 1;
          path.push(to);
          next.push(0);
        }
      } else {
        state[node] = 2;
        path.pop();
        next.pop();
      }
    }
  }
  return null;
}
