// The shapes of the API's answers, as the documents in graphql/documents.graphql select them:
// generated from schema.graphql (npm run codegen), never written by hand.
import type {
  DurationsFragment,
  EventsSubscription,
  StatsQuery,
  TaskDetailFragment,
  TaskEventsSubscription,
  TaskRowFragment,
  TasksQuery,
  WorkerFieldsFragment,
} from './graphql/generated';

export type { TaskStatus, WorkerState } from './graphql/generated';
export type Task = TaskRowFragment;
export type TaskDetail = TaskDetailFragment;
/** An event of the page's stream of all tasks, or (with TaskDetail) of one task's page. */
export type TaskEvent = EventsSubscription['taskEvents'];
export type TaskDetailEvent = TaskEventsSubscription['taskEvents'];
export type PageInfo = TasksQuery['tasks']['pageInfo'];
export type Durations = DurationsFragment;
export type TaskStats = StatsQuery['taskStats'];
export type Worker = WorkerFieldsFragment;
export type Queue = import('./graphql/generated').QueueFieldsFragment;
